"""The Faust app: articles → tag → mentions + dyad scores (repartitioned by pair) → event-time window aggregates.

    articles ──tag_articles──▶ mentions            (key: article id)
        │                  └─▶ dyads               (key: pair, so one pair's windows live on one partition)
        └─(bad input)─────────▶ articles.dlq
    dyads ───aggregate_dyads─▶ dyads.windows       (key: pair|window|window_start, latest value wins)

Window state lives in a plain table (`dyad_windows`) managed here, not in Faust's windowed tables: windows close when
the watermark (the least arrival time reached over all input partitions) passes their end plus the allowed
lateness, are emitted once more with final=true and are deleted, so a worker that runs for weeks holds only open
windows. Each window remembers which articles it has counted, so redeliveries after a crash or rebalance never
count an article twice. Window updates are published once per batch of dyads records and saved once per commit
interval, with the records acked after the save (streams/window_state.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

import faust
import orjson

from processors.article import ArticleError, decode_article
from processors.limits import TextLimits
from processors.shifts import Baseline, ShiftRules, observe
from processors.windows import WindowAggregate, has_unread, is_closed, is_too_late, watermark, window_start
from streams import delivery, metrics
from streams.dead_letters import DeadLetters
from streams.heap import settle_heap
from streams.internal_records import SkippedRecord, read_dyads_value
from streams.live_gazetteer import LiveGazetteer
from streams.outbox import Outbox
from streams.security import faust_credentials
from streams.settings import Settings
from streams.window_state import WindowState

log = logging.getLogger("dyadwatch")
FUTURE_TOLERANCE_S = 86400
MAX_UNSAVED = 5000  # dyads records held unacked until their windows are saved, at most
CODE_VERSION = version("dyadwatch")


def tune_fetch_wait(milliseconds: int) -> None:
    """faust-streaming hard-codes fetch_max_wait_ms=1500 for its consumers (faust/transport/drivers/aiokafka.py), so
    each hop of the pipeline may wait 1.5 s on a partly empty fetch; replace that value with ours."""
    import aiokafka

    original = aiokafka.AIOKafkaConsumer.__init__
    if getattr(original, "dyadwatch_fetch_wait", None) == milliseconds:
        return
    base = getattr(original, "dyadwatch_original", original)

    def init(self: Any, *topics: Any, **kwargs: Any) -> None:
        if kwargs.get("fetch_max_wait_ms") == 1500:
            kwargs["fetch_max_wait_ms"] = milliseconds
        base(self, *topics, **kwargs)

    init.dyadwatch_fetch_wait = milliseconds  # type: ignore[attr-defined]
    init.dyadwatch_original = base  # type: ignore[attr-defined]
    aiokafka.AIOKafkaConsumer.__init__ = init  # type: ignore[method-assign]


def create_app(settings: Settings) -> faust.App:
    tune_fetch_wait(settings.fetch_max_wait_ms)
    delivery.install()
    app = faust.App(
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

    articles = app.topic(settings.topic("articles"), key_type=bytes, value_type=bytes, value_serializer="raw",
                         key_serializer="raw", partitions=settings.partitions)  # fmt: skip
    dead_letters = app.topic(settings.topic("articles.dlq"), value_serializer="raw", key_serializer="raw")
    mentions = app.topic(settings.topic("mentions"), value_serializer="raw", key_serializer="raw")
    dyads = app.topic(settings.topic("dyads"), key_type=bytes, value_type=bytes, value_serializer="raw",
                      key_serializer="raw", partitions=settings.partitions)  # fmt: skip
    windows = app.topic(settings.topic("dyads.windows"), value_serializer="raw", key_serializer="raw")
    alerts = app.topic(settings.topic("alerts"), value_serializer="raw", key_serializer="raw")

    dyad_windows = app.Table("dyad_windows", default=None, partitions=settings.partitions)
    stream_clock = app.Table("dyad_stream_clock", default=float, partitions=settings.partitions)
    tone_baselines = app.Table("dyad_tone_baselines", default=None, partitions=settings.partitions)
    shift_rules = ShiftRules(min_articles=settings.alert_min_articles, z_threshold=settings.alert_z)
    pair_gauges = metrics.PairGauges(set(settings.watch_pairs), settings.top_pairs)

    limits = TextLimits(settings.max_chars, settings.max_sentences, settings.max_mentions, settings.max_pairs)
    gazetteer = LiveGazetteer(settings, limits, CODE_VERSION)
    gazetteer.load()
    open_windows: dict[int, dict[str, int]] = {}  # partition -> {table key: window end}, rebuilt from the table
    next_close: dict[int, float] = {}
    latest_arrival: dict[int, float] = {}  # input partition -> latest arrival tagged here
    announced: dict[int, float] = {}  # input partition -> latest arrival announced as a watermark
    last_record: dict[int, float] = {}  # input partition -> when (monotonic) a record of it was last seen here
    announced_idle: set[int] = set()  # input partitions announced idle and silent since
    processed_next: dict[int, int] = {}  # input partition -> offset after the last record tagged here

    outbox = Outbox(app)  # every record the agents write but dead letters and alerts, in order (streams/outbox.py)
    mentions_topic, dyads_topic = mentions.get_topic_name(), dyads.get_topic_name()

    refused = DeadLetters(dead_letters, settings.dead_letter_original_bytes)

    async def refuse(event: Any, raw: bytes | None, error: Exception, reason: str, message: str) -> None:
        await refused.send(event.message, raw, error, reason, message)

    @app.agent(articles)
    async def tag_articles(stream: faust.StreamT) -> None:
        async for event in stream.events():
            metrics.ARTICLES_RECEIVED.inc()
            last_record[event.message.partition] = time.monotonic()
            processed_next[event.message.partition] = event.message.offset + 1
            announced_idle.discard(event.message.partition)
            raw = event.value
            arrived_at = event.message.timestamp or datetime.now(UTC).timestamp()
            try:
                article = decode_article(raw, max_bytes=settings.max_article_bytes)
                published = article.published_at.timestamp()
                if published > arrived_at + FUTURE_TOLERANCE_S:
                    raise ArticleError("future_date", f"published_at {article.published_at.isoformat()} is after "
                                       "its arrival by more than a day")  # fmt: skip
                if is_too_late(published, arrived_at, settings.lateness):
                    raise ArticleError("too_late", f"arrived {arrived_at - published:.0f}s after publication, more "
                                       f"than the allowed lateness of {settings.lateness}s")  # fmt: skip
                started = time.perf_counter()
                result = gazetteer.analyzer.analyze(article)
                metrics.TAG_SECONDS.observe(time.perf_counter() - started)
            except ArticleError as exc:
                await refuse(event, raw, exc, exc.reason, exc.message)
                continue
            except Exception as exc:  # a bug must not stop the worker; the record is kept in the DLQ
                log.exception("tagging failed at %s/%s", event.message.partition, event.message.offset)
                await refuse(event, raw, exc, "internal_error", f"{type(exc).__name__}: {exc}")
                continue
            result["versions"] = gazetteer.versions
            if "truncated" in result:
                metrics.ARTICLES_TRUNCATED.labels(result["truncated"]).inc()
            source = event.message.partition
            latest_arrival[source] = max(latest_arrival.get(source, 0.0), arrived_at)
            outbox.put(mentions_topic, article.id.encode(), orjson.dumps(result))
            metrics.ARTICLES_TAGGED.inc()
            metrics.EVENT_LAG_SECONDS.observe(max(0.0, arrived_at - published))
            for country, info in result["countries"].items():
                metrics.country_mentions(country).inc(info["mentions"])
            for dyad in result["dyads"]:
                if dyad["sentences"] == 0:
                    continue  # named in the same article but never related in a sentence
                strongest = max(dyad["evidence"], key=lambda e: abs(e["score"]), default={"text": ""})
                score = {
                    "pair": dyad["pair"], "a": dyad["a"], "b": dyad["b"], "sentiment": dyad["sentiment"],
                    "sentences": dyad["sentences"], "published_at": result["published_at"],
                    "article_id": article.id, "arrived_at": arrived_at, "source_partition": source,
                    "evidence": strongest["text"], **_directed(dyad), "versions": gazetteer.versions,
                }  # fmt: skip
                outbox.put(dyads_topic, dyad["pair"].encode(), orjson.dumps(score))
                metrics.DYADS_EMITTED.inc()
            await outbox.drain()

    @app.timer(interval=settings.watermark_interval)
    async def announce_watermarks() -> None:
        """Tell every dyads partition how far each input partition has got, so windows close even on
        partitions whose pairs are quiet (see stream_time below)."""
        for source, arrival in list(latest_arrival.items()):
            if arrival > announced.get(source, 0.0):
                marker = orjson.dumps({"watermark": arrival, "source_partition": source})
                for partition in range(settings.partitions):
                    outbox.put(dyads_topic, None, marker, partition)  # after the scores it vouches for
                announced[source] = arrival
        await outbox.drain()
        if settings.idle_timeout > 0:
            await announce_idle()

    async def announce_idle() -> None:
        """Tell every dyads partition which of this worker's input partitions have sent nothing for idle_timeout
        seconds and have nothing left to read: the watermark leaves them out until they send again, so a quiet
        partition does not hold every window open. Opt-in, because it makes closing depend on the wall clock."""
        now = time.monotonic()
        for tp in app.consumer.assignment():
            if tp.topic != articles.get_topic_name() or tp.partition in announced_idle:
                continue
            source = tp.partition
            if now - last_record.setdefault(source, now) < settings.idle_timeout:
                continue
            position = app.consumer._read_offset.get(tp)  # Faust's: committed offset, then last offset fetched
            if has_unread(app.consumer.highwater(tp), processed_next.get(source), position):
                continue  # records left to read: busy, not idle
            marker = orjson.dumps({"watermark": latest_arrival.get(source, 0.0), "source_partition": source,
                                   "idle": True})  # fmt: skip
            for partition in range(settings.partitions):
                outbox.put(dyads_topic, None, marker, partition)
            await outbox.drain()
            announced_idle.add(source)
            log.info(
                "input partition %s idle for %.0fs: windows no longer wait for it", source, now - last_record[source]
            )

    state = WindowState(dyad_windows, stream_clock, save_interval=settings.commit_interval, changelog=outbox.changelog)
    windows_topic = windows.get_topic_name()

    def send_window(key: bytes, value: bytes) -> None:
        outbox.put(windows_topic, key, value)

    def stream_time(partition: int) -> float:
        """Event-time watermark of a dyads partition: the least progress over the input partitions, leaving out
        those announced idle (processors.windows.watermark). Records of one input partition arrive in order, so no
        valid record of a partition that is not idle can fall into a window closed at this time."""
        sources = range(settings.partitions)
        progress = {source: state.clock_of(f"{partition}:{source}") for source in sources}
        idle = {source for source in sources if state.clock_of(f"{partition}:{source}:idle")}
        key = f"{partition}:watermark"
        now = watermark(progress, idle, state.clock_of(key))
        state.advance(key, partition, now)
        return now

    def windows_of(partition: int) -> dict[str, int]:
        index = open_windows.get(partition)
        if index is None:  # first record of this partition since start or rebalance: rebuild from the table
            index = open_windows[partition] = state.open_on(partition)
            next_close[partition] = min(index.values(), default=float("inf")) + settings.lateness
        return index

    closing_due: set[int] = set()  # dyads partitions whose watermark has passed the end of a window
    nothing_due = asyncio.Event()  # set while closing_due is empty: acks wait for it (see ack_saved)
    nothing_due.set()
    closing = asyncio.Lock()
    last_close = time.monotonic()

    async def close_due() -> None:
        """Close the windows the watermark has passed, at most once per commit interval: each close waits for the
        broker, and a replay passes window ends many times a second. No valid record can fall into a window
        meanwhile (it would be too late), and a redelivered one is counted once."""
        nonlocal last_close
        if not closing_due or time.monotonic() - last_close < settings.commit_interval:
            return
        async with closing:
            if not closing_due:
                return  # closed by the other caller (the agent or the timer) while this one waited
            last_close = time.monotonic()
            save()
            await make_durable()  # the clocks that close these windows can be restored before any window is removed
            partitions = sorted(closing_due)  # read after the wait: a rebalance meanwhile forgets them
            closing_due.clear()
            for partition in partitions:
                await close_windows(partition, state.clock_of(f"{partition}:watermark"))
            await outbox.drain()
            if not closing_due:
                nothing_due.set()

    async def close_windows(partition: int, now: float) -> None:
        index = windows_of(partition)
        for key, end in sorted(index.items(), key=lambda item: item[1]):
            if not is_closed(end, now, settings.lateness):
                break
            aggregate = state.get(key)
            if aggregate is not None:
                final = aggregate.record(True)
                send_window(final["key"].encode(), orjson.dumps(final))
                metrics.WINDOWS_CLOSED.inc()
                await check_shift(partition, final, aggregate.movers)
                state.closed(key, partition)
            del index[key]
        next_close[partition] = min(index.values(), default=float("inf")) + settings.lateness

    async def check_shift(partition: int, final: dict, movers: list[dict]) -> None:
        """Compare a closed window with its pair's baseline; publish an alert when the tone shifted."""
        baseline_key = f"{final['pair']}|{final['window']}"
        baseline = Baseline.from_state(tone_baselines.get(baseline_key))
        shift, z = observe({**final, "movers": movers}, baseline, shift_rules)
        state.put(tone_baselines, partition, baseline_key, baseline.to_state())
        pair_gauges.shift(final["pair"], final["window"], z)
        if shift is not None:
            metrics.ALERTS.labels(shift.direction).inc()
            alert = {**shift.record(), "versions": final.get("versions", {})}
            await alerts.send(key=final["key"].encode(), value=orjson.dumps(alert))

    @app.timer(interval=30.0)
    async def prune_pair_gauges() -> None:
        pair_gauges.prune()

    acking: list[Any] = []  # the agent's stream, through which saved records are acked

    @app.agent(dyads)
    async def aggregate_dyads(stream: faust.StreamT) -> None:
        scores = stream.noack()  # acked once their effects are saved (see streams/window_state.py)
        acking[:] = [scores]
        async for event in scores.events():
            try:
                started = time.perf_counter()
                await add_to_windows(event.message.partition, read_dyads_value(event.value))
                metrics.AGGREGATE_SECONDS.observe(time.perf_counter() - started)
            except SkippedRecord as exc:  # not written by a worker: nothing to count
                metrics.INTERNAL_RECORDS_SKIPPED.labels("dyads", exc.reason).inc()
                log.error("dyads record %s/%s skipped: %s", event.message.partition, event.message.offset, exc)
            except Exception:  # a bug must not stop the worker
                metrics.INTERNAL_RECORDS_SKIPPED.labels("dyads", "internal_error").inc()
                log.exception("aggregation failed at %s/%s", event.message.partition, event.message.offset)
            state.pending.append(event)
            if scores.channel.queue.empty() or len(state.unpublished) >= state.publish_every:
                publish()
            if state.due() or len(state.pending) >= MAX_UNSAVED:
                save()
            await outbox.drain()
            await close_due()

    def publish() -> None:
        for record in state.publish(send_window):
            metrics.WINDOW_UPDATES.inc()
            pair_gauges.window(record)
        metrics.OPEN_WINDOWS.set(sum(len(index) for index in open_windows.values()))

    saved_batches: asyncio.Queue[list[Any]] = asyncio.Queue()

    def save() -> None:
        publish()
        saved = state.save()
        if saved:
            saved_batches.put_nowait(saved)

    async def make_durable() -> None:
        """Every table write so far reaches the broker, sealed so that a restore reads all of it (see
        streams/window_state.py). Without the seal, a worker killed just after closing a window could restore its
        tombstone but not the clocks that closed it, and count the window's redelivered records into a new one."""
        await outbox.flush()
        state.seal()
        await outbox.flush()

    @app.task
    async def ack_saved() -> None:
        """Acks saved records once their table writes have reached the broker: Faust commits acked offsets without
        draining pending changelog writes. Off the agent's path, so its waits do not add to latency."""
        while True:
            saved = await saved_batches.get()
            await make_durable()
            # A record that made a window due is acked only once the window is closed: the due mark lives in this
            # process, so if a rebalance came first, only a redelivery would tell the partition's next owner.
            await nothing_due.wait()
            for event in saved:
                await acking[0].ack(event)

    @app.timer(interval=0.25)
    async def save_when_idle() -> None:
        """Saves (and acks) the last records of a burst, and a batch left behind when a rebalance cleared the
        queue between two records, so a rebalance or shutdown waiting for acks is never stuck; closes the windows
        the last records made due."""
        if acking and state.due():
            save()
        await outbox.drain()
        await close_due()

    async def add_to_windows(partition: int, score: dict) -> None:
        arrival = score.get("watermark", score.get("arrived_at", 0.0))
        source = score["source_partition"]
        state.advance(f"{partition}:{source}", partition, arrival)
        state.set_clock(f"{partition}:{source}:idle", partition, 1.0 if score.get("idle") else 0.0)
        now = stream_time(partition)
        if "pair" in score:
            count_score(partition, score, now)
        if now > next_close.get(partition, float("inf")):
            closing_due.add(partition)
            nothing_due.clear()

    def count_score(partition: int, score: dict, now: float) -> None:
        index = windows_of(partition)
        published = datetime.fromisoformat(score["published_at"].replace("Z", "+00:00")).timestamp()
        for size in settings.windows:
            start = window_start(published, size)
            key = f"{score['pair']}|{size}|{start}"
            if is_closed(start + size, now, settings.lateness):
                if key not in index:  # a redelivery after the window closed: it was counted before
                    continue
            aggregate = state.get(key) or WindowAggregate(score["pair"], size, start)
            if not aggregate.add(score["article_id"], score["sentiment"], score["sentences"], published,
                                 score["arrived_at"], score.get("evidence", ""), score.get("a_to_b"),
                                 score.get("b_to_a"), score.get("versions")):  # fmt: skip
                metrics.DUPLICATES.inc()
                continue  # already counted: a duplicate or a redelivery
            state.changed(key, partition, aggregate)
            index[key] = start + size
            next_close[partition] = min(next_close.get(partition, float("inf")), start + size + settings.lateness)

    @app.timer(interval=5.0)
    async def report_lag() -> None:
        sources = {settings.topic("articles"), settings.topic("dyads")}
        consumer = app.consumer
        for tp in consumer.assignment():
            if tp.topic not in sources:
                continue
            highwater = consumer.highwater(tp)
            committed = consumer._committed_offset.get(tp)  # Faust's own record of the last commit
            if highwater is not None:
                metrics.CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(max(0, highwater - (committed or 0)))

    @app.on_after_configured.connect
    def not_ready_yet(sender: faust.App, **kwargs: Any) -> None:
        metrics.WORKER_READY.set(0)

    @app.task
    async def mark_ready() -> None:
        settle_heap()  # the gazetteer and the clients are loaded by now
        metrics.WORKER_READY.set(1)

    @app.on_partitions_revoked.connect
    async def forget_window_index(sender: faust.App, revoked: Any = None, **kwargs: Any) -> None:
        metrics.REBALANCES.inc()
        open_windows.clear()  # rebuilt from the table for whatever partitions come back
        state.forget()
        next_close.clear()
        closing_due.clear()
        nothing_due.set()  # the records that made windows due are not acked: their partitions' next owners reread them
        latest_arrival.clear()  # whoever owns an input partition next re-learns its progress
        processed_next.clear()
        announced.clear()

    @app.task
    async def follow_gazetteer() -> None:
        await gazetteer.follow()

    @app.page("/metrics")
    async def prometheus_metrics(web: Any, request: Any) -> Any:
        return web.bytes(metrics.exposition(), content_type="text/plain")

    return app


def _directed(dyad: dict) -> dict[str, float | None]:
    """The dyad's directed scores as the dyads topic carries them: a_to_b and b_to_a (None when absent)."""
    ways = {(d["source"], d["target"]): d["sentiment"] for d in dyad.get("directed", ())}
    return {"a_to_b": ways.get((dyad["a"], dyad["b"])), "b_to_a": ways.get((dyad["b"], dyad["a"]))}
