"""The outbox the agents write through (streams/outbox.py): order across callers, tombstones, changelog encoding."""

from __future__ import annotations

import asyncio
from typing import Any

import faust
import orjson

from dyadwatch.streams.outbox import Outbox


class Producer:
    """Enough of faust's Producer: an awaitable send that yields to the loop, like a send that waits on metadata."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None, bytes | None, int | None]] = []
        self.flushed = 0

    async def send(self, topic: str, key: Any, value: Any, partition: Any, timestamp: Any, headers: Any) -> Any:
        await asyncio.sleep(0)
        self.sent.append((topic, key, value, partition))
        delivery = asyncio.get_running_loop().create_future()
        delivery.set_result(None)
        return delivery

    async def flush(self) -> None:
        self.flushed += 1


class App:
    def __init__(self) -> None:
        self.producer = Producer()


def test_records_keep_the_order_they_were_put_in_across_drainers():
    async def scenario() -> list:
        app = App()
        outbox = Outbox(app)
        for n in range(5):
            outbox.put("scores", b"IND-PAK", str(n).encode())
        first = asyncio.ensure_future(outbox.drain())
        await asyncio.sleep(0)  # the first drainer is sending; more records come and a second drainer starts
        outbox.put("scores", None, b"watermark", 3)
        outbox.put("windows", b"w", None)  # a tombstone
        await asyncio.gather(first, outbox.drain())
        await outbox.flush()
        assert app.producer.flushed == 1 and not outbox.queue
        return app.producer.sent

    sent = asyncio.run(scenario())
    assert [value for _, _, value, _ in sent] == [b"0", b"1", b"2", b"3", b"4", b"watermark", None]
    assert sent[5] == ("scores", None, b"watermark", 3)


def test_changelog_records_are_encoded_as_faust_encodes_them():
    app = faust.App("outbox-test", broker="memory://", store="memory://")
    table = app.Table("dyad_windows", default=None, partitions=8)
    outbox = Outbox(app)
    outbox.changelog(table, 5, "IND-PAK|1h|2026-11-01T00:00:00Z", {"articles": 2, "partition": 5})
    outbox.changelog(table, 5, "IND-PAK|1h|2026-11-01T00:00:00Z", None)
    (topic, key, value, partition), (_, _, tombstone, _) = outbox.queue
    assert topic == table.changelog_topic.get_topic_name() and partition == 5
    assert key == table.changelog_topic.prepare_key("IND-PAK|1h|2026-11-01T00:00:00Z", table.key_serializer)[0]
    assert orjson.loads(value) == {"articles": 2, "partition": 5} and tombstone is None


def test_changelog_bytes_are_the_bytes_faust_writes_for_every_kind_of_table_value():
    app = faust.App("outbox-bytes", broker="memory://", store="memory://")
    tables = [app.Table("dyad_windows", default=None), app.Table("dyad_stream_clock", default=float)]
    values = [{"pair": "IND-PAK", "sum": -12, "seen": {"a1": 1, "é": 2}, "versions": {}, "mean": 0.125, "x": None,
               "movers": [{"article_id": "a", "score": -0.5}], "partition": 3}, 1_793_577_600.25, 0.0, 1.0]  # fmt: skip
    for table in tables:
        outbox = Outbox(app)
        for value in values:
            outbox.changelog(table, 1, "3:watermark", value)
        topic = table.changelog_topic
        assert [(key, value) for _, key, value, _ in outbox.queue] == [
            (
                topic.prepare_key("3:watermark", table.key_serializer)[0],
                topic.prepare_value(v, table.value_serializer)[0],
            )
            for v in values
        ]


def test_flush_sends_open_batches_at_once_then_waits_for_the_producer():
    calls: list[str] = []

    class Accumulator:
        async def flush_for_commit(self) -> None:
            calls.append("send now")

    class Client:
        _message_accumulator = Accumulator()

    async def scenario() -> None:
        app = App()
        app.producer._producer = Client()  # type: ignore[attr-defined]
        original = app.producer.flush

        async def flush() -> None:
            calls.append("flush")
            await original()

        app.producer.flush = flush  # type: ignore[method-assign]
        outbox = Outbox(app)
        outbox.put("scores", b"k", b"v")
        await outbox.flush()
        assert app.producer.sent == [("scores", b"k", b"v", None)]

    asyncio.run(scenario())
    assert calls == ["send now", "flush"]
