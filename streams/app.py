"""The Faust app: articles → tag → mentions + dyad scores (repartitioned by pair) → event-time window aggregates.

    articles ──tag_articles──▶ mentions            (key: article id)          streams/tagging.py
        │                  └─▶ dyads               (a batch's scores, one record per partition their pairs hash to,
        │                                           so one pair's windows live on one partition)
        └─(bad input)─────────▶ articles.dlq                                   streams/dead_letters.py
    dyads ───aggregate_dyads─▶ dyads.windows       (key: pair|window|window_start, latest value wins)
                           └─▶ alerts              (a closed window whose tone shifted)   streams/aggregation.py

Window state lives in a plain table (`dyad_windows`) managed by the aggregation stage, not in Faust's windowed
tables: windows close when the watermark passes their end plus the allowed lateness, are emitted once more with
final=true and are deleted, so a worker that runs for weeks holds only open windows. Each window remembers which
articles it has counted, so redeliveries after a crash or rebalance never count an article twice. Dyads records
are acked only after their effects are saved and durable (streams/checkpoint.py). docs/design.md follows one
article through all of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version
from typing import Any, cast

import faust

from dyadwatch.processors.limits import TextLimits
from dyadwatch.streams import faust_internals, metrics
from dyadwatch.streams.aggregation import AggregationStage
from dyadwatch.streams.dead_letters import DeadLetters
from dyadwatch.streams.heap import settle_heap, trim_heap
from dyadwatch.streams.live_gazetteer import LiveGazetteer
from dyadwatch.streams.outbox import Outbox
from dyadwatch.streams.security import faust_credentials
from dyadwatch.streams.settings import Settings
from dyadwatch.streams.tagging import TaggingStage
from dyadwatch.streams.window_state import WindowState

CODE_VERSION = version("dyadwatch")


@dataclass(frozen=True)
class Topics:
    articles: Any
    dead_letters: Any
    mentions: Any
    dyads: Any
    windows: Any
    alerts: Any

    @classmethod
    def declare(cls, app: faust.App, settings: Settings) -> Topics:
        def raw(name: str, **options: Any) -> Any:
            return app.topic(settings.topic(name), value_serializer="raw", key_serializer="raw", **options)

        partitioned = {"key_type": bytes, "value_type": bytes, "partitions": settings.partitions}
        return cls(articles=raw("articles", **partitioned), dead_letters=raw("articles.dlq"),
                   mentions=raw("mentions"), dyads=raw("dyads", **partitioned), windows=raw("dyads.windows"),
                   alerts=raw("alerts"))  # fmt: skip


def faust_app(settings: Settings) -> faust.App:
    faust_internals.check_versions()
    faust_internals.tune_fetch_wait(settings.fetch_max_wait_ms)
    faust_internals.install_fast_delivery()
    faust_internals.install_fast_partitioner()
    return faust.App(
        settings.app_id,
        broker=settings.faust_broker,
        broker_credentials=faust_credentials(settings),
        store="memory://",
        datadir=str(settings.workdir),
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=settings.heartbeat_interval,
        broker_rebalance_timeout=settings.rebalance_timeout,
        broker_commit_interval=settings.commit_interval,
        consumer_auto_offset_reset="earliest",
        web_port=settings.web_port,
        web_host="127.0.0.1",
        table_standby_replicas=0,
        producer_linger=settings.producer_linger,
        producer_max_request_size=settings.max_record_bytes,
    )


def create_app(settings: Settings) -> faust.App:
    app = faust_app(settings)
    topics = Topics.declare(app, settings)
    dyad_windows = app.Table("dyad_windows", default=None, partitions=settings.partitions)
    stream_clock = app.Table("dyad_stream_clock", default=float, partitions=settings.partitions)
    tone_baselines = app.Table("dyad_tone_baselines", default=None, partitions=settings.partitions)

    limits = TextLimits(settings.max_chars, settings.max_sentences, settings.max_mentions, settings.max_pairs)
    gazetteer = LiveGazetteer(settings, limits, CODE_VERSION)
    gazetteer.load()
    outbox = Outbox(app)  # every record the agents write but dead letters and alerts, in order (streams/outbox.py)
    dead_letters = DeadLetters(topics.dead_letters, settings.dead_letter_original_bytes)
    tagging = TaggingStage(settings, gazetteer, outbox, dead_letters, topics)
    state = WindowState(dyad_windows, stream_clock, save_interval=settings.commit_interval, changelog=outbox.changelog)
    aggregation = AggregationStage(settings, state, outbox, topics, tone_baselines)

    @app.agent(topics.articles)
    async def tag_articles(stream: faust.StreamT) -> None:
        articles: Any = cast(faust.Stream, stream).noack()  # acked by the stage, once its batch is handed over
        tagging.stream = articles
        async for event in articles.events():
            await tagging.handle(event, more_queued=not articles.channel.queue.empty())

    @app.timer(interval=settings.watermark_interval)
    async def announce_watermarks() -> None:
        if tagging.unacked:  # a batch the agent holds while no record comes (Faust paused delivery): send, ack
            await tagging.flush()
        tagging.announce_progress()
        await outbox.drain()
        if settings.idle_timeout > 0:
            await tagging.announce_idle(app.consumer)

    @app.agent(topics.dyads)
    async def aggregate_dyads(stream: faust.StreamT) -> None:
        scores: Any = cast(faust.Stream, stream).noack()  # acked by the checkpoint, once their effects are saved
        aggregation.checkpoint.stream = scores
        async for event in scores.events():
            await aggregation.handle(event, more_queued=not scores.channel.queue.empty())

    @app.task
    async def commit_saved() -> None:
        await aggregation.checkpoint.run()

    @app.timer(interval=0.25)
    async def save_when_idle() -> None:
        await aggregation.tick()

    @app.timer(interval=30.0)
    async def prune_pair_gauges() -> None:
        aggregation.pair_gauges.prune()

    @app.timer(interval=30.0)
    async def return_free_memory() -> None:
        trim_heap()

    @app.on_partitions_revoked.connect  # type: ignore[arg-type]  # mode types receivers too narrowly
    async def forget_unsaved(sender: Any, *args: Any, signal: Any = None, **kwargs: Any) -> None:
        metrics.REBALANCES.inc()
        aggregation.forget()
        tagging.forget()

    add_worker_plumbing(app, settings, gazetteer)
    return app


def add_worker_plumbing(app: faust.App, settings: Settings, gazetteer: LiveGazetteer) -> None:
    """Readiness, consumer lag, the live gazetteer and /metrics."""
    sources = {settings.topic("articles"), settings.topic("dyads")}

    @app.timer(interval=5.0)
    async def report_lag() -> None:
        consumer = app.consumer
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp) if tp.topic in sources else None
            if highwater is not None:
                committed = faust_internals.committed_offset(consumer, tp) or 0
                metrics.CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(max(0, highwater - committed))

    @app.on_after_configured.connect  # type: ignore[arg-type]
    def not_ready_yet(sender: Any, *args: Any, signal: Any = None, **kwargs: Any) -> None:
        metrics.WORKER_READY.set(0)

    @app.task
    async def mark_ready() -> None:
        settle_heap()  # the gazetteer and the clients are loaded by now
        metrics.WORKER_READY.set(1)

    @app.task
    async def follow_gazetteer() -> None:
        await gazetteer.follow()

    @app.page("/metrics")
    async def prometheus_metrics(web: Any, request: Any) -> Any:
        return web.bytes(metrics.exposition(), content_type="text/plain")
