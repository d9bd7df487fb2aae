"""`dyadwatch demo`: embedded broker + one worker + the sample feed, with a live table of dyads."""

from __future__ import annotations

import contextlib
import os
import random
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import orjson
from kafka import KafkaConsumer
from rich.console import Console
from rich.live import Live
from rich.table import Table

from dyadwatch.processors.instants import epoch_of
from dyadwatch.streams.broker import EmbeddedBroker, free_port
from dyadwatch.streams.kafka_io import connect, ensure_topics, group_lag, producer, read_to_end
from dyadwatch.streams.settings import Settings
from dyadwatch.streams.workers import start_worker, stop_worker, wait_ready

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_FEED = ROOT / "samples" / "articles.jsonl"
DAY = 86400


class Board:
    """What the demo shows, fed from the output topics."""

    def __init__(self) -> None:
        self.days: dict[str, dict[str, dict]] = defaultdict(dict)  # pair -> window_start -> latest 1d window
        self.tagged: set[bytes] = set()
        self.dead: Counter[str] = Counter()
        self.finals = 0
        self.lock = threading.Lock()

    def add(self, topic: str, key: bytes | None, value: bytes) -> None:
        record = orjson.loads(value)
        with self.lock:
            if topic.endswith(".mentions"):
                self.tagged.add(key or b"")
            elif topic.endswith(".dlq"):
                self.dead[record["reason"]] += 1
            elif record.get("window") == "1d":
                self.days[record["pair"]][record["window_start"]] = record
                self.finals += record["final"]

    def rows(self, limit: int = 15) -> list[tuple[str, int, float, float, float | None]]:
        """(pair, articles, mean tone, latest day's tone, change from the day before) for the busiest pairs."""
        rows = []
        with self.lock:
            for pair, days in self.days.items():
                ordered = [days[start] for start in sorted(days)]
                articles = sum(d["articles"] for d in ordered)
                mean = sum(d["mean"] * d["articles"] for d in ordered) / articles
                trend = ordered[-1]["mean"] - ordered[-2]["mean"] if len(ordered) > 1 else None
                rows.append((pair, articles, mean, ordered[-1]["mean"], trend))
        rows.sort(key=lambda row: (-row[1], row[0]))
        return rows[:limit]

    def table(self, produced: int, total: int) -> Table:
        table = Table(
            title=f"dyadwatch demo — produced {produced}/{total}, tagged {len(self.tagged)}, "
            f"dead-lettered {sum(self.dead.values())}",
            title_justify="left",
        )
        for column, justify in (("pair", "left"), ("articles", "right"), ("mean tone", "right"),
                                ("latest day", "right"), ("trend", "right")):  # fmt: skip
            table.add_column(column, justify=justify)  # type: ignore[arg-type]
        for pair, articles, mean, latest, trend in self.rows():
            arrow = (
                ""
                if trend is None
                else ("[green]▲[/green]" if trend > 0.05 else "[red]▼[/red]" if trend < -0.05 else "=")
            )
            table.add_row(pair, str(articles), _tone(mean), _tone(latest),
                          "" if trend is None else f"{arrow} {trend:+.2f}")  # fmt: skip
        return table


def _tone(value: float) -> str:
    colour = "green" if value > 0.05 else "red" if value < -0.05 else "white"
    return f"[{colour}]{value:+.2f}[/{colour}]"


def _records(feed: Path, seed: int = 1) -> list[tuple[bytes | None, bytes, int | None]]:
    """The sample feed arriving shortly after publication, plus two stale stories and two broken records."""
    rng = random.Random(seed)
    records: list[tuple[bytes | None, bytes, int | None]] = []
    for line in feed.read_bytes().splitlines():
        story = orjson.loads(line)
        published = epoch_of(story["published_at"])
        records.append((story["id"].encode(), line, int((published + rng.randint(0, 60)) * 1000)))
    for index in (40, 200):  # resent two days after publication: too late for their windows
        _, value, stamp = records[index]
        assert stamp is not None
        stale = orjson.loads(value)
        stale["id"] += "-stale"
        records.insert(index + 5, (stale["id"].encode(), orjson.dumps(stale), stamp + 2 * DAY * 1000))
    records.insert(100, (None, b'{"id": "broken", "title": "unterminated', records[100][2]))
    records.insert(300, (None, b'{"id": "no-body", "published_at": "2026-11-09T10:00:00Z"}', records[300][2]))
    return records


def _follow_topics(settings: Settings, board: Board, stop: threading.Event) -> None:
    consumer = connect(
        settings,
        KafkaConsumer,
        *(settings.topic(name) for name in ("mentions", "articles.dlq", "dyads.windows")),
        group_id=None,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=100,
    )
    try:
        while not stop.is_set():
            for batch in consumer.poll(timeout_ms=200).values():
                for record in batch:
                    board.add(record.topic, record.key, record.value)
    finally:
        consumer.close()


def run_demo(follow: bool = False, rate: float = 12.0, feed: Path = SAMPLE_FEED) -> int:
    console = Console()
    workdir = Path(tempfile.mkdtemp(prefix="dyadwatch-demo-"))
    with EmbeddedBroker(log=workdir / "broker.log") as broker:
        settings = Settings.from_env({}, broker=broker.url, app_id="dyadwatch-demo", workdir=workdir / "state")
        ensure_topics(settings)
        console.print(f"[bold]embedded broker[/bold] {broker.url}   logs: {workdir}")
        env = {**os.environ, "DYADWATCH_BROKER": broker.url, "DYADWATCH_APP_ID": settings.app_id}
        web_port = free_port()
        worker_log = workdir / "worker.log"
        worker = start_worker(env, worker_log, web_port, settings.workdir)
        stop = threading.Event()
        board = Board()
        reader = threading.Thread(target=_follow_topics, args=(settings, board, stop), daemon=True)
        try:
            with console.status("starting a worker (joining its consumer group takes a few seconds)…"):
                wait_ready(worker, worker_log, timeout=120)
            console.print(f"[bold]worker ready[/bold]   web: http://127.0.0.1:{web_port}/")
            reader.start()
            records = _records(feed)
            client = producer(settings)
            topic = settings.topic("articles")
            with Live(board.table(0, len(records)), console=console, refresh_per_second=4) as live:
                started = time.monotonic()
                for index, (key, value, stamp) in enumerate(records, start=1):
                    client.send(topic, key=key, value=value, timestamp_ms=stamp)
                    if index % 10 == 0:
                        client.flush()
                        live.update(board.table(index, len(records)))
                    delay = started + index / rate - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                client.flush()
                deadline = time.monotonic() + 90
                while time.monotonic() < deadline and group_lag(settings) > 0:
                    live.update(board.table(len(records), len(records)))
                    time.sleep(0.5)
                time.sleep(2)
                live.update(board.table(len(records), len(records)))
                if follow:
                    console.print("following: Ctrl-C to stop")
                    with contextlib.suppress(KeyboardInterrupt):
                        while worker.poll() is None:
                            live.update(board.table(len(records), len(records)))
                            time.sleep(1)
            client.close()
            _summary(console, board, len(records))
            if not follow:
                _print_alerts(console, settings)
            return 0 if len(board.tagged) + sum(board.dead.values()) == len(records) else 1
        finally:
            stop.set()
            stop_worker(worker)
            if reader.is_alive():
                reader.join(timeout=5)


def _print_alerts(console: Console, settings: Settings) -> None:
    shifts = [orjson.loads(record.value) for record in read_to_end(settings, "alerts")]
    console.print(f"          {len(shifts)} tone-shift alert(s) on {settings.topic('alerts')}")
    for shift in shifts:
        worst = min(shift["movers"], key=lambda m: m["sentiment"] if shift["direction"] == "down" else -m["sentiment"])
        console.print(f"          [bold]{shift['pair']}[/bold] {shift['direction']} {shift['magnitude']:+.2f} "
                      f"(z {shift['z']:+.1f}) in the {shift['window']} window from {shift['window_start']}: "
                      f"“{worst['evidence'][:100]}”")  # fmt: skip


def _summary(console: Console, board: Board, produced: int) -> None:
    dead = sum(board.dead.values())
    console.print()
    console.print(f"[bold]summary[/bold]  articles in {produced} = tagged {len(board.tagged)} + dead-lettered {dead}"
                  f" ({', '.join(f'{n} {r}' for r, n in board.dead.most_common()) or 'none'})")  # fmt: skip
    console.print(f"          {len(board.days)} pairs with daily windows, {board.finals} daily windows final")
    swings = []
    for pair, days in board.days.items():
        means = [days[start]["mean"] for start in sorted(days) if days[start]["articles"] >= 2]
        if len(means) >= 4:
            half = len(means) // 2
            swings.append((sum(means[half:]) / (len(means) - half) - sum(means[:half]) / half, pair))
    if swings:
        change, pair = min(swings)
        console.print(f"          sharpest turn: [bold]{pair}[/bold] {change:+.2f} between the first and second half")
