"""Live gazetteer updates: leader terms added and ended, aliases, blocked phrases; bad updates refused clearly."""

from __future__ import annotations

import pytest

from dyadwatch.processors.analysis import Analyzer
from dyadwatch.processors.gazetteer import load_gazetteer
from dyadwatch.processors.gazetteer_updates import GazetteerUpdateError, apply_updates
from tests.conftest import make_article

SWAP = [
    {"id": "gbr-pm-end", "op": "end_term", "iso3": "GBR", "name": "Keir Starmer", "end": "2026-11-15"},
    {"id": "gbr-pm-new", "op": "leader", "iso3": "GBR", "role": "hog", "names": ["Amelia Hart"], "short": ["~Hart"],
     "start": "2026-11-15"},
]  # fmt: skip


def countries(analyzer: Analyzer, body: str, published_at: str) -> dict[str, str]:
    result = analyzer.analyze(make_article(body, published_at))
    return {m["text"]: m["country"] for m in result["mentions"]}


def test_a_head_of_government_is_swapped_from_a_date() -> None:
    updated = Analyzer(gazetteer=apply_updates(load_gazetteer(), SWAP))
    before, after = "2026-11-10T09:00:00Z", "2026-11-20T09:00:00Z"
    body = "Keir Starmer and Amelia Hart met Emmanuel Macron."
    assert countries(Analyzer(), body, after) == {"Keir Starmer": "GBR", "Emmanuel Macron": "FRA"}
    assert countries(updated, body, after) == {"Amelia Hart": "GBR", "Emmanuel Macron": "FRA"}
    assert countries(updated, body, before) == {"Keir Starmer": "GBR", "Emmanuel Macron": "FRA"}
    assert "updates:2-" in updated.versions["gazetteer"] and "updates" not in Analyzer().versions["gazetteer"]


def test_aliases_and_blocks() -> None:
    gaz = apply_updates(load_gazetteer(), [
        {"id": "a", "op": "alias", "iso3": "TUR", "kind": "name", "text": "Turkish Republic"},
        {"id": "b", "op": "block", "text": "Chad Smith"},
    ])  # fmt: skip
    analyzer = Analyzer(gazetteer=gaz)
    assert countries(analyzer, "The Turkish Republic and Chad Smith.", "2026-11-20T09:00:00Z") == {
        "Turkish Republic": "TUR"
    }


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"id": "x", "op": "rename"}, "'op' must be one of"),
        ({"id": "x", "op": "leader", "iso3": "XYZ", "names": ["A B"], "start": "2026-01-01"}, "unknown country"),
        ({"id": "x", "op": "leader", "iso3": "GBR", "names": [], "start": "2026-01-01"}, "'names' is empty"),
        ({"id": "x", "op": "leader", "iso3": "GBR", "names": ["A B"], "start": "soon"}, "must be an ISO date"),
        ({"id": "x", "op": "end_term", "iso3": "GBR", "name": "Nobody", "end": "2026-01-01"}, "no term of"),
        ({"id": "x", "op": "alias", "iso3": "GBR", "kind": "nickname", "text": "Blighty"}, "'kind' must be"),
        ("not an object", "must be a JSON object"),
    ],
)
def test_bad_updates_are_refused_with_the_reason(update: object, message: str) -> None:
    with pytest.raises(GazetteerUpdateError, match=message):
        apply_updates(load_gazetteer(), [update])  # type: ignore[list-item]
