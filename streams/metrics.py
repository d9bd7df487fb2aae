"""Prometheus metrics of a worker (prometheus-client), served at /metrics on the worker's web port.

Names follow `dyadwatch_<noun>_<unit>_total`; every label has a fixed, small set of values.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

from processors.article import REASONS

REGISTRY = CollectorRegistry(auto_describe=True)

ARTICLES_RECEIVED = Counter("dyadwatch_articles_received", "Input records read", registry=REGISTRY)
ARTICLES_TAGGED = Counter("dyadwatch_articles_tagged", "Articles tagged and published", registry=REGISTRY)
ARTICLES_DEAD_LETTERED = Counter(
    "dyadwatch_articles_dead_lettered", "Input records sent to the dead-letter topic", ["reason"], registry=REGISTRY
)
DYADS_EMITTED = Counter("dyadwatch_dyads_emitted", "Dyad score records published", registry=REGISTRY)
WINDOW_UPDATES = Counter("dyadwatch_window_updates", "Window aggregates published", registry=REGISTRY)
WINDOWS_CLOSED = Counter("dyadwatch_windows_closed", "Windows closed and published as final", registry=REGISTRY)
DUPLICATES = Counter("dyadwatch_duplicates_ignored", "Dyad scores already counted (redeliveries)", registry=REGISTRY)
OPEN_WINDOWS = Gauge("dyadwatch_windows_open", "Windows held in memory on this worker", registry=REGISTRY)

for reason in REASONS:
    ARTICLES_DEAD_LETTERED.labels(reason)  # every reason is exported from the start, at 0


def exposition() -> bytes:
    return generate_latest(REGISTRY)
