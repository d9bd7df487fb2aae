"""One typed definition per topic value, used by the code that writes it and the code that reads it;
tests/test_schemas.py checks each against its JSON Schema (same fields, same required ones).

Not `from __future__ import annotations`: TypedDict needs its annotations evaluated to tell required keys from
NotRequired ones.
"""

from typing import Any, NotRequired, TypedDict


class MentionsV1(TypedDict):
    """<prefix>.mentions (schemas/mentions.v1.json), written by processors/analysis.py and the tagging stage."""

    id: str
    published_at: str
    countries: dict[str, dict[str, Any]]
    orgs: list[Any]
    mentions: list[dict[str, Any]]
    dyads: list[dict[str, Any]]
    versions: dict[str, str]
    truncated: NotRequired[str]


class DyadScore(TypedDict):
    """A pair's score in one article: an item of DyadsV2 (schemas/dyad.v2.json, $defs/score)."""

    pair: str
    a: str
    b: str
    sentiment: float
    sentences: int
    published_at: str
    article_id: str
    arrived_at: float
    source_partition: int
    evidence: NotRequired[str]
    a_to_b: NotRequired[float | None]
    b_to_a: NotRequired[float | None]


class Watermark(TypedDict):
    """How far an input partition has got: an item of DyadsV2 (schemas/dyad.v2.json, $defs/watermark), and a whole
    dyad.v1 value."""

    watermark: float
    source_partition: int
    idle: NotRequired[bool]


class DyadsV2(TypedDict):
    """<prefix>.dyads (schemas/dyad.v2.json): a batch's scores for one partition, then watermarks."""

    scores: list[DyadScore]
    watermarks: list[Watermark]
    versions: NotRequired[dict[str, str]]


class DyadScoreV1(DyadScore):
    """<prefix>.dyads as workers before dyad.v2 wrote it (schemas/dyad.v1.json, first branch): still read, for
    rolling upgrades."""

    versions: NotRequired[dict[str, str]]


class WindowV1(TypedDict):
    """<prefix>.dyads.windows (schemas/window.v1.json), written by processors/windows.py."""

    key: str
    pair: str
    a: str
    b: str
    window: str
    window_size_s: int
    window_start: str
    window_end: str
    articles: int
    sentences: int
    mean: float
    stddev: float
    positive: int
    negative: int
    neutral: int
    first_article_at: str | None
    last_article_at: str | None
    final: bool
    a_to_b_articles: NotRequired[int]
    a_to_b_mean: NotRequired[float | None]
    b_to_a_articles: NotRequired[int]
    b_to_a_mean: NotRequired[float | None]
    versions: NotRequired[dict[str, str]]


class AlertV1(TypedDict):
    """<prefix>.alerts (schemas/alert.v1.json), written by processors/shifts.py and the aggregation stage."""

    schema: str
    kind: str
    pair: str
    window: str
    window_start: str
    window_end: str
    direction: str
    magnitude: float
    z: float
    articles: int
    mean: float
    baseline: dict[str, Any]
    movers: list[dict[str, Any]]
    versions: NotRequired[dict[str, str]]


class DeadLetterV1(TypedDict):
    """<prefix>.articles.dlq (schemas/dead-letter.v1.json), written by streams/dead_letters.py."""

    schema: str
    reason: str
    error: str
    message: str
    topic: str
    partition: int
    offset: int
    original_b64: str
    timestamp: NotRequired[float | None]
    key_b64: NotRequired[str | None]
    original_bytes: NotRequired[int]
    original_sha256: NotRequired[str]
    truncated: NotRequired[bool]
    article_id: NotRequired[str | None]
    failed_at: NotRequired[str]


# schema name -> its definition(s); a schema with `oneOf` has one per branch, in order
CONTRACTS: dict[str, tuple[type, ...]] = {
    "mentions.v1": (MentionsV1,),
    "dyad.v2": (DyadsV2,),
    "dyad.v1": (DyadScoreV1, Watermark),  # read, no longer written
    "window.v1": (WindowV1,),
    "alert.v1": (AlertV1,),
    "dead-letter.v1": (DeadLetterV1,),
}

# (schema name, $defs entry) -> the definition of the items it describes
ITEMS: dict[tuple[str, str], type] = {("dyad.v2", "score"): DyadScore, ("dyad.v2", "watermark"): Watermark}
