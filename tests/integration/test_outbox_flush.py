"""Through the real broker: the outbox's flush sends the batches being filled at once. aiokafka's own flush waits
for them to reach the producer's linger time first, and window closes and acks wait on flushes."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from dyadwatch.streams.outbox import Outbox

pytestmark = pytest.mark.integration


class FaustLikeProducer:
    """The two things the outbox uses of faust's Producer: send (to aiokafka) and flush; `_producer` as in Faust."""

    def __init__(self, client: AIOKafkaProducer) -> None:
        self._producer = client

    async def send(self, topic: str, key: bytes | None, value: bytes | None, partition: int | None, *_: object):
        return await self._producer.send(topic, value, key=key, partition=partition)

    async def flush(self) -> None:
        await self._producer.flush()


class App:
    def __init__(self, producer: FaustLikeProducer) -> None:
        self.producer = producer


def test_flush_does_not_wait_out_the_linger_and_the_records_arrive(broker: str) -> None:
    topic = f"outbox-flush-{uuid.uuid4().hex[:8]}"

    async def scenario() -> None:
        client = AIOKafkaProducer(bootstrap_servers=broker, linger_ms=120_000)
        await client.start()
        try:
            outbox = Outbox(App(FaustLikeProducer(client)))
            for n in range(3):
                outbox.put(topic, b"key", str(n).encode(), 0)
            await asyncio.wait_for(outbox.flush(), timeout=20)  # waiting out the linger would take two minutes
            await check_arrived()  # before the producer stops: stopping would send them anyway
        finally:
            await client.stop()

    async def check_arrived() -> None:
        reader = AIOKafkaConsumer(bootstrap_servers=broker, enable_auto_commit=False, group_id=None)
        await reader.start()
        try:
            partition = TopicPartition(topic, 0)
            reader.assign([partition])
            await reader.seek_to_beginning(partition)
            batches = await reader.getmany(partition, timeout_ms=5000)
            assert [record.value for record in batches.get(partition, [])] == [b"0", b"1", b"2"]
        finally:
            await reader.stop()

    asyncio.run(scenario())
