"""The worker's stages with fakes, no broker: scores into windows, windows closed by the watermark, and the commit
protocol's order (durable, then no window due, then ack)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import orjson

from dyadwatch.processors.instants import format_epoch
from dyadwatch.streams.aggregation import AggregationStage
from dyadwatch.streams.settings import Settings
from dyadwatch.streams.window_state import WindowState

HOUR = 3600
T0 = 1_793_577_600  # 2026-11-02T00:00:00Z, a window start


class FakeTable:
    def __init__(self, name: str, default: Any = None) -> None:
        self.name, self.default, self.data = name, default, {}

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def __getitem__(self, key: str) -> Any:
        return self.data.get(key, self.default() if callable(self.default) else self.default)

    def items(self) -> Any:
        return self.data.items()


class FakeOutbox:
    def __init__(self, log: list) -> None:
        self.log, self.records = log, []

    def put(self, topic: str, key: bytes | None, value: bytes | None, partition: int | None = None) -> None:
        self.records.append((topic, key, None if value is None else orjson.loads(value), partition))

    def changelog(self, table: Any, partition: int, key: Any, value: Any) -> None:
        self.log.append(("changelog", table.name, key))

    async def drain(self) -> None:
        pass

    async def flush(self) -> None:
        self.log.append(("flush",))

    def send_soon(self) -> None:
        pass


class FakeStream:
    def __init__(self, log: list) -> None:
        self.log = log

    async def ack(self, event: Any) -> None:
        self.log.append(("ack", event.message.offset))


class FakeTopic:
    def __init__(self, name: str) -> None:
        self.name, self.sent = name, []

    def get_topic_name(self) -> str:
        return self.name

    async def send(self, key: bytes, value: bytes) -> None:
        self.sent.append(orjson.loads(value))


def stage(log: list) -> tuple[AggregationStage, FakeOutbox]:
    settings = Settings(partitions=1, windows=(HOUR,), lateness=0, commit_interval=0.0)
    outbox = FakeOutbox(log)
    state = WindowState(FakeTable("windows"), FakeTable("clocks", float), save_interval=0.0, changelog=outbox.changelog)
    topics = SimpleNamespace(windows=FakeTopic("windows"), alerts=FakeTopic("alerts"))
    aggregation = AggregationStage(settings, state, outbox, topics, FakeTable("baselines"))
    aggregation.checkpoint.stream = FakeStream(log)
    return aggregation, outbox


def event(offset: int, value: dict, v1: bool = False) -> Any:
    """A dyads record holding one score or one watermark, as dyad.v2 writes it (or as dyad.v1 did)."""
    if not v1:
        value = {"scores": [value], "watermarks": []} if "pair" in value else {"scores": [], "watermarks": [value]}
    return SimpleNamespace(message=SimpleNamespace(partition=0, offset=offset), value=orjson.dumps(value))


def score(article: str, published: float, arrived: float, sentiment: float = 0.5) -> dict:
    return {"pair": "IND-PAK", "a": "IND", "b": "PAK", "sentiment": sentiment, "sentences": 1,
            "published_at": format_epoch(published), "article_id": article, "arrived_at": arrived,
            "source_partition": 0}  # fmt: skip


def windows_sent(outbox: FakeOutbox) -> list[dict]:
    return [value for topic, _, value, _ in outbox.records if topic == "windows"]


def test_a_window_closes_once_the_watermark_passes_its_end_and_counts_each_article_once():
    async def run() -> tuple[AggregationStage, FakeOutbox]:
        aggregation, outbox = stage([])
        await aggregation.handle(event(0, score("a1", T0 + 10, T0 + 20, 0.5)), more_queued=False)
        await aggregation.handle(event(1, score("a1", T0 + 10, T0 + 20, 0.5)), more_queued=False)  # redelivered
        await aggregation.handle(event(2, score("a2", T0 + 30, T0 + 40, -0.1)), more_queued=False)
        assert not [w for w in windows_sent(outbox) if w["final"]]  # the watermark is still inside the window
        await aggregation.handle(event(3, {"watermark": T0 + HOUR + 1, "source_partition": 0}), more_queued=False)
        return aggregation, outbox

    aggregation, outbox = asyncio.run(run())
    finals = [w for w in windows_sent(outbox) if w["final"]]
    assert len(finals) == 1 and finals[0]["articles"] == 2 and abs(finals[0]["mean"] - 0.2) < 1e-9
    assert not aggregation.state.windows.data and not aggregation.open_windows[0]  # deleted once closed


def test_records_are_acked_only_when_durable_and_no_window_is_due():
    async def run() -> list:
        log: list = []
        aggregation, _ = stage(log)
        checkpoint = aggregation.checkpoint
        committing = asyncio.create_task(checkpoint.run())
        aggregation.last_close = float("inf")  # hold the close back: the window stays due
        await aggregation.handle(event(0, score("a1", T0 + 10, T0 + 20)), more_queued=False)
        await aggregation.handle(event(1, {"watermark": T0 + HOUR + 1, "source_partition": 0}), more_queued=False)
        for _ in range(20):
            await asyncio.sleep(0)
        assert aggregation.closing_due and not [entry for entry in log if entry[0] == "ack"], log
        aggregation.last_close = 0.0
        await aggregation.tick()  # closes the due window
        for _ in range(20):
            await asyncio.sleep(0)
        committing.cancel()
        return log

    log = asyncio.run(run())
    acks = [index for index, entry in enumerate(log) if entry[0] == "ack"]
    assert [log[i][1] for i in acks] == [0, 1]
    assert log[: acks[0]].count(("flush",)) >= 2  # made durable first: flushed, sealed, flushed
    assert ("changelog", "baselines", "IND-PAK|1h") in log[: acks[0]]  # the window was closed (and checked) first


def test_a_revoke_forgets_what_was_not_saved_and_lets_acks_through():
    async def run() -> AggregationStage:
        aggregation, _ = stage([])
        aggregation.last_close = float("inf")
        await aggregation.handle(event(0, score("a1", T0 + 10, T0 + 20)), more_queued=False)
        await aggregation.handle(event(1, {"watermark": T0 + HOUR + 1, "source_partition": 0}), more_queued=False)
        assert not aggregation.checkpoint.no_window_due.is_set()
        aggregation.forget()
        return aggregation

    aggregation = asyncio.run(run())
    assert aggregation.checkpoint.no_window_due.is_set() and not aggregation.closing_due
    assert not aggregation.open_windows and not aggregation.state.pending


def test_one_record_of_several_scores_and_a_watermark_counts_as_its_records_did_one_by_one():
    async def run(events: list) -> list[dict]:
        aggregation, outbox = stage([])
        for item in events:
            await aggregation.handle(item, more_queued=False)
        return [w for w in windows_sent(outbox) if w["final"]]

    scores = [score("a1", T0 + 10, T0 + 20, 0.5), score("a2", T0 + 30, T0 + 40, -0.1), score("a1", T0 + 10, T0 + 20)]
    mark = {"watermark": T0 + HOUR + 1, "source_partition": 0}
    batched = {"scores": scores, "watermarks": [mark], "versions": {"code": "x"}}
    one = SimpleNamespace(message=SimpleNamespace(partition=0, offset=0), value=orjson.dumps(batched))
    finals = asyncio.run(run([one]))
    assert len(finals) == 1 and finals[0]["articles"] == 2 and finals[0]["versions"] == {"code": "x"}
    for v1 in (False, True):  # the same, one record each, as dyad.v2 and as workers before it wrote them
        singles = [event(offset, value, v1) for offset, value in enumerate([*scores, mark])]
        assert [{**w, "versions": {}} for w in asyncio.run(run(singles))] == [{**finals[0], "versions": {}}]


def test_the_tagging_stage_sends_a_batch_per_partition_and_acks_its_records_after():
    from dyadwatch.processors.limits import TextLimits
    from dyadwatch.streams.dyad_records import partition_of
    from dyadwatch.streams.live_gazetteer import LiveGazetteer
    from dyadwatch.streams.tagging import TaggingStage

    settings = Settings(partitions=4)
    log: list = []
    outbox = FakeOutbox(log)
    topics = SimpleNamespace(**{name: FakeTopic(name) for name in ("articles", "mentions", "dyads")})
    tagging = TaggingStage(settings, LiveGazetteer(settings, TextLimits(), "test"), outbox, None, topics)  # type: ignore[arg-type]
    tagging.stream = FakeStream(log)
    bodies = ["India and Pakistan signed a water accord.", "Brazil condemned Argentina over the border clash.",
              "China and the United States resumed trade talks; Japan welcomed the move."]  # fmt: skip

    def article(offset: int, body: str) -> Any:
        raw = orjson.dumps({"id": f"a{offset}", "body": body, "published_at": format_epoch(T0), "language": "en"})
        return SimpleNamespace(message=SimpleNamespace(partition=offset % 2, offset=offset, timestamp=T0 + offset),
                               value=raw)  # fmt: skip

    async def run() -> None:
        for offset, body in enumerate(bodies):
            await tagging.handle(article(offset, body), more_queued=offset < len(bodies) - 1)
            if offset < len(bodies) - 1:
                assert not [r for r in outbox.records if r[0] == "dyads"] and not log  # held until the batch ends

    asyncio.run(run())
    dyads = [(partition, value) for topic, _, value, partition in outbox.records if topic == "dyads"]
    pairs = {s["pair"] for _, value in dyads for s in value["scores"]}
    assert pairs >= {"IND-PAK", "ARG-BRA", "CHN-USA"}
    assert sorted(p for p, _ in dyads) == sorted({partition_of(pair, 4) for pair in pairs})  # one record each
    for partition, value in dyads:
        assert {partition_of(s["pair"], 4) for s in value["scores"]} == {partition}
        assert value["watermarks"] == [{"watermark": T0 + 2, "source_partition": 0},
                                       {"watermark": T0 + 1, "source_partition": 1}]  # fmt: skip
    assert log == [("ack", 0), ("ack", 1), ("ack", 2)]


def test_a_trickle_is_published_at_once_and_a_flood_once_per_commit_interval():
    async def run() -> tuple[int, int, int]:
        aggregation, outbox = stage([])
        aggregation.settings = Settings(partitions=1, windows=(HOUR,), lateness=0, commit_interval=60.0)
        aggregation.state.save_interval = 60.0  # a save publishes too
        one = {**score("a0", T0 + 10, T0 + 20)}
        await aggregation.handle(event(0, one), more_queued=False)
        trickle = len(windows_sent(outbox))
        flood = [{**score(f"b{i}", T0 + 30, T0 + 40), "pair": f"{chr(65 + i // 26)}{chr(65 + i % 26)}X-ZZZ"}
                 for i in range(600)]  # fmt: skip
        record = SimpleNamespace(message=SimpleNamespace(partition=0, offset=1),
                                 value=orjson.dumps({"scores": flood, "watermarks": []}))  # fmt: skip
        await aggregation.handle(record, more_queued=False)
        held = len(windows_sent(outbox)) - trickle
        aggregation.state.last_publish -= 60.0  # a commit interval later
        await aggregation.handle(event(2, score("a1", T0 + 50, T0 + 60)), more_queued=False)
        return trickle, held, len(windows_sent(outbox)) - trickle

    trickle, held, later = asyncio.run(run())
    assert (trickle, held, later) == (1, 0, 601)  # each window once, however many records changed it meanwhile


def test_a_window_already_due_gets_its_final_record_only():
    async def run() -> list[dict]:
        aggregation, outbox = stage([])
        aggregation.state.save_interval = 60.0  # a save publishes too
        await aggregation.handle(event(0, score("a1", T0 + 10, T0 + 20)), more_queued=True)  # not published yet
        await aggregation.handle(event(1, {"watermark": T0 + HOUR + 1, "source_partition": 0}), more_queued=False)
        return windows_sent(outbox)

    sent = asyncio.run(run())
    assert [(w["final"], w["articles"]) for w in sent] == [(True, 1)]
