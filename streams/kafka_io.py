"""Plain Kafka clients (kafka-python) for the CLI: topic creation, producing and consuming."""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaConnectionError, KafkaTimeoutError, TopicAlreadyExistsError

from dyadwatch.streams.security import client_options as security_options
from dyadwatch.streams.settings import Settings

T = TypeVar("T")

TOPICS = ("articles", "articles.dlq", "mentions", "dyads", "dyads.windows", "alerts", "gazetteer")
# Topics that are not partitioned like the pipeline: every worker reads all of the gazetteer topic.
SINGLE_PARTITION = {"gazetteer": {"cleanup.policy": "compact"}}


class BrokerUnavailable(RuntimeError):
    """The broker could not be reached or refused us; the message says why and what to check."""


def client_options(settings: Settings) -> dict[str, Any]:
    """Connection and security options shared by every kafka-python client."""
    return {
        "bootstrap_servers": settings.bootstrap.split(","),
        "request_timeout_ms": 15000,
        "bootstrap_timeout_ms": int(settings.connect_timeout * 1000),
        **security_options(settings),
    }


class _Capture(logging.Handler):
    """kafka-python retries a failed bootstrap until its timeout and only logs why; keep those lines."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def explain(settings: Settings, lines: list[str]) -> str:
    """One clear sentence for a failed connection, from what kafka-python logged while it retried."""
    where = settings.bootstrap
    text = "\n".join(lines)
    if "SaslAuthenticationFailed" in text:
        return (
            f"the broker at {where} refused SASL {settings.sasl_mechanism} authentication as user "
            f"{settings.sasl_username!r}: check DYADWATCH_SASL_USERNAME and the password"
        )
    if "UnsupportedSaslMechanism" in text:
        return f"the broker at {where} does not offer SASL mechanism {settings.sasl_mechanism}"
    verify = re.search(r"certificate verify failed: ([^(]+)", text)
    if verify:
        trusted = f"the CA file {settings.ssl_cafile}" if settings.ssl_cafile else "the system's CA certificates"
        return (
            f"TLS: the certificate presented by {where} is not trusted by {trusted} ({verify.group(1).strip()}); "
            "set DYADWATCH_SSL_CAFILE to the CA that signed it"
        )
    if "Handshake failed" in text or "WRONG_VERSION_NUMBER" in text:
        return f"TLS handshake with {where} failed; does its listener speak TLS? ({_last(lines, 'Handshake')})"
    if "Connection refused" in text or "ECONNREFUSED" in text or "Errno 111" in text:
        return f"no Kafka broker answered at {where} (connection refused); check DYADWATCH_BROKER"
    if "disconnected" in text and settings.security_protocol == "PLAINTEXT":
        return (
            f"{where} accepted the connection but hung up on a plaintext Kafka request; if its listener needs TLS "
            "or SASL, set DYADWATCH_SECURITY_PROTOCOL (SSL, SASL_SSL ...)"
        )
    if "disconnected" in text and settings.security_protocol == "SSL":
        return f"{where} hung up after the TLS handshake; if it needs SASL, use DYADWATCH_SECURITY_PROTOCOL=SASL_SSL"
    if "disconnected" in text:  # SASL: some brokers hang up on bad credentials before the client reads why
        return (
            f"{where} hung up during {settings.security_protocol} {settings.sasl_mechanism} authentication; "
            "check DYADWATCH_SASL_USERNAME, the password and DYADWATCH_SASL_MECHANISM"
        )
    return (
        f"no Kafka broker answered at {where} within {settings.connect_timeout:g}s "
        f"(DYADWATCH_CONNECT_TIMEOUT); check DYADWATCH_BROKER and DYADWATCH_SECURITY_PROTOCOL"
    )


def _last(lines: list[str], needle: str) -> str:
    return next((line.split(": ", 1)[-1] for line in reversed(lines) if needle in line), "")


def connect(settings: Settings, factory: Callable[..., T], *args: Any, **options: Any) -> T:
    """factory(*args, **client_options, **options), turning a failed bootstrap into BrokerUnavailable(reason)."""
    capture = _Capture()
    logger = logging.getLogger("kafka")
    propagate = logger.propagate
    logger.addHandler(capture)
    logger.propagate = False  # the retries are summarised in one message below, not printed one by one
    try:
        return factory(*args, **client_options(settings), **options)
    except _UNREACHABLE:
        raise BrokerUnavailable(explain(settings, capture.lines)) from None
    finally:
        logger.removeHandler(capture)
        logger.propagate = propagate


# kafka-python 3.x raises KafkaTimeoutError ("Unable to bootstrap") when no broker could be used.
_UNREACHABLE = (KafkaTimeoutError, KafkaConnectionError)


@contextlib.contextmanager
def admin(settings: Settings) -> Iterator[KafkaAdminClient]:
    client = connect(settings, KafkaAdminClient)
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
                single = name in SINGLE_PARTITION
                client.create_topics(
                    [
                        NewTopic(
                            topic,
                            num_partitions=1 if single else settings.partitions,
                            replication_factor=settings.replication_factor,
                            topic_configs=SINGLE_PARTITION.get(name, {}),
                        )
                    ]
                )
                created.append(topic)
    return created


def check_partitions(settings: Settings) -> None:
    """Window closing relies on the input and dyads topics having exactly `settings.partitions` partitions."""
    client = connect(settings, KafkaConsumer)
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
    options = {"linger_ms": 5, "acks": 1, "max_request_size": settings.max_record_bytes, **extra}
    return connect(settings, KafkaProducer, **options)


def existing_topics(settings: Settings) -> set[str]:
    with admin(settings) as client:
        return set(client.list_topics())


def resolve_topic(name: str, settings: Settings, existing: set[str]) -> str | None:
    """The topic a user means by `name`: itself when it exists (a replay's `review-1.mentions`), else the
    pipeline's prefixed topic when that exists (`mentions` -> `dyadwatch.mentions`); None when neither does."""
    for candidate in (name, settings.topic(name)):
        if candidate in existing:
            return candidate
    return None


def consumer(settings: Settings, topic: str, *, from_beginning: bool, idle_timeout: float) -> KafkaConsumer:
    """A group-less reader of an existing topic; it never creates one."""
    return connect(
        settings,
        KafkaConsumer,
        topic,
        allow_auto_create_topics=False,
        group_id=None,
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=False,
        consumer_timeout_ms=int(idle_timeout * 1000),
        fetch_max_wait_ms=100,
    )


def group_lag(settings: Settings, names: Iterable[str] = ("articles", "dyads")) -> int:
    """Records of `names` not yet committed by the worker group (0 when the pipeline has caught up)."""
    partitions = [TopicPartition(settings.topic(name), p) for name in names for p in range(settings.partitions)]
    with admin(settings) as client:
        committed = client.list_group_offsets({settings.app_id: partitions}).get(settings.app_id, {})
    reader = connect(settings, KafkaConsumer)
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


def _reader_from_start(settings: Settings, topic: str) -> tuple[KafkaConsumer, list[TopicPartition]]:
    """A group-less reader assigned every partition of `topic`, at the beginning."""
    reader = connect(settings, KafkaConsumer, group_id=None, enable_auto_commit=False, fetch_max_wait_ms=100,
                     max_partition_fetch_bytes=8 * 1024 * 1024)  # fmt: skip
    partitions = [TopicPartition(topic, p) for p in sorted(reader.partitions_for_topic(topic) or [])]
    reader.assign(partitions)
    reader.seek_to_beginning(*partitions)
    return reader, partitions


def read_to_end(settings: Settings, name: str, timeout: float = 60.0, full_name: bool = False) -> list:
    """Every record of a topic, from the beginning up to its end offsets at the time of the call."""
    topic = name if full_name else settings.topic(name)
    reader, partitions = _reader_from_start(settings, topic)
    try:
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


class TopicCounter:
    """Counts a topic's records as they arrive, reading each record once: a progress meter for long runs, where
    reading the topic again from the beginning at every poll would cost time and memory in its square."""

    def __init__(self, settings: Settings, name: str) -> None:
        self.reader, _ = _reader_from_start(settings, settings.topic(name))
        self.count = 0

    def update(self, wait: float = 0.2) -> int:
        """Read whatever has arrived (until a poll of `wait` seconds finds nothing new); return the total so far."""
        while polled := self.reader.poll(timeout_ms=int(wait * 1000), max_records=50_000):
            self.count += sum(len(batch) for batch in polled.values())
        return self.count

    def close(self) -> None:
        self.reader.close()
