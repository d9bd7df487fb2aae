"""The worker's view of the gazetteer topic, without a broker: updates applied, corrected, withdrawn, refused."""

from __future__ import annotations

import orjson

from dyadwatch.processors.limits import TextLimits
from dyadwatch.streams import metrics
from dyadwatch.streams.live_gazetteer import LiveGazetteer
from dyadwatch.streams.settings import Settings
from tests.conftest import counted, make_article

HART = {"id": "gbr-pm", "op": "leader", "iso3": "GBR", "role": "hog", "names": ["Amelia Hart"], "start": "2026-11-15"}


def countries(live: LiveGazetteer) -> set[str]:
    article = make_article("Amelia Hart met Emmanuel Macron.", "2026-11-20T09:00:00Z")
    return set(live.analyzer.analyze(article)["countries"])


def test_updates_are_applied_withdrawn_and_refused() -> None:
    live = LiveGazetteer(Settings(), TextLimits(), "test")
    assert countries(live) == {"FRA"}
    live.receive(b"gbr-pm", orjson.dumps(HART))
    assert countries(live) == {"FRA", "GBR"} and "updates:1-" in live.versions["gazetteer"]
    live.receive(b"bad", b'{"id": "bad", "op": "leader", "iso3": "XXX", "names": ["A"], "start": "2026-01-01"}')
    live.receive(b"junk", b"not json")
    assert list(live.updates) == ["gbr-pm"]  # refused ones change nothing
    live.receive(b"gbr-pm", None)  # tombstone
    assert countries(live) == {"FRA"} and "updates" not in live.versions["gazetteer"]


def test_a_refused_update_is_counted_with_its_reason() -> None:
    live = LiveGazetteer(Settings(), TextLimits(), "test")

    def count(reason: str) -> float:
        return counted("dyadwatch_internal_records_skipped_total", topic="gazetteer", reason=reason)

    before = {reason: count(reason) for reason in metrics.INTERNAL_REASONS}
    live.receive(b"list", b"[1, 2]")
    live.receive(b"junk", b"not json")
    live.receive(b"bad", b'{"id": "bad", "op": "leader", "iso3": "XXX", "names": ["A"], "start": "2026-01-01"}')
    grown = {reason: count(reason) - before[reason] for reason in metrics.INTERNAL_REASONS}
    assert grown == {reason: 0.0 for reason in metrics.INTERNAL_REASONS} | {
        "not_an_object": 1.0, "invalid_json": 1.0, "rejected_update": 1.0}  # fmt: skip
    assert live.updates == {}
