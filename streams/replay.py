"""`dyadwatch replay`: reprocess retained input into a fresh set of output topics, side by side with the live ones.

The input records from a point in time are copied, with their keys, partitions and timestamps, to
`<to-prefix>.articles`; a worker of its own (consumer group `<app-id>-replay-<to-prefix>`) then runs the current
code, data files, territory policy and live gazetteer updates over them, and stops once everything is processed.
Every output record carries the versions that produced it, so old and new output can be compared key by key.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import replace
from datetime import datetime

from kafka import KafkaConsumer, TopicPartition
from rich.console import Console

from dyadwatch.streams.broker import free_port
from dyadwatch.streams.kafka_io import TopicCounter, connect, ensure_topics, producer
from dyadwatch.streams.settings import ENV_PREFIX, Settings
from dyadwatch.streams.workers import start_worker, stop_worker, wait_ready


class ReplayError(RuntimeError):
    pass


def parse_since(text: str) -> float:
    """Epoch seconds from an ISO 8601 time ("2026-11-01T00:00:00Z") or a number of epoch seconds."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))  # a zone is required here: no parse_instant
    except ValueError:
        raise ReplayError(f"--from must be an ISO 8601 time or epoch seconds, got {text!r}") from None
    if moment.tzinfo is None:
        raise ReplayError(f"--from needs a time zone (e.g. {text}Z)")
    return moment.timestamp()


def target_settings(source: Settings, prefix: str) -> Settings:
    if prefix == source.topic_prefix:
        raise ReplayError("--to-prefix must differ from the live topic prefix")
    return replace(
        source,
        topic_prefix=prefix,
        app_id=f"{source.app_id}-replay-{prefix}",
        gazetteer_topic=source.gazetteer_topic or source.topic("gazetteer"),
        workdir=(source.workdir / f"replay-{prefix}").resolve(),
    )


def copy_input(source: Settings, target: Settings, since: float) -> int:
    """Copy the source's input records with timestamp >= since to the target's input topic; return how many."""
    topic = source.topic("articles")
    reader: KafkaConsumer = connect(source, KafkaConsumer, group_id=None, enable_auto_commit=False,
                                    fetch_max_wait_ms=100)  # fmt: skip
    writer = producer(target)
    copied = 0
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(reader.partitions_for_topic(topic) or [])]
        if not partitions:
            raise ReplayError(f"topic {topic} does not exist on {source.bootstrap}")
        reader.assign(partitions)
        ends = reader.end_offsets(partitions)
        starts = reader.offsets_for_times({tp: int(since * 1000) for tp in partitions})
        for tp in partitions:
            found = starts.get(tp)
            reader.seek(tp, found.offset if found is not None else ends[tp])
        target_topic = target.topic("articles")
        while any(reader.position(tp) < ends[tp] for tp in partitions):
            # Every record polled is copied, even past the end offset read at the start: the embedded broker
            # reports the last batch's base offset + 1 as the end, so a cut there would drop most of that batch.
            for tp, batch in reader.poll(timeout_ms=500).items():
                for record in batch:
                    writer.send(target_topic, key=record.key, value=record.value, partition=tp.partition,
                                timestamp_ms=record.timestamp)  # fmt: skip
                    copied += 1
        writer.flush()
    finally:
        reader.close()
        writer.close()
    return copied


def environment(settings: Settings) -> dict[str, str]:
    """DYADWATCH_* variables that give a worker process these settings (secrets stay in the inherited env)."""
    env = dict(os.environ)
    env.update({
        ENV_PREFIX + "BROKER": settings.broker,
        ENV_PREFIX + "TOPIC_PREFIX": settings.topic_prefix,
        ENV_PREFIX + "APP_ID": settings.app_id,
        ENV_PREFIX + "PARTITIONS": str(settings.partitions),
        ENV_PREFIX + "GAZETTEER_TOPIC": settings.gazetteer_topic,
        ENV_PREFIX + "TERRITORY_POLICY": settings.territory_policy,
    })  # fmt: skip
    return env


def replay(source: Settings, prefix: str, since: float, timeout: float = 1800, console: Console | None = None) -> dict:
    """Run the replay; return a summary (records copied, processed, where the outputs are)."""
    console = console or Console(stderr=True)
    target = target_settings(source, prefix)
    if _holds_records(target):
        raise ReplayError(f"topics with prefix {prefix!r} already hold data; replay into a new prefix")
    ensure_topics(target)
    copied = copy_input(source, target, since)
    console.print(f"copied {copied} input records to {target.topic('articles')}")
    if copied == 0:
        return {"copied": 0, "prefix": prefix}
    target.workdir.mkdir(parents=True, exist_ok=True)
    log = target.workdir / "worker.log"
    worker = start_worker(environment(target), log, free_port(), target.workdir)
    try:
        wait_ready(worker, log, timeout=120)
        deadline = time.monotonic() + timeout
        # Input records that came out tagged or dead-lettered (one output record each; more after a redelivery).
        counters = [TopicCounter(target, name) for name in ("mentions", "articles.dlq", "dyads.windows")]
        tagged, dead, windows = counters
        with console.status("replaying") as status, contextlib.ExitStack() as closing:
            for counter in counters:
                closing.callback(counter.close)
            previous, unchanged = -1, 0
            while unchanged < 2:  # every record accounted for, then the window output quiet for two polls
                done = tagged.update() + dead.update()
                outputs = windows.update() if done >= copied else -1
                unchanged = unchanged + 1 if outputs == previous and outputs >= 0 else 0
                previous = outputs
                status.update(f"replaying: {done} of {copied} records processed (worker log: {log})")
                if time.monotonic() > deadline:
                    raise ReplayError(f"the replay did not finish within {timeout:.0f}s; see {log}")
                time.sleep(1.5)
    finally:
        stop_worker(worker)
    return {"copied": copied, "prefix": prefix, "worker_log": str(log)}


def _holds_records(settings: Settings) -> bool:
    """Whether the input topic exists and holds a record: its offsets, not its records, are read."""
    reader = connect(settings, KafkaConsumer)
    try:
        topic = settings.topic("articles")
        partitions = [TopicPartition(topic, p) for p in reader.partitions_for_topic(topic) or ()]
        if not partitions:
            return False
        starts, ends = reader.beginning_offsets(partitions), reader.end_offsets(partitions)
        return any(ends[tp] > starts[tp] for tp in partitions)
    finally:
        reader.close()
