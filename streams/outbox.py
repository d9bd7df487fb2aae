"""Records handed straight to the Kafka producer, in the order they were put, without Faust's per-message machinery.

Faust's `Topic.send` wraps every record in a future message, a buffer slot, serializer and codec lookups and sensor
calls; on this kind of machine that costs several times what the Kafka client itself costs per record, and an
article makes about twenty records (mentions, dyad scores, window updates, table changelog). So the agents write
through an outbox: `put` queues an encoded record (no await, so the window state code stays synchronous) and
`drain` gives the queue to the producer's own `send` (`faust.Producer.send`, the transport's send). Records keep
the order they were put in, across callers: a watermark marker never overtakes the scores it vouches for, a
window's tombstone never overtakes its update. Delivery is awaited as for Faust's own sends: `flush` drains, then
waits on `app.producer.flush()`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
from faust.utils import json as faust_json

from dyadwatch.streams.faust_internals import expedite
from dyadwatch.streams.metrics import RECORDS_PRODUCED

log = logging.getLogger("dyadwatch")
FAUST_JSON = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z  # faust.utils.json.dumps's options when orjson is installed


class Outbox:
    def __init__(self, app: Any) -> None:
        self.app = app  # its producer is created when the worker starts
        self.queue: list[tuple[str, bytes | None, bytes | None, int | None]] = []
        self.draining = asyncio.Lock()
        self.sending: set[asyncio.Future] = set()  # send_soon's waits, held until done
        self.changelogs: dict[str, tuple[str, bool]] = {}  # table name -> (changelog topic, encoded here)

    def put(self, topic: str, key: bytes | None, value: bytes | None, partition: int | None = None) -> None:
        """Queue one encoded record (value None is a tombstone); `drain` sends it."""
        self.queue.append((topic, key, value, partition))

    def changelog(self, table: Any, partition: int, key: Any, value: Any) -> None:
        """Queue a table's changelog record, serialized as Faust's `table.send_changelog` would; None deletes. A
        JSON table's (all of dyadwatch's) is encoded here as Faust's JSON codec encodes it (orjson, same options),
        without the codec lookups; any other goes through the table's own serializers."""
        name, plain_json = self.changelogs.get(table.name) or self._changelog_of(table)
        if plain_json:
            key_bytes = orjson.dumps(key, option=FAUST_JSON)
            value_bytes = None if value is None else orjson.dumps(value, option=FAUST_JSON)
        else:
            topic = table.changelog_topic
            key_bytes = topic.prepare_key(key, table.key_serializer)[0]
            value_bytes = None if value is None else topic.prepare_value(value, table.value_serializer)[0]
        self.put(name, key_bytes, value_bytes, partition)

    def _changelog_of(self, table: Any) -> tuple[str, bool]:
        plain_json = table.key_serializer == table.value_serializer == "json" and faust_json.orjson is orjson
        self.changelogs[table.name] = (table.changelog_topic.get_topic_name(), plain_json)
        return self.changelogs[table.name]

    async def drain(self) -> None:
        """Hand every queued record to the producer, in order (one drainer at a time, so two callers cannot
        interleave their records)."""
        if not self.queue:
            return
        async with self.draining:
            send = self.app.producer.send
            while self.queue:
                batch, self.queue = self.queue, []
                RECORDS_PRODUCED.inc(len(batch))  # once per batch: drain is on every record's path
                for topic, key, value, partition in batch:
                    delivery = await send(topic, key, value, partition, None, None)
                    delivery.add_done_callback(_report_failure)

    def send_soon(self) -> None:
        """Close the producer's open batches and wake its sender, without waiting for delivery: records drained so
        far leave now instead of after their linger time (DYADWATCH_PRODUCER_LINGER). For the end of a tagging
        batch, whose scores the aggregation waits for; at full speed batches are large and this is rare."""
        send_now = expedite(self.app.producer)
        if send_now is not None:
            task = asyncio.ensure_future(send_now())
            self.sending.add(task)
            task.add_done_callback(self.sending.discard)

    async def flush(self) -> None:
        """Drain, then wait until the broker has every record sent so far (this outbox's and Faust's).

        aiokafka's `flush` waits for the batches being filled to reach their linger time (DYADWATCH_PRODUCER_LINGER)
        before they leave; window closes and acks wait on flushes, so the batches are closed and sent at once
        instead, with the routine aiokafka runs before a transaction commit. Without it, as before."""
        await self.drain()
        send_now = expedite(self.app.producer)
        if send_now is not None:
            await send_now()
        await self.app.producer.flush()


def _report_failure(delivery: asyncio.Future) -> None:
    if not delivery.cancelled() and delivery.exception() is not None:
        log.error("a record the worker wrote was not delivered: %r", delivery.exception())
