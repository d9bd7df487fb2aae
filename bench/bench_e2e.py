"""End-to-end throughput and latency through the real embedded broker, workers in their own processes.

    make bench                       # runs bench_tag.py, then this
    .venv/bin/python bench/bench_e2e.py [--articles 20000] [--latency-seconds 20]

- throughput, 1 and 2 workers (8 partitions): workers joined first, then N 300-600-word stories produced as fast as
  the producer goes; articles/s = N / (time of the last window aggregate published - time of the first mentions
  record), from the Kafka timestamps the workers stamped on their output, so polling does not distort it. The
  tagging stage alone (up to the last mentions record) is reported next to it: the aggregation of an article's
  scores runs after its tagging, in the same worker;
- latency at 50 % of the 1-worker rate: fresh stories (published now) produced at that rate; per article, from when
  it was produced to the first window update that counts it (matched by article id; see `latency`); p50/p95/p99;
- the offline `dyadwatch tag` figure measured in the same run, just before and just after the one-worker run
  (their mean), for the ratios.

Writes e2e_articles_per_s_1w, e2e_articles_per_s_2w (and e2e_tag_stage_per_s_*), offline_tag_articles_per_s,
e2e_p50_s, e2e_p95_s, e2e_p99_s to bench/parts/e2e.json and prints a table. A throughput run fails unless every
article came out tagged.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))

from generate_feed import generate  # noqa: E402
from soak import cpu_seconds  # noqa: E402  (bench/ is on the path when a bench script runs)

from dyadwatch.processors.analysis import default_analyzer  # noqa: E402
from dyadwatch.processors.article import decode_article  # noqa: E402
from dyadwatch.processors.instants import epoch_of  # noqa: E402
from dyadwatch.processors.windows import window_key  # noqa: E402
from dyadwatch.streams import dyad_records  # noqa: E402
from dyadwatch.streams.broker import EmbeddedBroker, free_port  # noqa: E402
from dyadwatch.streams.kafka_io import ensure_topics, group_lag, producer, read_to_end  # noqa: E402
from dyadwatch.streams.settings import Settings  # noqa: E402
from dyadwatch.streams.workers import start_worker, stop_worker, wait_ready  # noqa: E402


def stories(count: int, start: datetime, seed: int = 21) -> list[dict]:
    return generate(count, max(1, count // 2000), seed, True, start)


class Run:
    """One pipeline (topic prefix + consumer group) with its worker processes."""

    def __init__(self, broker: str, name: str, workdir: Path, partitions: int = 8) -> None:
        self.settings = Settings.from_env({}, broker=broker, topic_prefix=f"bench-{name}", app_id=f"bench-{name}",
                                          partitions=partitions)  # fmt: skip
        self.env = {**os.environ, "DYADWATCH_BROKER": broker, "DYADWATCH_TOPIC_PREFIX": self.settings.topic_prefix,
                    "DYADWATCH_APP_ID": self.settings.app_id, "DYADWATCH_PARTITIONS": str(partitions)}  # fmt: skip
        self.workdir = workdir
        self.workers: list[subprocess.Popen[bytes]] = []
        self.ports: list[int] = []
        ensure_topics(self.settings)

    def start(self, count: int) -> None:
        logs = [self.workdir / f"{self.settings.app_id}-{index}.log" for index in range(count)]
        for index, log in enumerate(logs):
            self.ports.append(free_port())
            self.workers.append(
                start_worker(self.env, log, self.ports[-1], self.workdir / f"{self.settings.app_id}-{index}")
            )
        for worker, log in zip(self.workers, logs, strict=True):
            wait_ready(worker, log, timeout=180)
        time.sleep(12 if count > 1 else 2)  # let the group settle: a later join would rebalance mid-measurement

    def stop(self) -> None:
        for worker in self.workers:
            stop_worker(worker, timeout=30)

    def produce(self, items: list[dict], rate: float | None = None, stamp_now: bool = False) -> dict[str, float]:
        client = producer(self.settings)
        topic = self.settings.topic("articles")
        sent_at = {}
        started = time.monotonic()
        for index, story in enumerate(items):
            now_ms = int(time.time() * 1000)
            if stamp_now:  # a fresh story, arriving now
                story = {**story, "published_at": datetime.now(UTC).isoformat().replace("+00:00", "Z")}
                stamp = now_ms
            else:  # a replay: arriving when published, as `dyadwatch produce --timestamp published` does
                stamp = int(datetime.fromisoformat(story["published_at"].replace("Z", "+00:00")).timestamp() * 1000)
            client.send(topic, key=story["id"].encode(), value=orjson.dumps(story), timestamp_ms=stamp)
            sent_at[story["id"]] = now_ms / 1000
            if rate:
                delay = started + (index + 1) / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
        client.flush()
        client.close()
        return sent_at

    def wait_caught_up(self, timeout: float = 900) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if group_lag(self.settings) == 0:
                return
            time.sleep(1)
        raise TimeoutError("the workers did not catch up")

    def records(self, name: str) -> list:
        return read_to_end(self.settings, name, timeout=600)


def counter(port: int, name: str) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    raise KeyError(name)


def throughput(broker: str, workdir: Path, workers: int, items: list[dict], costs: dict | None = None) -> tuple:
    """Articles/s through the aggregates, and through the tagging stage alone; with `costs`, the workers' CPU and
    records per article from their own counters (broker excluded)."""
    run = Run(broker, f"{workers}w", workdir)
    try:
        run.start(workers)
        cpu_before = sum(cpu_seconds(worker.pid) for worker in run.workers)
        run.produce(items)
        run.wait_caught_up()
        if costs is not None:
            cpu = sum(cpu_seconds(worker.pid) for worker in run.workers) - cpu_before
            consumed = sum(
                counter(port, "dyadwatch_articles_received_total")
                + counter(port, "dyadwatch_dyads_records_consumed_total")
                for port in run.ports
            )
            produced = sum(counter(port, "dyadwatch_records_produced_total") for port in run.ports)
            costs.update(e2e_worker_cpu_ms_per_article=round(cpu * 1000 / len(items), 4),
                         consumed_records_per_article=round(consumed / len(items), 2),
                         produced_records_per_article=round(produced / len(items), 2))  # fmt: skip
        mentions = run.records("mentions")
        missing = {item["id"] for item in items} - {record.key.decode() for record in mentions}
        if missing:
            raise RuntimeError(f"{len(missing)} of {len(items)} articles never came out tagged, e.g. {min(missing)}")
        tagged = sorted(record.timestamp for record in mentions)
        aggregated = max(record.timestamp for record in run.records("dyads.windows"))
        return len(tagged) / ((aggregated - tagged[0]) / 1000), (len(tagged) - 1) / ((tagged[-1] - tagged[0]) / 1000)
    finally:
        run.stop()


def latency(broker: str, workdir: Path, rate: float, seconds: float, items: list[dict]) -> list[float]:
    """Per article: from its arrival to the first update of its pairs' hourly windows that counts it (the latest
    over its pairs). A window's records of one pair are aggregated in dyads-partition order, so the n-th distinct
    article of a window is counted by the first update of that window with at least n articles."""
    run = Run(broker, "latency", workdir)
    try:
        run.start(1)
        count = min(len(items), int(rate * seconds))
        sent = run.produce(items[:count], rate=rate, stamp_now=True)
        run.wait_caught_up()
        updates: dict[str, list[tuple[int, float]]] = {}  # window key -> (articles, published at), in order
        for record in run.records("dyads.windows"):
            window = orjson.loads(record.value)
            updates.setdefault(window["key"], []).append((window["articles"], record.timestamp / 1000))
        counted: dict[str, set[str]] = {}
        seen: dict[str, float] = {}  # article id -> when its last pair's window counted it
        scores = [score for record in run.records("dyads") for score in dyad_records.read(record.value)["scores"]]
        for score in scores:  # in partition and offset order
            published = epoch_of(score["published_at"])
            key = window_key(score["pair"], 3600, int(published - published % 3600))
            ids = counted.setdefault(key, set())
            ids.add(score["article_id"])
            at = next((stamp for articles, stamp in updates.get(key, ()) if articles >= len(ids)), None)
            if at is None:
                raise RuntimeError(f"no update of {key} counts article {score['article_id']}")
            seen[score["article_id"]] = max(seen.get(score["article_id"], 0.0), at)
        return [at - sent[article] for article, at in seen.items()]
    finally:
        run.stop()


def offline_tag_rate(items: list[dict]) -> tuple[float, float]:
    """Articles/s (wall) and CPU ms per article of `dyadwatch tag`'s work, offline, in this process."""
    analyzer = default_analyzer()
    raws = [orjson.dumps(item) for item in items]
    for raw in raws[:50]:
        orjson.dumps(analyzer.analyze(decode_article(raw)))
    started, cpu = time.perf_counter(), time.process_time()
    for raw in raws:
        orjson.dumps(analyzer.analyze(decode_article(raw)))
    return len(raws) / (time.perf_counter() - started), (time.process_time() - cpu) * 1000 / len(raws)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--latency-seconds", type=float, default=20.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "parts" / "e2e.json")
    args = parser.parse_args()

    items = stories(args.articles, datetime(2026, 11, 1, tzinfo=UTC))
    results: dict = {}
    # this run's offline figure, which the streaming cost is a ratio to: measured just before and just after the
    # one-worker run (this machine's speed drifts by tens of percent within minutes), their mean
    offline = [offline_tag_rate(items[:4000])]
    print(f"offline dyadwatch tag      {offline[0][0]:>9.1f} articles/s", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="dyadwatch-bench-"))
    with EmbeddedBroker(log=workdir / "broker.log") as broker:
        for workers in (1, 2):
            through, tagging = throughput(broker.url, workdir, workers, items, results if workers == 1 else None)
            if workers == 1:
                offline.append(offline_tag_rate(items[:4000]))
                print(f"offline dyadwatch tag      {offline[1][0]:>9.1f} articles/s (after)", flush=True)
                results["offline_tag_articles_per_s"] = round(statistics.mean(rate for rate, _ in offline), 1)
                results["offline_tag_cpu_ms_per_article"] = round(statistics.mean(cpu for _, cpu in offline), 4)
                results["offline_tag_cpu_ms_before_after"] = [round(cpu, 4) for _, cpu in offline]
            results[f"e2e_articles_per_s_{workers}w"] = round(through, 1)
            results[f"e2e_tag_stage_per_s_{workers}w"] = round(tagging, 1)
            print(f"end to end, {workers} worker{'s' if workers > 1 else ' '}      {through:>9.1f} articles/s  "
                  f"(tagging stage alone {tagging:.1f}/s)", flush=True)  # fmt: skip
        rate = results["e2e_articles_per_s_1w"] / 2
        fresh = stories(int(rate * args.latency_seconds) + 10, datetime.now(UTC), seed=99)
        delays = latency(broker.url, workdir, rate, args.latency_seconds, fresh)
    quantiles = statistics.quantiles(delays, n=100)
    results.update(
        e2e_p50_s=round(quantiles[49], 4), e2e_p95_s=round(quantiles[94], 4), e2e_p99_s=round(quantiles[98], 4)
    )
    results["e2e_vs_tag"] = round(results["e2e_articles_per_s_1w"] / results["offline_tag_articles_per_s"], 2)
    results["e2e_worker_cpu_vs_tag"] = round(
        results["e2e_worker_cpu_ms_per_article"] / results["offline_tag_cpu_ms_per_article"], 2
    )
    print(
        f"one worker's CPU per article {results['e2e_worker_cpu_ms_per_article']:.3f} ms = "
        f"{results['e2e_worker_cpu_vs_tag']}x offline tagging; records per article: "
        f"{results['consumed_records_per_article']} consumed, {results['produced_records_per_article']} produced"
    )
    results["e2e_2w_vs_1w"] = round(results["e2e_articles_per_s_2w"] / results["e2e_articles_per_s_1w"], 2)
    results["e2e_machine"] = {"cpus": os.cpu_count(), "articles": len(items), "latency_rate": round(rate, 1),
                              "latency_samples": len(delays)}  # fmt: skip
    print(f"latency at {rate:.0f}/s        p50 {results['e2e_p50_s']:.3f} s  p95 {results['e2e_p95_s']:.3f} s  "
          f"p99 {results['e2e_p99_s']:.3f} s")  # fmt: skip
    print(f"streaming cost: 1 worker = {results['e2e_vs_tag']:.0%} of offline tag; 2 workers = "
          f"{results['e2e_2w_vs_1w']:.2f}× one")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
