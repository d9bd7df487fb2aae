"""Faust records for the typed topics; each matches its JSON Schema (tests/test_schemas.py checks the fields)."""

from __future__ import annotations

import faust


class DyadScore(faust.Record, serializer="json"):
    """dyadwatch.dyads — schemas/dyad.v1.json"""

    pair: str
    a: str
    b: str
    sentiment: float
    sentences: int
    published_at: str
    article_id: str
    arrived_at: float
    source_partition: int
    evidence: str
    a_to_b: float | None = None
    b_to_a: float | None = None
    versions: dict | None = None


class DeadLetter(faust.Record, serializer="json"):
    """dyadwatch.articles.dlq — schemas/dead-letter.v1.json"""

    schema: str
    reason: str
    error: str
    message: str
    topic: str
    partition: int
    offset: int
    timestamp: float | None
    key_b64: str | None
    original_b64: str
    article_id: str | None
    failed_at: str
    original_bytes: int | None = None
    original_sha256: str | None = None
    truncated: bool | None = None


class Mentions(faust.Record, serializer="json"):
    """dyadwatch.mentions — schemas/mentions.v1.json (the `dyadwatch tag` JSON)"""

    id: str
    published_at: str
    countries: dict
    orgs: list
    mentions: list
    dyads: list
    versions: dict
    truncated: str | None = None  # "chars" or "sentences" when cut to the worker's limits


class DyadWindow(faust.Record, serializer="json"):
    """dyadwatch.dyads.windows — schemas/window.v1.json"""

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
    a_to_b_articles: int = 0
    a_to_b_mean: float | None = None
    b_to_a_articles: int = 0
    b_to_a_mean: float | None = None
    versions: dict | None = None


class ToneShift(faust.Record, serializer="json"):
    """dyadwatch.alerts — schemas/alert.v1.json"""

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
    baseline: dict
    movers: list
    versions: dict | None = None


class GazetteerUpdate(faust.Record, serializer="json"):
    """dyadwatch.gazetteer — schemas/gazetteer-update.v1.json (fields beyond id/op depend on the op)"""

    id: str
    op: str
    iso3: str | None = None
    role: str | None = None
    names: list | None = None
    short: list | None = None
    start: str | None = None
    end: str | None = None
    name: str | None = None
    kind: str | None = None
    text: str | None = None


RECORDS = {
    "alert.v1": ToneShift,
    "dyad.v1": DyadScore,
    "dead-letter.v1": DeadLetter,
    "gazetteer-update.v1": GazetteerUpdate,
    "mentions.v1": Mentions,
    "window.v1": DyadWindow,
}
