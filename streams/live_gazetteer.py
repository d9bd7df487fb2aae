"""The gazetteer as the worker uses it: the data files plus every update on the `dyadwatch.gazetteer` topic.

Every worker reads the whole (single-partition, compacted) topic itself, with no consumer group: an update must
reach all workers, not one. At start the topic is read to its end before the first article is tagged; afterwards
a background task follows it and swaps in a rebuilt analyzer within a poll interval of each update. A bad update
is logged, counted and skipped; it never stops the worker.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson

from dyadwatch.processors.analysis import Analyzer
from dyadwatch.processors.gazetteer import load_gazetteer
from dyadwatch.processors.gazetteer_updates import GazetteerUpdateError, apply_updates
from dyadwatch.processors.limits import TextLimits
from dyadwatch.streams import metrics
from dyadwatch.streams.kafka_io import read_to_end
from dyadwatch.streams.security import client_options as security_options
from dyadwatch.streams.settings import Settings
from dyadwatch.streams.skipped import SkippedRecord

log = logging.getLogger("dyadwatch.gazetteer")


class LiveGazetteer:
    def __init__(self, settings: Settings, limits: TextLimits, code_version: str) -> None:
        self.settings = settings
        self.limits = limits
        self.code_version = code_version
        self.topic = settings.gazetteer_topic or settings.topic("gazetteer")
        self.updates: dict[str, dict[str, Any]] = {}  # id -> update, in the order they took effect
        self.gazetteer = load_gazetteer()  # with the updates applied
        self.positions: dict[int, int] = {}  # partition -> next offset to read
        self.analyzer = Analyzer(limits=limits, territory_policy=settings.territory_policy)
        self.versions = {**self.analyzer.versions, "code": code_version}

    def load(self) -> None:
        """Read the topic to its end (before the worker starts tagging)."""
        for record in read_to_end(self.settings, self.topic, full_name=True):
            self.receive(record.key, record.value, rebuild=False)
            self.positions[record.partition] = record.offset + 1
        self.rebuild()

    def receive(self, key: bytes | None, value: bytes | None, rebuild: bool = True) -> None:
        update_id = key.decode("utf-8", "replace") if key else None
        if value is None:  # a tombstone withdraws the update with that id
            if update_id in self.updates:
                del self.updates[update_id]
                self.gazetteer = apply_updates(load_gazetteer(), list(self.updates.values()))
                metrics.GAZETTEER_UPDATES.labels("withdrawn").inc()
                if rebuild:
                    self.rebuild()
            return
        try:
            update = orjson.loads(value)
            if not isinstance(update, dict):
                raise SkippedRecord("not_an_object", "an update must be a JSON object")
            update_id = str(update.get("id") or update_id or "")
            if not update_id:
                raise GazetteerUpdateError("an update needs an 'id' (or a record key)")
            candidate = {k: v for k, v in self.updates.items() if k != update_id}
            candidate[update_id] = update
            gazetteer = apply_updates(load_gazetteer(), list(candidate.values()))  # refused here, not on rebuild
        except Exception as exc:  # a bad update must not stop the worker from following the topic
            reason = _skip_reason(exc)
            metrics.GAZETTEER_UPDATES.labels("rejected").inc()
            metrics.INTERNAL_RECORDS_SKIPPED.labels("gazetteer", reason).inc()
            log.error("gazetteer update %r rejected (%s): %s", update_id, reason, exc,
                      exc_info=reason == "internal_error")  # fmt: skip
            return
        self.updates, self.gazetteer = candidate, gazetteer
        metrics.GAZETTEER_UPDATES.labels("applied").inc()
        log.info("gazetteer update %r applied", update_id)
        if rebuild:
            self.rebuild()

    def rebuild(self) -> None:
        self.analyzer = Analyzer(limits=self.limits, territory_policy=self.settings.territory_policy,
                                 gazetteer=self.gazetteer if self.updates else None)  # fmt: skip
        self.versions = {**self.analyzer.versions, "code": self.code_version}
        metrics.GAZETTEER_UPDATES_ACTIVE.set(len(self.updates))

    async def follow(self, poll_timeout_ms: int = 500) -> None:
        """Apply updates as they are published, for as long as the worker runs."""
        from aiokafka import AIOKafkaConsumer, TopicPartition

        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.settings.bootstrap, enable_auto_commit=False, group_id=None,
            fetch_max_wait_ms=200, **security_options(self.settings),
        )  # fmt: skip
        await consumer.start()
        try:
            partition = TopicPartition(self.topic, 0)  # the gazetteer topic has one partition (kafka_io)
            consumer.assign([partition])
            if 0 in self.positions:
                consumer.seek(partition, self.positions[0])
            else:
                await consumer.seek_to_beginning(partition)
            while True:
                batches = await consumer.getmany(timeout_ms=poll_timeout_ms)
                for records in batches.values():
                    for record in records:
                        self.receive(record.key, record.value)
                        self.positions[record.partition] = record.offset + 1
        except asyncio.CancelledError:
            raise
        finally:
            await consumer.stop()


def _skip_reason(exc: Exception) -> str:
    """The bounded reason (metrics.INTERNAL_REASONS) a gazetteer record was skipped for."""
    if isinstance(exc, SkippedRecord):
        return exc.reason
    if isinstance(exc, orjson.JSONDecodeError):
        return "invalid_json"
    if isinstance(exc, GazetteerUpdateError):
        return "rejected_update"
    return "internal_error"
