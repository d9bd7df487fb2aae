"""Through the real broker: the outbox's flush sends the batches being filled at once. aiokafka's own flush waits
for them to reach the producer's linger time first, and window closes and acks wait on flushes."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer

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


def test_flush_does_not_wait_out_the_linger(broker: str) -> None:
    async def scenario() -> None:
        client = AIOKafkaProducer(bootstrap_servers=broker, linger_ms=120_000)
        await client.start()
        try:
            outbox = Outbox(App(FaustLikeProducer(client)))
            for n in range(3):
                outbox.put("outbox-flush", b"key", str(n).encode(), 0)
            await asyncio.wait_for(outbox.flush(), timeout=20)  # waiting out the linger would take two minutes
        finally:
            await client.stop()

    asyncio.run(scenario())
