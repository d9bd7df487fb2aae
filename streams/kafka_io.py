"""Plain Kafka clients (kafka-python) for the CLI: topic creation, producing and consuming."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaConnectionError, KafkaTimeoutError, TopicAlreadyExistsError

from streams.settings import Settings

# kafka-python 2.x raised NoBrokersAvailable; 3.x raises KafkaTimeoutError ("Unable to bootstrap").
_UNREACHABLE = (KafkaTimeoutError, KafkaConnectionError)

TOPICS = ("articles", "articles.dlq", "mentions", "dyads", "dyads.windows", "alerts")


class BrokerUnavailable(RuntimeError):
    pass


def client_options(settings: Settings) -> dict[str, Any]:
    """Connection and security options shared by every kafka-python client."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap.split(","),
        "security_protocol": settings.security_protocol,
        "request_timeout_ms": 15000,
    }
    if settings.sasl_mechanism:
        options.update(
            sasl_mechanism=settings.sasl_mechanism,
            sasl_plain_username=settings.sasl_username,
            sasl_plain_password=settings.sasl_password,
        )
    if settings.security_protocol in {"SSL", "SASL_SSL"}:
        options.update(
            ssl_cafile=settings.ssl_cafile,
            ssl_certfile=settings.ssl_certfile,
            ssl_keyfile=settings.ssl_keyfile,
            ssl_check_hostname=settings.ssl_check_hostname,
        )
    return options


@contextlib.contextmanager
def admin(settings: Settings) -> Iterator[KafkaAdminClient]:
    try:
        client = KafkaAdminClient(**client_options(settings))
    except _UNREACHABLE:
        raise BrokerUnavailable(f"no Kafka broker answered at {settings.bootstrap}") from None
    try:
        yield client
    finally:
        client.close()


def ensure_topics(settings: Settings, names: Iterable[str] = TOPICS) -> list[str]:
    """Create the pipeline's topics (prefixed) with the configured partition count; return the ones created."""
    created = []
    with admin(settings) as client:
        existing = set(client.list_topics())
        for name in names:
            topic = settings.topic(name)
            if topic in existing:
                continue
            with contextlib.suppress(TopicAlreadyExistsError):
                client.create_topics(
                    [
                        NewTopic(
                            topic, num_partitions=settings.partitions, replication_factor=settings.replication_factor
                        )
                    ]
                )
                created.append(topic)
    return created


def check_partitions(settings: Settings) -> None:
    """Window closing relies on the input and dyads topics having exactly `settings.partitions` partitions."""
    client = KafkaConsumer(**client_options(settings))
    try:
        for name in ("articles", "dyads"):
            found = client.partitions_for_topic(settings.topic(name)) or set()
            if len(found) != settings.partitions:
                raise ValueError(
                    f"topic {settings.topic(name)} has {len(found)} partitions but DYADWATCH_PARTITIONS is "
                    f"{settings.partitions}; set it to match (or use a new topic prefix)"
                )
    finally:
        client.close()


def producer(settings: Settings, **extra: Any) -> KafkaProducer:
    try:
        return KafkaProducer(**client_options(settings), linger_ms=5, acks=1, **extra)
    except _UNREACHABLE:
        raise BrokerUnavailable(f"no Kafka broker answered at {settings.bootstrap}") from None


def consumer(settings: Settings, topic: str, *, from_beginning: bool, idle_timeout: float) -> KafkaConsumer:
    try:
        return KafkaConsumer(
            topic,
            **client_options(settings),
            group_id=None,
            auto_offset_reset="earliest" if from_beginning else "latest",
            enable_auto_commit=False,
            consumer_timeout_ms=int(idle_timeout * 1000),
            fetch_max_wait_ms=100,
        )
    except _UNREACHABLE:
        raise BrokerUnavailable(f"no Kafka broker answered at {settings.bootstrap}") from None


def group_lag(settings: Settings, names: Iterable[str] = ("articles", "dyads")) -> int:
    """Records of `names` not yet committed by the worker group (0 when the pipeline has caught up)."""
    partitions = [TopicPartition(settings.topic(name), p) for name in names for p in range(settings.partitions)]
    with admin(settings) as client:
        committed = client.list_group_offsets({settings.app_id: partitions}).get(settings.app_id, {})
    reader = KafkaConsumer(**client_options(settings))
    try:
        ends = reader.end_offsets(partitions)
    finally:
        reader.close()
    total = 0
    for tp in partitions:
        done = committed.get(tp)
        offset = done.offset if done is not None and done.offset >= 0 else 0
        total += max(0, ends[tp] - offset)
    return total


def read_to_end(settings: Settings, name: str, timeout: float = 60.0) -> list:
    """Every record of a topic, from the beginning up to its end offsets at the time of the call."""
    topic = settings.topic(name)
    reader = KafkaConsumer(**client_options(settings), group_id=None, enable_auto_commit=False, fetch_max_wait_ms=100,
                           max_partition_fetch_bytes=8 * 1024 * 1024)  # fmt: skip
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(reader.partitions_for_topic(topic) or [])]
        reader.assign(partitions)
        reader.seek_to_beginning(*partitions)
        ends = reader.end_offsets(partitions)
        records = []
        deadline = time.monotonic() + timeout
        while any(reader.position(tp) < ends[tp] for tp in partitions):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {topic} to its end within {timeout:.0f}s")
            for batch in reader.poll(timeout_ms=200).values():
                records.extend(batch)
        return sorted(records, key=lambda r: (r.partition, r.offset))
    finally:
        reader.close()
