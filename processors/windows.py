"""Event-time windows over dyad scores: window bounds, an idempotent aggregate, lateness and expiry rules.

All sums are kept as integers (micro-units of sentiment), so an aggregate does not depend on the order its
articles were added in: two workers, a crash and a replay all end with the same numbers.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

from dyadwatch.processors.instants import format_epoch
from dyadwatch.schemas.contracts import WindowV1

MICRO: Final = 1_000_000
TONE_THRESHOLD: Final = 0.05  # the same neutral band as evaluation: |sentiment| <= 0.05 is neutral
MOVERS_PER_SIDE: Final = 3


def parse_duration(text: str) -> int:
    """Seconds in "90s", "15m", "1h", "24h", "7d" (or a bare number of seconds)."""
    text = text.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    if text and text[-1] in units:
        value, unit = text[:-1], units[text[-1]]
    else:
        value, unit = text, 1
    seconds = float(value) * unit
    if seconds <= 0 or not math.isfinite(seconds):
        raise ValueError(f"duration must be positive: {text!r}")
    return int(seconds)


def format_duration(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def window_start(timestamp: float, size: int) -> int:
    """Start (epoch seconds) of the tumbling window of `size` seconds that contains `timestamp`."""
    return int(timestamp // size) * size


def is_too_late(published_at: float, arrived_at: float, lateness: int) -> bool:
    """An article that reached the pipeline more than `lateness` seconds after it was published is too late.

    `arrived_at` is the Kafka record timestamp of the input article, so the decision is a function of the record
    alone: a replay after a crash decides exactly as the first pass did.
    """
    return arrived_at - published_at > lateness


def is_closed(window_end: int, stream_time: float, lateness: int) -> bool:
    """No article can still arrive for a window once stream time (latest arrival seen) is past end + lateness."""
    return stream_time > window_end + lateness


def watermark(progress: dict[int, float], idle: set[int], previous: float = 0.0) -> float:
    """Event-time watermark of one partition of the aggregation: the least progress (latest arrival) over the input
    partitions not announced idle; when all are idle, the most progress of any; never lower than `previous`.

    An idle partition has nothing left to read, so it does not hold windows open; once it sends again it counts
    again, and `previous` keeps the watermark from going back, so a window closed meanwhile stays closed. When every
    partition is idle, everything sent so far has been read, and a new record arrives after all of it.
    """
    active = [clock for source, clock in progress.items() if source not in idle]
    current = min(active) if active else max(progress.values(), default=0.0)
    return max(previous, current)


def has_unread(highwater: int | None, processed_next: int | None, position: int | None) -> bool:
    """Whether an input partition still has records to process, before calling it idle.

    `processed_next` is the offset after the last record processed here since the partition was assigned (None
    before the first). Until there is one, the consumer's `position` stands in: right after an assignment that is
    the committed offset (the next to read), later the last offset fetched, which is one lower than the next and
    so errs on the side of busy. An empty partition, or one whose end is not known yet, has nothing to read.
    """
    if not highwater:
        return False
    next_offset = processed_next if processed_next is not None else position
    return next_offset is None or next_offset < highwater


def article_key(article_id: str) -> str:
    """A short, stable digest of an article id, to remember which articles a window has counted."""
    return hashlib.blake2b(article_id.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(slots=True)
class WindowAggregate:
    """Running aggregate of one (pair, window size, window start); each article counts once."""

    pair: str
    size: int
    start: int
    articles: int = 0
    sentences: int = 0
    sum_micro: int = 0
    sum_sq_micro: int = 0  # sum of squares, in micro² units
    positive: int = 0
    negative: int = 0
    neutral: int = 0
    first_at: float | None = None
    last_at: float | None = None
    last_arrival: float = 0.0
    a_to_b_articles: int = 0  # directed tone: a speaks or acts toward b
    a_to_b_sum_micro: int = 0
    b_to_a_articles: int = 0
    b_to_a_sum_micro: int = 0
    versions: dict[str, str] = field(default_factory=dict)  # of the latest article counted (provenance)
    seen: dict[str, int] = field(default_factory=dict)  # article_key -> 1
    movers: list[dict] = field(default_factory=list)  # the most negative and most positive articles, for alerts

    @property
    def end(self) -> int:
        return self.start + self.size

    def add(
        self,
        article_id: str,
        sentiment: float,
        sentences: int,
        published_at: float,
        arrived_at: float,
        evidence: str = "",
        a_to_b: float | None = None,
        b_to_a: float | None = None,
        versions: dict[str, str] | None = None,
    ) -> bool:
        """Count one article's score for the pair (and its directed scores, when the article has them); False (and
        no change) if this article was already counted."""
        key = article_key(article_id)
        if key in self.seen:
            return False
        self.seen[key] = 1
        micro = round(sentiment * MICRO)
        self.articles += 1
        self.sentences += sentences
        self.sum_micro += micro
        self.sum_sq_micro += micro * micro
        if sentiment > TONE_THRESHOLD:
            self.positive += 1
        elif sentiment < -TONE_THRESHOLD:
            self.negative += 1
        else:
            self.neutral += 1
        self.first_at = published_at if self.first_at is None else min(self.first_at, published_at)
        self.last_at = published_at if self.last_at is None else max(self.last_at, published_at)
        latest = arrived_at > self.last_arrival or (
            arrived_at == self.last_arrival and sorted((versions or {}).items()) > sorted(self.versions.items())
        )  # the same choice whatever order the articles come in
        if versions and latest:
            self.versions = dict(versions)
        self.last_arrival = max(self.last_arrival, arrived_at)
        if a_to_b is not None:
            self.a_to_b_articles += 1
            self.a_to_b_sum_micro += round(a_to_b * MICRO)
        if b_to_a is not None:
            self.b_to_a_articles += 1
            self.b_to_a_sum_micro += round(b_to_a * MICRO)
        self._keep_mover(article_id, sentiment, evidence)
        return True

    def _keep_mover(self, article_id: str, sentiment: float, evidence: str, per_side: int = MOVERS_PER_SIDE) -> None:
        movers = self.movers  # ordered by (sentiment, article_id)
        if len(movers) == 2 * per_side:
            low, high = movers[per_side - 1], movers[per_side]
            if (
                (low["sentiment"], low["article_id"])
                < (sentiment, article_id)
                < (high["sentiment"], high["article_id"])
            ):
                return  # neither among the most negative nor the most positive: the movers stay as they are
        candidates = [*movers, {"article_id": article_id, "sentiment": sentiment, "evidence": evidence}]
        ordered = sorted(candidates, key=lambda m: (m["sentiment"], m["article_id"]))
        keep = ordered[:per_side] + [m for m in ordered[-per_side:] if m not in ordered[:per_side]]
        self.movers = keep

    @property
    def mean(self) -> float:
        return self.sum_micro / self.articles / MICRO if self.articles else 0.0

    @property
    def stddev(self) -> float:
        if self.articles < 2:
            return 0.0
        n = self.articles
        variance = (self.sum_sq_micro * n - self.sum_micro * self.sum_micro) / (n * n)  # exact in integers
        return math.sqrt(max(variance, 0)) / MICRO

    def record(self, final: bool = False) -> WindowV1:
        """The public `dyadwatch.dyads.windows` value for this window (see schemas/window.v1.json)."""
        a, b = self.pair.split("-")
        return {
            "key": window_key(self.pair, self.size, self.start),
            "pair": self.pair,
            "a": a,
            "b": b,
            "window": format_duration(self.size),
            "window_size_s": self.size,
            "window_start": format_epoch(self.start),
            "window_end": format_epoch(self.end),
            "articles": self.articles,
            "sentences": self.sentences,
            "mean": round(self.mean, 6),
            "stddev": round(self.stddev, 6),
            "positive": self.positive,
            "negative": self.negative,
            "neutral": self.neutral,
            "first_article_at": format_epoch(self.first_at) if self.first_at is not None else None,
            "last_article_at": format_epoch(self.last_at) if self.last_at is not None else None,
            "final": final,
            "a_to_b_articles": self.a_to_b_articles,
            "a_to_b_mean": _mean(self.a_to_b_sum_micro, self.a_to_b_articles),
            "b_to_a_articles": self.b_to_a_articles,
            "b_to_a_mean": _mean(self.b_to_a_sum_micro, self.b_to_a_articles),
            "versions": self.versions,
        }

    def to_state(self) -> dict:
        """A snapshot (copies, not references: see from_state)."""
        return {
            "pair": self.pair,
            "size": self.size,
            "start": self.start,
            "articles": self.articles,
            "sentences": self.sentences,
            "sum_micro": self.sum_micro,
            "sum_sq_micro": self.sum_sq_micro,
            "positive": self.positive,
            "negative": self.negative,
            "neutral": self.neutral,
            "first_at": self.first_at,
            "last_at": self.last_at,
            "last_arrival": self.last_arrival,
            "a_to_b_articles": self.a_to_b_articles,
            "a_to_b_sum_micro": self.a_to_b_sum_micro,
            "b_to_a_articles": self.b_to_a_articles,
            "b_to_a_sum_micro": self.b_to_a_sum_micro,
            "versions": dict(self.versions),
            "seen": dict(self.seen),
            "movers": list(self.movers),
        }

    @classmethod
    def from_state(cls, state: dict) -> WindowAggregate:
        """An aggregate that shares nothing with `state`: a state handed to a table's changelog may be serialized
        later, after this aggregate has counted more articles."""
        return cls(**{**state, "versions": dict(state["versions"]), "seen": dict(state["seen"]),
                      "movers": list(state["movers"])})  # fmt: skip


def _mean(sum_micro: int, count: int) -> float | None:
    return round(sum_micro / count / MICRO, 6) if count else None


@lru_cache(maxsize=16_384)
def window_key(pair: str, size: int, start: int) -> str:
    """Compaction key of a window: `pair|window|window_start` (ISO start, so it sorts and reads well)."""
    return f"{pair}|{format_duration(size)}|{format_epoch(start)}"
