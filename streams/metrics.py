"""Prometheus metrics of a worker (prometheus-client), served at /metrics on the worker's web port.

Names follow `dyadwatch_<noun>_<unit>_total`; every label has a fixed, small set of values.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from processors.article import REASONS
from processors.topk import TopK

REGISTRY = CollectorRegistry(auto_describe=True)

ARTICLES_RECEIVED = Counter("dyadwatch_articles_received", "Input records read", registry=REGISTRY)
ARTICLES_TAGGED = Counter("dyadwatch_articles_tagged", "Articles tagged and published", registry=REGISTRY)
ARTICLES_DEAD_LETTERED = Counter(
    "dyadwatch_articles_dead_lettered", "Input records sent to the dead-letter topic", ["reason"], registry=REGISTRY
)
DEAD_LETTERS_MINIMAL = Counter(
    "dyadwatch_dead_letters_minimal",
    "Dead letters the broker refused whole, sent in their minimal form (reason, place, length, hash)",
    registry=REGISTRY,
)
DEAD_LETTERS_FAILED = Counter(
    "dyadwatch_dead_letters_failed", "Dead letters not sent even in their minimal form (logged)", registry=REGISTRY
)
# Records of the internal topics (dyads, gazetteer) that could not be read: skipped, logged and counted here.
INTERNAL_REASONS = ("invalid_json", "not_an_object", "missing_field", "wrong_type", "rejected_update", "internal_error")
INTERNAL_RECORDS_SKIPPED = Counter(
    "dyadwatch_internal_records_skipped",
    "Records of internal topics skipped because they could not be read",
    ["topic", "reason"],
    registry=REGISTRY,
)
ARTICLES_TRUNCATED = Counter(
    "dyadwatch_articles_truncated",
    "Articles over a per-article limit (chars, sentences: cut before tagging; mentions, pairs: list capped)",
    ["limit"],
    registry=REGISTRY,
)
GAZETTEER_UPDATES = Counter(
    "dyadwatch_gazetteer_updates",
    "Records of the gazetteer topic, by what became of them",
    ["result"],
    registry=REGISTRY,
)
GAZETTEER_UPDATES_ACTIVE = Gauge(
    "dyadwatch_gazetteer_updates_active", "Gazetteer updates in effect in this worker", registry=REGISTRY
)
DYADS_EMITTED = Counter("dyadwatch_dyads_emitted", "Dyad score records published", registry=REGISTRY)
WINDOW_UPDATES = Counter("dyadwatch_window_updates", "Window aggregates published", registry=REGISTRY)
WINDOWS_CLOSED = Counter("dyadwatch_windows_closed", "Windows closed and published as final", registry=REGISTRY)
DUPLICATES = Counter("dyadwatch_duplicates_ignored", "Dyad scores already counted (redeliveries)", registry=REGISTRY)
OPEN_WINDOWS = Gauge("dyadwatch_windows_open", "Windows held in memory on this worker", registry=REGISTRY)
CONSUMER_LAG = Gauge("dyadwatch_consumer_lag_records", "Records not yet committed by this worker",
                     ["topic", "partition"], registry=REGISTRY)  # fmt: skip
REBALANCES = Counter("dyadwatch_rebalances", "Consumer-group rebalances seen by this worker", registry=REGISTRY)
WORKER_READY = Gauge("dyadwatch_worker_ready", "1 once the worker's app has started (0 before)",
                     registry=REGISTRY)  # fmt: skip
ALERTS = Counter("dyadwatch_alerts", "Tone-shift alerts published", ["direction"], registry=REGISTRY)
PROCESSING_SECONDS = Histogram(
    "dyadwatch_processing_seconds", "Time spent per record, by stage", ["stage"], registry=REGISTRY,
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)  # fmt: skip
EVENT_LAG_SECONDS = Histogram(
    "dyadwatch_event_lag_seconds", "Arrival time minus published_at of tagged articles", registry=REGISTRY,
    buckets=(1, 10, 60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400),
)  # fmt: skip
COUNTRY_MENTIONS = Counter(
    "dyadwatch_country_mentions", "Country mentions in tagged articles (one label value per gazetteer entity)",
    ["country"], registry=REGISTRY,
)  # fmt: skip
OTHER_WINDOW_UPDATES = Counter(
    "dyadwatch_dyad_window_updates_other", "Window updates of pairs outside the watch-list and top K", registry=REGISTRY
)
# Per-pair series exist only for the watch-list plus the top-K busiest pairs (bounded; see keep_pairs).
DYAD_SENTIMENT = Gauge("dyadwatch_dyad_sentiment", "Mean tone of the pair's latest window", ["pair", "window"],
                       registry=REGISTRY)  # fmt: skip
DYAD_ARTICLES = Gauge("dyadwatch_dyad_articles", "Articles in the pair's latest window", ["pair", "window"],
                      registry=REGISTRY)  # fmt: skip
SHIFT_Z = Gauge("dyadwatch_dyad_shift_zscore", "z statistic of the pair's last closed window against its baseline",
                ["pair", "window"], registry=REGISTRY)  # fmt: skip
DYAD_DIRECTED_SENTIMENT = Gauge(
    "dyadwatch_dyad_directed_sentiment",
    "Mean directed tone in the pair's latest window: `direction` A→B is what A says or does toward B",
    ["pair", "direction", "window"],
    registry=REGISTRY,
)
PAIR_GAUGES = (DYAD_SENTIMENT, DYAD_ARTICLES, SHIFT_Z, DYAD_DIRECTED_SENTIMENT)

for reason in REASONS:
    ARTICLES_DEAD_LETTERED.labels(reason)  # every reason is exported from the start, at 0
for topic in ("dyads", "gazetteer"):
    for reason in INTERNAL_REASONS:
        INTERNAL_RECORDS_SKIPPED.labels(topic, reason)
for direction in ("up", "down"):
    ALERTS.labels(direction)
for result in ("applied", "rejected", "withdrawn"):
    GAZETTEER_UPDATES.labels(result)
for limit in ("chars", "sentences", "mentions", "pairs"):
    ARTICLES_TRUNCATED.labels(limit)
# Children used per record, looked up once (labels() takes a lock and builds a key at each call).
TAG_SECONDS = PROCESSING_SECONDS.labels("tag")
AGGREGATE_SECONDS = PROCESSING_SECONDS.labels("aggregate")


@cache
def country_mentions(country: str) -> Counter:
    """The country's mention counter (bounded: one per gazetteer entity; never removed, so safe to keep)."""
    return COUNTRY_MENTIONS.labels(country)


class PairGauges:
    """Per-pair gauges for a watch-list plus the top-K busiest pairs; everything else is counted as "other"."""

    def __init__(self, watch: set[str], k: int, refresh_every: int = 100) -> None:
        self.watch = set(watch)
        self.busiest = TopK(k)
        self.updates = 0
        self.refresh_every = refresh_every
        self._tracked: set[str] = set(self.watch)
        # (pair, window) -> its children (sentiment, articles, a→b, b→a); emptied whenever prune may remove children
        self._children: dict[tuple[str, str], tuple[Any, Any, Any, Any]] = {}

    def tracked(self) -> set[str]:
        return self._tracked

    def window(self, record: dict) -> None:
        self.busiest.add(record["pair"])
        if self.updates % self.refresh_every == 0:  # the top K moves slowly; recomputing it per update is costly
            self._tracked = self.watch | set(self.busiest.top())
        pair = record["pair"]
        if pair in self._tracked:
            children = self._children.get((pair, record["window"]))
            if children is None:
                children = self._children[(pair, record["window"])] = self._children_of(record)
            sentiment, articles, a_to_b, b_to_a = children
            sentiment.set(record["mean"])
            articles.set(record["articles"])
            if record.get("a_to_b_mean") is not None:
                a_to_b.set(record["a_to_b_mean"])
            if record.get("b_to_a_mean") is not None:
                b_to_a.set(record["b_to_a_mean"])
        else:
            OTHER_WINDOW_UPDATES.inc()
        self.updates += 1
        if self.updates % 1000 == 0:
            self.prune()

    @staticmethod
    def _children_of(record: dict) -> tuple[Any, Any, Any, Any]:
        pair, window, a, b = record["pair"], record["window"], record["a"], record["b"]
        return (
            DYAD_SENTIMENT.labels(pair, window),
            DYAD_ARTICLES.labels(pair, window),
            _Lazy(DYAD_DIRECTED_SENTIMENT, (pair, f"{a}→{b}", window)),
            _Lazy(DYAD_DIRECTED_SENTIMENT, (pair, f"{b}→{a}", window)),
        )

    def shift(self, pair: str, window: str, z: float) -> None:
        if pair in self.tracked():
            SHIFT_Z.labels(pair, window).set(z)

    def prune(self) -> None:
        """Drop the series of pairs that fell out of the tracked set, so the series count stays bounded."""
        self._tracked = keep = self.watch | set(self.busiest.top())
        self._children.clear()
        for gauge in PAIR_GAUGES:
            for labels in list(gauge._metrics):  # prometheus-client keeps children keyed by label values
                if labels[0] not in keep:
                    gauge.remove(*labels)

    @staticmethod
    def series() -> int:
        return sum(len(gauge._metrics) for gauge in PAIR_GAUGES)


class _Lazy:
    """A labelled child made on its first `set`: a directed tone's series exists only once that direction has one."""

    __slots__ = ("child", "gauge", "labels")

    def __init__(self, gauge: Gauge, labels: tuple[str, ...]) -> None:
        self.gauge, self.labels, self.child = gauge, labels, None

    def set(self, value: float) -> None:
        if self.child is None:
            self.child = self.gauge.labels(*self.labels)
        self.child.set(value)


def exposition() -> bytes:
    return generate_latest(REGISTRY)
