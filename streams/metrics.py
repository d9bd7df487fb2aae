"""Prometheus metrics of a worker (prometheus-client), served at /metrics on the worker's web port.

Names follow `dyadwatch_<noun>_<unit>_total`; every label has a fixed, small set of values.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from functools import cache
from typing import Any, Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from dyadwatch.processors.article import REASONS
from dyadwatch.processors.topk import TopK

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
DYADS_RECORDS_CONSUMED = Counter(
    "dyadwatch_dyads_records_consumed", "Records of the dyads topic read by the aggregation stage", registry=REGISTRY
)
RECORDS_PRODUCED = Counter(
    "dyadwatch_records_produced", "Records the worker wrote (outputs, dyads, changelogs)", registry=REGISTRY
)
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


class PairSeries(Collector):
    """The per-pair gauges, kept as plain values and exposed at scrape time (a custom collector): PairGauges sets and
    prunes them, so the series count stays bounded without reaching into prometheus-client's children."""

    FAMILIES: Final = {
        "dyadwatch_dyad_sentiment": ("Mean tone of the pair's latest window", ("pair", "window")),
        "dyadwatch_dyad_articles": ("Articles in the pair's latest window", ("pair", "window")),
        "dyadwatch_dyad_shift_zscore": (
            "z statistic of the pair's last closed window against its baseline",
            ("pair", "window"),
        ),
        "dyadwatch_dyad_directed_sentiment": (
            "Mean directed tone in the pair's latest window: `direction` A→B is what A says or does toward B",
            ("pair", "direction", "window"),
        ),
    }

    def __init__(self) -> None:
        self.values: dict[tuple[str, tuple[str, ...]], float] = {}  # (family, label values; pair first) -> value

    def put(self, family: str, labels: tuple[str, ...], value: float) -> None:
        self.values[(family, labels)] = value

    def keep_pairs(self, keep: Set[str]) -> None:
        for key in [key for key in self.values if key[1][0] not in keep]:
            del self.values[key]

    def describe(self) -> list[Metric]:
        return list(self._families().values())

    def collect(self) -> list[Metric]:
        families = self._families()
        for (name, labels), value in list(self.values.items()):
            families[name].add_metric(labels, value)
        return list(families.values())

    def _families(self) -> dict[str, GaugeMetricFamily]:
        return {name: GaugeMetricFamily(name, text, labels=labels) for name, (text, labels) in self.FAMILIES.items()}


PAIR_SERIES = PairSeries()
REGISTRY.register(PAIR_SERIES)

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

    def tracked(self) -> set[str]:
        return self._tracked

    def window(self, record: Mapping[str, Any]) -> None:
        self.busiest.add(record["pair"])
        if self.updates % self.refresh_every == 0:  # the top K moves slowly; recomputing it per update is costly
            self._tracked = self.watch | set(self.busiest.top())
        pair, window = record["pair"], record["window"]
        if pair in self._tracked:
            PAIR_SERIES.put("dyadwatch_dyad_sentiment", (pair, window), record["mean"])
            PAIR_SERIES.put("dyadwatch_dyad_articles", (pair, window), record["articles"])
            for direction, field in ((f"{record['a']}→{record['b']}", "a_to_b_mean"),
                                     (f"{record['b']}→{record['a']}", "b_to_a_mean")):  # fmt: skip
                if record.get(field) is not None:
                    PAIR_SERIES.put("dyadwatch_dyad_directed_sentiment", (pair, direction, window), record[field])
        else:
            OTHER_WINDOW_UPDATES.inc()
        self.updates += 1
        if self.updates % 1000 == 0:
            self.prune()

    def shift(self, pair: str, window: str, z: float) -> None:
        if pair in self.tracked():
            PAIR_SERIES.put("dyadwatch_dyad_shift_zscore", (pair, window), z)

    def prune(self) -> None:
        """Drop the series of pairs that fell out of the tracked set, so the series count stays bounded."""
        self._tracked = keep = self.watch | set(self.busiest.top())
        PAIR_SERIES.keep_pairs(keep)

    @staticmethod
    def series() -> int:
        return len(PAIR_SERIES.values)


def exposition() -> bytes:
    return generate_latest(REGISTRY)
