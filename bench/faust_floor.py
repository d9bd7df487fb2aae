"""What consuming a record costs in a Faust agent, against aiokafka's own batch API, on the embedded broker.

    make bench                      # runs this after bench_e2e.py
    .venv/bin/python bench/faust_floor.py [--records 60000]

N records of 600 bytes are pre-loaded into an 8-partition topic; then, each in its own process,
- aiokafka's `getmany` reads them in batches,
- a Faust agent that does nothing but `async for event in stream.events()` reads them, with the worker's own
  consumer settings (fetch wait, session timeouts, the inline hand-over of streams/faust_internals.py).
Both report records/s and the process CPU time per record, from the first record to the last.

An article costs a worker one consumed record for itself, and its share of the dyads records its batch makes (one
per partition its pairs hash to; at full speed a batch holds BATCH_ARTICLES articles), which the worker also
writes, with the article's mentions record. The bench tags its stories offline to count the partitions a full
batch touches and to time tagging, and times aiokafka's producer (`send` per record, as the worker's outbox calls
it); then it prints the rate one worker could not exceed if consuming, tagging and producing an article's own
records were all it did: window updates, table changelogs, timers and the broker's share of the cores come on top;
and that ceiling as a share of the offline tagging rate. Merges faust_us_per_record, faust_vs_aiokafka_per_record,
aiokafka_us_per_record, aiokafka_send_us_per_record, consumed_records_per_article, worker_ceiling_articles_per_s and
worker_ceiling_vs_tag into bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent

TOPIC = "floor.in"
TOPIC_OUT = "floor.out"
PARTITIONS = 8


def child_aiokafka(broker: str, count: int, out: Path) -> None:
    import asyncio

    from aiokafka import AIOKafkaConsumer

    async def read() -> None:
        consumer = AIOKafkaConsumer(TOPIC, bootstrap_servers=broker, group_id="floor-aiokafka",
                                    auto_offset_reset="earliest", session_timeout_ms=6000,
                                    heartbeat_interval_ms=1000, fetch_max_wait_ms=100)  # fmt: skip
        await consumer.start()
        seen, unclocked, started, cpu = 0, 0, 0.0, 0.0
        try:
            while seen < count:
                for batch in (await consumer.getmany(timeout_ms=1000, max_records=10_000)).values():
                    if not seen:  # the clocks start once records flow; the batch that started them is not counted
                        started, cpu, unclocked = time.perf_counter(), time.process_time(), len(batch)
                    seen += len(batch)
            report(out, seen - unclocked, started, cpu)
        finally:
            await consumer.stop()

    asyncio.run(read())


def child_produce(broker: str, count: int, out: Path) -> None:
    """aiokafka's producer as the worker's outbox uses it: `send` per record, keyed, lingering, then one flush."""
    import asyncio

    from aiokafka import AIOKafkaProducer

    from dyadwatch.streams.settings import Settings

    async def write() -> None:
        settings = Settings.from_env({}, broker=broker)
        producer = AIOKafkaProducer(bootstrap_servers=broker, linger_ms=int(settings.producer_linger * 1000))
        await producer.start()
        value = b"x" * 600
        try:
            started, cpu = time.perf_counter(), time.process_time()
            for index in range(count):
                await producer.send(TOPIC_OUT, value, key=str(index).encode())
            await producer.flush()
            report(out, count, started, cpu)
        finally:
            await producer.stop()

    asyncio.run(write())


def child_faust(broker: str, count: int, out: Path) -> None:
    import faust

    from dyadwatch.streams.faust_internals import install_fast_delivery, tune_fetch_wait
    from dyadwatch.streams.settings import Settings

    settings = Settings.from_env({}, broker=broker)
    tune_fetch_wait(settings.fetch_max_wait_ms)
    install_fast_delivery()
    app = faust.App("floor-faust", broker=settings.faust_broker, store="memory://", web_enabled=False,
                    broker_session_timeout=settings.session_timeout,
                    broker_heartbeat_interval=settings.heartbeat_interval,
                    broker_rebalance_timeout=settings.rebalance_timeout, consumer_auto_offset_reset="earliest",
                    topic_partitions=PARTITIONS, datadir=str(out.parent / "faust-data"))  # fmt: skip
    records = app.topic(TOPIC, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
    progress = {"seen": 0, "started": 0.0, "cpu": 0.0}

    @app.agent(records)
    async def read(stream: faust.StreamT) -> None:
        async for _event in stream.events():
            if not progress["seen"]:
                progress["started"], progress["cpu"] = time.perf_counter(), time.process_time()
            progress["seen"] += 1
            if progress["seen"] == count:
                report(out, count - 1, progress["started"], progress["cpu"])  # as above: the first is not counted
                os._exit(0)  # measured; no need to wait for a clean shutdown

    sys.argv = [sys.argv[0], "worker", "--loglevel", "warn"]
    app.main()


def report(out: Path, seen: int, started: float, cpu: float) -> None:
    elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    out.write_text(json.dumps({"per_s": seen / elapsed, "cpu_us": used / seen * 1e6}))


def run_child(kind: str, broker: str, count: int, workdir: Path) -> dict:
    out = workdir / f"{kind}.json"
    log = workdir / f"{kind}.log"
    command = [sys.executable, "-P", str(Path(__file__).resolve()), "--child", kind, "--broker", broker,
               "--records", str(count), "--child-out", str(out)]  # fmt: skip
    with log.open("wb") as sink:
        subprocess.run(command, cwd=workdir, stdout=sink, stderr=subprocess.STDOUT, timeout=600, check=False)
    if not out.exists():
        raise RuntimeError(f"the {kind} reader did not finish; see {log}:\n{log.read_text(errors='replace')[-2000:]}")
    return json.loads(out.read_text())


def preload(broker: str, count: int) -> None:
    from kafka.admin import NewTopic

    from dyadwatch.streams.kafka_io import admin, producer
    from dyadwatch.streams.settings import Settings

    settings = Settings.from_env({}, broker=broker)
    with admin(settings) as client:
        client.create_topics([NewTopic(TOPIC, PARTITIONS, 1), NewTopic(TOPIC_OUT, PARTITIONS, 1)])
    writer = producer(settings, batch_size=256 * 1024)
    value = b"x" * 600
    for index in range(count):
        writer.send(TOPIC, key=str(index).encode(), value=value)
    writer.flush()
    writer.close()


def article_costs(count: int = 1000) -> tuple[float, float]:
    """(consumed records per article at full speed, offline tagging seconds per article: the best of three passes),
    over bench_e2e's stories, timed as bench_e2e times them."""
    from bench_e2e import offline_tag_rate, stories  # bench/ is on the path when a bench script runs

    from dyadwatch.processors.analysis import default_analyzer
    from dyadwatch.processors.article import decode_article
    from dyadwatch.streams.dyad_records import partition_of
    from dyadwatch.streams.tagging import BATCH_ARTICLES

    analyzer = default_analyzer()
    items = stories(count, datetime(2026, 11, 1, tzinfo=UTC))
    touched: list[set[int]] = []  # per full batch, the dyads partitions its scores go to
    for index, item in enumerate(items):
        if index % BATCH_ARTICLES == 0:
            touched.append(set())
        dyads = analyzer.analyze(decode_article(orjson.dumps(item)))["dyads"]
        touched[-1].update(partition_of(dyad["pair"], PARTITIONS) for dyad in dyads if dyad["sentences"])
    batch_records = sum(len(partitions) for partitions in touched) / len(items)
    return 1 + batch_records, 1 / max(offline_tag_rate(items)[0] for _ in range(3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=60_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "parts" / "faust_floor.json")
    parser.add_argument("--child", choices=("aiokafka", "faust", "produce"), help=argparse.SUPPRESS)
    parser.add_argument("--broker", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        children = {"aiokafka": child_aiokafka, "faust": child_faust, "produce": child_produce}
        children[args.child](args.broker, args.records, args.child_out)
        return

    from dyadwatch.streams.broker import EmbeddedBroker

    records_per_article, tag_s = article_costs()
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker() as broker:
        preload(broker.url, args.records)
        plain = run_child("aiokafka", broker.url, args.records, Path(tmp))
        agent = run_child("faust", broker.url, args.records, Path(tmp))
        sends = run_child("produce", broker.url, args.records, Path(tmp))
    # An article's own records out: its mentions record and its share of the batches (window updates and changelog
    # left out).
    produced_per_article = records_per_article
    ceiling = 1 / (tag_s + records_per_article * agent["cpu_us"] / 1e6 + produced_per_article * sends["cpu_us"] / 1e6)
    print(f"consuming {args.records:,} records of 600 bytes from {PARTITIONS} partitions of the embedded broker")
    print(f"  aiokafka getmany           {plain['per_s']:>9,.0f} records/s  {plain['cpu_us']:6.1f} µs CPU per record")
    print(f"  Faust agent, no work       {agent['per_s']:>9,.0f} records/s  {agent['cpu_us']:6.1f} µs CPU per record "
          f"({agent['cpu_us'] / plain['cpu_us']:.0f}× getmany)")  # fmt: skip
    print(f"producing them with aiokafka {sends['per_s']:>7,.0f} records/s  {sends['cpu_us']:6.1f} µs CPU per record")
    print(f"an article: {records_per_article:.2f} records consumed (itself and its share of the dyads batches) and at "
          f"least {produced_per_article:.2f} produced (mentions and batches), {tag_s * 1000:.2f} ms of tagging "
          "(offline, best of 3 passes)")  # fmt: skip
    print(f"one worker's ceiling, before window updates, changelogs and timers: {ceiling:,.0f} articles/s, "
          f"{ceiling * tag_s:.0%} of offline tagging")  # fmt: skip
    results: dict = {}
    results.update(
        faust_us_per_record=round(agent["cpu_us"], 1),
        faust_vs_aiokafka_per_record=round(agent["cpu_us"] / plain["cpu_us"], 1),
        aiokafka_us_per_record=round(plain["cpu_us"], 1),
        aiokafka_send_us_per_record=round(sends["cpu_us"], 1),
        consumed_records_per_article=round(records_per_article, 2),
        worker_ceiling_articles_per_s=round(ceiling, 1),
        worker_ceiling_vs_tag=round(ceiling * tag_s, 2),
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
