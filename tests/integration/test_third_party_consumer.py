"""A client we did not choose (confluent-kafka, librdkafka) reads every topic the worker writes, by assigned partitions
and in a consumer group with the settings docs/operations.md recommends; every value validates against its schema."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest
from jsonschema import Draft202012Validator

from tests.integration.conftest import feed
from tests.integration.harness import ROOT, Pipeline

confluent_kafka = pytest.importorskip("confluent_kafka")

SCHEMAS = {  # topic (without the prefix) -> the schema of its values
    "mentions": "mentions.v1.json",
    "dyads": "dyad.v2.json",
    "dyads.windows": "window.v1.json",
    "alerts": "alert.v1.json",
    "articles.dlq": "dead-letter.v1.json",
}
# What docs/operations.md ("Consuming the topics") recommends for a consumer group on the embedded broker.
GROUP_SETTINGS = {"session.timeout.ms": 6000, "heartbeat.interval.ms": 1000, "auto.offset.reset": "earliest"}


def validators() -> dict[str, Draft202012Validator]:
    found = {}
    for topic, name in SCHEMAS.items():
        schema = json.loads((ROOT / "schemas" / name).read_text())
        found[topic] = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return found


Record = tuple[str, bytes | None, bytes]  # topic, key, value


def read(consumer, finished, timeout: float = 120) -> list[Record]:
    """Poll until `finished(records, positions)`; positions: (topic, partition) -> next offset."""
    records: list[Record] = []
    positions: dict[tuple[str, int], int] = {}
    deadline = time.monotonic() + timeout  # a guard against hangs, not a measurement
    while not finished(records, positions):
        assert time.monotonic() < deadline, f"timed out after reading {len(records)} records"
        message = consumer.poll(0.5)
        if message is None:
            continue
        assert message.error() is None, message.error()
        records.append((message.topic(), message.key(), message.value()))
        positions[(message.topic(), message.partition())] = message.offset() + 1
    return records


def read_assigned(bootstrap: str, topics: list[str]) -> list[Record]:
    """Every record of `topics` up to their current ends, by assigning all partitions (no group)."""
    consumer = confluent_kafka.Consumer({"bootstrap.servers": bootstrap, "group.id": "unused",
                                         "enable.auto.commit": False})  # fmt: skip
    try:
        ends, assignment = {}, []
        for topic in topics:
            for partition in consumer.list_topics(topic, timeout=10).topics[topic].partitions:
                low, high = consumer.get_watermark_offsets(confluent_kafka.TopicPartition(topic, partition), 10)
                if high > low:
                    ends[(topic, partition)] = high
                    start = confluent_kafka.OFFSET_BEGINNING
                    assignment.append(confluent_kafka.TopicPartition(topic, partition, start))
        consumer.assign(assignment)
        return read(consumer, lambda _, positions: all(positions.get(tp, 0) >= end for tp, end in ends.items()))
    finally:
        consumer.close()


def read_as_group(bootstrap: str, topics: list[str], expected: Counter) -> Counter:
    """Subscribe as a new consumer group with the recommended settings; read until `expected` has all been seen."""
    consumer = confluent_kafka.Consumer({"bootstrap.servers": bootstrap, "group.id": "t-confluent-readers",
                                         **GROUP_SETTINGS})  # fmt: skip
    seen: Counter = Counter()

    def finished(records: list[Record], _) -> bool:
        while len(records) > seen.total():
            seen[records[seen.total()]] += 1
        return all(seen[item] >= count for item, count in expected.items())

    try:
        consumer.subscribe(topics)
        read(consumer, finished)
        return seen
    finally:
        consumer.close()


def test_confluent_kafka_reads_every_output_topic_and_values_match_their_schemas(broker: str, tmp_path: Path) -> None:
    pipeline = Pipeline(broker, "confluent", tmp_path)
    bootstrap = pipeline.settings.bootstrap
    bad = [(None, b"{not json", None), (None, orjson.dumps({"id": "fr", "body": "Le gouvernement a annoncé mardi "
           "une nouvelle série de mesures.", "published_at": "2026-11-02T10:00:00Z"}), None)]  # fmt: skip
    records = feed(360, days=12, seed=7) + bad  # the sample feed's planted turn raises an alert
    try:
        worker = pipeline.start_worker()
        pipeline.wait_ready(worker)
        pipeline.produce(records)
        pipeline.wait_settled(len(records))
        topics = [pipeline.settings.topic(name) for name in SCHEMAS]
        assigned = read_assigned(bootstrap, topics)
    finally:
        pipeline.stop()

    by_topic = Counter(topic for topic, _, _ in assigned)
    assert all(by_topic[topic] > 0 for topic in topics), by_topic
    check = validators()
    prefix = len(pipeline.settings.topic_prefix) + 1
    for topic, _, value in assigned:
        check[topic[prefix:]].validate(orjson.loads(value))
    mentions = {key for topic, key, _ in assigned if topic == pipeline.settings.topic("mentions")}
    assert len(mentions) == len(records) - len(bad)  # keyed by article id, one record per article
    assert by_topic[pipeline.settings.topic("articles.dlq")] == len(bad)
    assert read_as_group(bootstrap, topics, Counter(assigned)) == Counter(assigned)
