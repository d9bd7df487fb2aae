"""Soak: the pipeline at a steady load for a while; does memory stay flat, does lag stay put, is anything lost?

    make soak                                   # 10 minutes at half of one worker's measured rate
    .venv/bin/python bench/soak.py --minutes 3 --rate 40

The default rate is half load: half of `e2e_articles_per_s_1w` in bench/results.json (what the last `make bench` on
this machine measured for one worker), or 40 articles/s when there is none.

Articles have ever-new ids and an event time that advances --event-step seconds per article (default 10: at
40/s, over six hours of news a minute), so 1 h windows close every 9 s and 24 h windows every 3.6 minutes: a
pipeline with bounded state shows flat memory after warm-up. A larger step is a harsher test: every closed window
costs a final record, a baseline update and a shift check. Every 10 s it samples the worker's RSS (/proc), the
group's lag and the CPU share of the worker and of the embedded broker, and at the end checks articles in =
tagged + dead-lettered (from the worker's /metrics). Writes bench/soak.json and bench/soak.png.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))

from generate_feed import story  # noqa: E402

from dyadwatch.streams.broker import EmbeddedBroker, free_port  # noqa: E402
from dyadwatch.streams.kafka_io import ensure_topics, group_lag, producer, read_to_end  # noqa: E402
from dyadwatch.streams.settings import Settings  # noqa: E402
from dyadwatch.streams.workers import start_worker, stop_worker, wait_ready  # noqa: E402


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def counters(port: int) -> dict[str, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    found: dict[str, float] = {"received": 0.0, "tagged": 0.0, "dead": 0.0}
    for line in text.splitlines():
        if line.startswith("dyadwatch_articles_received_total "):
            found["received"] = float(line.split()[-1])
        elif line.startswith("dyadwatch_articles_tagged_total "):
            found["tagged"] = float(line.split()[-1])
        elif line.startswith("dyadwatch_articles_dead_lettered_total{"):
            found["dead"] += float(line.split()[-1])
    return found


def feed(settings: Settings, rate: float, step: float, stop: threading.Event, sent: list[int]) -> None:
    import random

    rng = random.Random(5)
    client = producer(settings)
    topic = settings.topic("articles")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    began = time.monotonic()
    index = 0
    while not stop.is_set():
        published = start + timedelta(seconds=index * step)
        item = story(rng, index, 0, published, long=True)
        item["id"] = f"soak-{index:09d}"
        item["published_at"] = published.isoformat().replace("+00:00", "Z")
        stamp = int(published.timestamp() * 1000)
        client.send(topic, key=item["id"].encode(), value=orjson.dumps(item), timestamp_ms=stamp)
        index += 1
        sent[0] = index
        delay = began + index / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    client.flush()
    client.close()


def missing_ids(settings: Settings, sent: int) -> list[str]:
    """The ids of the articles sent that are neither on the mentions topic nor on the dead-letter topic."""
    out = {record.key.decode() for record in read_to_end(settings, "mentions", timeout=600) if record.key}
    for record in read_to_end(settings, "articles.dlq", timeout=600):
        letter = orjson.loads(record.value)
        if letter.get("article_id"):
            out.add(letter["article_id"])
        elif letter.get("key_b64"):
            out.add(base64.b64decode(letter["key_b64"]).decode("utf-8", "replace"))
    return [f"soak-{index:09d}" for index in range(sent) if f"soak-{index:09d}" not in out]


def plot(samples: list[dict], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    minutes = [s["t"] / 60 for s in samples]
    figure, (rss_axis, cpu_axis) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    rss_axis.plot(minutes, [s["rss_mb"] for s in samples], color="tab:blue", label="worker RSS (MB)")
    rss_axis.set_ylabel("RSS (MB)", color="tab:blue")
    lag_axis = rss_axis.twinx()
    lag_axis.plot(minutes, [s["lag"] for s in samples], color="tab:red", label="consumer lag (records)")
    lag_axis.set_ylabel("lag (records)", color="tab:red")
    rss_axis.set_title("dyadwatch soak: worker memory, lag and CPU")
    for name, colour in (("worker", "tab:green"), ("broker", "tab:purple")):
        if samples and f"{name}_cpu" in samples[0]:
            cpu_axis.plot(minutes, [s[f"{name}_cpu"] for s in samples], color=colour, label=f"{name} CPU (%)")
    cpu_axis.set_ylabel("CPU (% of one core)")
    cpu_axis.set_xlabel("minutes")
    cpu_axis.legend(loc="upper left")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    return True


def half_load(results: Path, fallback: float = 40.0) -> tuple[float, str]:
    """Half of the last measured one-worker rate, and where the figure came from."""
    try:
        measured = float(json.loads(results.read_text())["e2e"]["e2e_articles_per_s_1w"])
    except (OSError, ValueError, KeyError, TypeError):
        return fallback, f"the default (no one-worker rate in {results.name}: run make bench for half load)"
    return round(measured / 2, 1), f"half of the {measured:g}/s one worker took in the last make bench"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, help="articles/s (default: half load, see above)")
    parser.add_argument("--event-step", type=float, default=10.0, help="event-time seconds between articles")
    parser.add_argument("--sample-seconds", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench")
    parser.add_argument("--broker", help="an existing Kafka cluster (host:port,...) instead of the embedded broker; "
                        "security settings come from the DYADWATCH_* environment")  # fmt: skip
    args = parser.parse_args()
    if args.rate is None:
        args.rate, basis = half_load(ROOT / "bench" / "results.json")
        print(f"soak: rate {args.rate:g} articles/s, {basis}", flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="dyadwatch-soak-"))
    with contextlib.ExitStack() as stack:
        broker = None if args.broker else stack.enter_context(EmbeddedBroker(log=workdir / "broker.log"))
        url = args.broker or broker.url  # type: ignore[union-attr]
        settings = Settings.from_env(None, broker=url, app_id="dyadwatch-soak", topic_prefix="soak")
        ensure_topics(settings)
        port = free_port()
        env = {**os.environ, "DYADWATCH_BROKER": url, "DYADWATCH_APP_ID": settings.app_id,
               "DYADWATCH_TOPIC_PREFIX": settings.topic_prefix}  # fmt: skip
        log = workdir / "worker.log"
        worker = start_worker(env, log, port, workdir / "w")
        stack.callback(stop_worker, worker, 30)
        wait_ready(worker, log)
        stop, sent = threading.Event(), [0]
        load = (settings, args.rate, args.event_step, stop, sent)
        producer_thread = threading.Thread(target=feed, args=load, daemon=True)
        producer_thread.start()
        samples = []
        started = time.monotonic()
        cpu_before = {"worker": cpu_seconds(worker.pid)}
        if broker is not None and broker.process is not None:
            cpu_before["broker"] = cpu_seconds(broker.process.pid)
        where = "the embedded broker" if broker is not None else url
        print(f"soak: {args.minutes:g} min at {args.rate:g} articles/s on {where}; worker pid {worker.pid}", flush=True)
        while time.monotonic() - started < args.minutes * 60:
            time.sleep(args.sample_seconds)
            sample = {"t": round(time.monotonic() - started, 1), "rss_mb": round(rss_bytes(worker.pid) / 2**20, 1),
                      "lag": group_lag(settings), "sent": sent[0]}  # fmt: skip
            # CPU share (% of one core) of the worker and of the embedded broker over the last interval
            for name, before in cpu_before.items():
                pid = worker.pid if name == "worker" else broker.process.pid  # type: ignore[union-attr]
                now = cpu_seconds(pid)
                sample[f"{name}_cpu"] = round((now - before) / args.sample_seconds * 100)
                cpu_before[name] = now
            samples.append(sample)
            shares = "  ".join(f"{name} cpu={sample[f'{name}_cpu']:>3}%" for name in cpu_before)
            print(f"  t={sample['t']:>6.0f}s  rss={sample['rss_mb']:>7.1f} MB  lag={sample['lag']:>6}  "
                  f"sent={sample['sent']}  {shares}", flush=True)  # fmt: skip
        stop.set()
        producer_thread.join()
        catch_up = time.monotonic() + 300
        while group_lag(settings) > 0 and time.monotonic() < catch_up:
            time.sleep(1)
        time.sleep(3)
        final = counters(port)
        missing = missing_ids(settings, sent[0])

    warm = [s for s in samples if s["t"] >= 120] or samples
    growth = (warm[-1]["rss_mb"] - warm[0]["rss_mb"]) / warm[0]["rss_mb"] if warm and warm[0]["rss_mb"] else 0.0
    half = len(samples) // 2
    lag_first = max((s["lag"] for s in samples[:half]), default=0)
    lag_second = max((s["lag"] for s in samples[half:]), default=0)
    result = {
        "minutes": args.minutes,
        "rate": args.rate,
        "event_step_s": args.event_step,
        "articles_sent": sent[0],
        "articles_received": final["received"],
        "articles_tagged": final["tagged"],
        "articles_dead_lettered": final["dead"],
        "lost": len(missing),  # distinct article ids on neither output topic (a redelivery counts once)
        "lost_examples": missing[:5],
        "counters_in_minus_out": sent[0] - int(final["tagged"] + final["dead"]),
        "rss_growth_after_2min": round(growth, 4),
        "lag_max_first_half": lag_first,
        "lag_max_second_half": lag_second,
        "samples": samples,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "soak.json").write_text(json.dumps(result, indent=2) + "\n")
    drawn = plot(samples, args.out / "soak.png")
    print(f"sent {sent[0]}, tagged {final['tagged']:.0f}, dead-lettered {final['dead']:.0f}, lost {result['lost']}; "
          f"RSS growth after 2 min {growth:+.1%}; max lag {lag_first} then {lag_second}")  # fmt: skip
    print(f"written {args.out / 'soak.json'}{' and soak.png' if drawn else ' (no matplotlib: no plot)'}")
    return 0 if result["lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
