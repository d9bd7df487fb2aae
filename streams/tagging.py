"""The tagging stage: an input record becomes a mentions record and one dyad score per related pair, or a dead
letter; and what this worker knows of each input partition's progress, announced on every dyads partition as
watermarks so that windows close even where pairs are quiet.

Scores are sent in batches: the records read in one go (until the agent has nothing more queued, or BATCH_ARTICLES)
make one dyads record per partition their pairs hash to, with the watermarks they allow, and are acked once those
are handed to the producer. At a trickle every article is its own batch, so latency does not change; at full speed
an article costs about one consumed record instead of one per pair and marker."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from dyadwatch.processors.article import Article, ArticleError, decode_article
from dyadwatch.processors.instants import format_instant
from dyadwatch.processors.windows import has_unread, is_too_late
from dyadwatch.schemas.contracts import MentionsV1
from dyadwatch.streams import dyad_records, faust_internals, metrics
from dyadwatch.streams.dead_letters import DeadLetters
from dyadwatch.streams.live_gazetteer import LiveGazetteer
from dyadwatch.streams.outbox import Outbox
from dyadwatch.streams.settings import Settings

log = logging.getLogger("dyadwatch")
FUTURE_TOLERANCE_S = 86400
BATCH_ARTICLES = 200  # input records per batch, at most


@dataclass
class Progress:
    """Per input partition read here: the latest arrival tagged, the latest announced, when (monotonic) a record was
    last seen, the offset after the last record, and whether it is announced idle."""

    latest_arrival: dict[int, float] = field(default_factory=dict)  # of the articles whose scores are sent
    announced: dict[int, float] = field(default_factory=dict)
    last_record: dict[int, float] = field(default_factory=dict)
    processed_next: dict[int, int] = field(default_factory=dict)
    announced_idle: set[int] = field(default_factory=set)

    def seen(self, partition: int, offset: int) -> None:
        self.last_record[partition] = time.monotonic()
        self.processed_next[partition] = offset + 1
        self.announced_idle.discard(partition)

    def tagged(self, partition: int, arrived_at: float) -> None:
        self.latest_arrival[partition] = max(self.latest_arrival.get(partition, 0.0), arrived_at)

    def forget(self) -> None:
        """After a revoke: whoever owns an input partition next re-learns its progress."""
        self.latest_arrival.clear()
        self.processed_next.clear()
        self.announced.clear()


class TaggingStage:
    def __init__(
        self, settings: Settings, gazetteer: LiveGazetteer, outbox: Outbox, dead_letters: DeadLetters, topics: Any
    ) -> None:
        self.settings = settings
        self.gazetteer = gazetteer
        self.outbox = outbox
        self.dead_letters = dead_letters
        self.mentions_topic = topics.mentions.get_topic_name()
        self.dyads_topic = topics.dyads.get_topic_name()
        self.articles_topic = topics.articles.get_topic_name()
        self.progress = Progress()
        self.batch = dyad_records.ScoreBatch(settings.partitions, settings.max_record_bytes // 4)
        self.unacked: list[Any] = []  # input events of the batch, acked once its records are handed over
        self.stream: Any = None  # the articles agent's stream, through which events are acked (set when it starts)

    async def handle(self, event: Any, more_queued: bool) -> None:
        """One input record: tagged and published, or dead-lettered with its reason; the batch is sent when nothing
        more is queued."""
        metrics.ARTICLES_RECEIVED.inc()
        message = event.message
        self.progress.seen(message.partition, message.offset)
        arrived_at = message.timestamp or datetime.now(UTC).timestamp()
        try:
            article, result = self.tag(event.value, arrived_at)
        except ArticleError as exc:
            await self.dead_letters.send(message, event.value, exc, exc.reason, exc.message)
        except Exception as exc:  # a bug must not stop the worker; the record is kept in the DLQ
            log.exception("tagging failed at %s/%s", message.partition, message.offset)
            await self.dead_letters.send(message, event.value, exc, "internal_error", f"{type(exc).__name__}: {exc}")
        else:
            self.publish(article, result, arrived_at, message.partition)
        self.unacked.append(event)
        if not more_queued or len(self.unacked) >= BATCH_ARTICLES:
            await self.flush()

    def tag(self, raw: bytes, arrived_at: float) -> tuple[Article, MentionsV1]:
        article = decode_article(raw, max_bytes=self.settings.max_article_bytes)
        published = article.published_at.timestamp()
        if published > arrived_at + FUTURE_TOLERANCE_S:
            raise ArticleError("future_date", f"published_at {format_instant(article.published_at)} is after its "
                               "arrival by more than a day")  # fmt: skip
        if is_too_late(published, arrived_at, self.settings.lateness):
            raise ArticleError("too_late", f"arrived {arrived_at - published:.0f}s after publication, more than the "
                               f"allowed lateness of {self.settings.lateness}s")  # fmt: skip
        started = time.perf_counter()
        result = self.gazetteer.analyzer.analyze(article)
        metrics.TAG_SECONDS.observe(time.perf_counter() - started)
        return article, result

    def publish(self, article: Article, result: MentionsV1, arrived_at: float, source: int) -> None:
        """Queue the mentions record of a tagged article, add its scores to the batch, and count them."""
        result["versions"] = self.gazetteer.versions
        if "truncated" in result:
            metrics.ARTICLES_TRUNCATED.labels(result["truncated"]).inc()
        self.outbox.put(self.mentions_topic, article.id.encode(), orjson.dumps(result))
        metrics.ARTICLES_TAGGED.inc()
        metrics.EVENT_LAG_SECONDS.observe(max(0.0, arrived_at - article.published_at.timestamp()))
        for country, info in result["countries"].items():
            metrics.country_mentions(country).inc(info["mentions"])
        self.batch.add_article(source, arrived_at)
        related = [dyad for dyad in result["dyads"] if dyad["sentences"]]  # not only named in the same article
        for dyad in related:
            self.batch.add(dyad_records.score(dyad, result, arrived_at, source), result["versions"])
        metrics.DYADS_EMITTED.inc(len(related))

    async def flush(self) -> None:
        """Send the batch: one dyads record per partition its pairs hash to, the last of each with the watermarks
        of its input partitions; then ack its input records."""
        for source, arrival in self.batch.arrivals.items():
            self.progress.tagged(source, arrival)
        marks = [dyad_records.watermark(self.progress.latest_arrival[source], source) for source in self.batch.arrivals]
        for partition, value in self.batch.take(marks):
            self.outbox.put(self.dyads_topic, None, value, partition)
        await self.outbox.drain()
        self.outbox.send_soon()
        events, self.unacked = self.unacked, []
        for event in events:
            await self.stream.ack(event)

    def announce_progress(self) -> None:
        """Queue, for every dyads partition, the watermarks of the input partitions that got further, after the
        scores they vouch for."""
        marks = []
        for source, arrival in list(self.progress.latest_arrival.items()):
            if arrival > self.progress.announced.get(source, 0.0):
                marks.append(dyad_records.watermark(arrival, source))
                self.progress.announced[source] = arrival
        if marks:
            self._announce(marks)

    async def announce_idle(self, consumer: Any) -> None:
        """Announce, on every dyads partition, the input partitions of this worker that have sent nothing for
        idle_timeout seconds and have nothing left to read: the watermark leaves them out until they send again,
        so a quiet partition does not hold every window open. Opt-in: it makes closing depend on the wall clock."""
        now, progress = time.monotonic(), self.progress
        for tp in consumer.assignment():
            source = tp.partition
            if tp.topic != self.articles_topic or source in progress.announced_idle:
                continue
            if now - progress.last_record.setdefault(source, now) < self.settings.idle_timeout:
                continue
            position = faust_internals.read_offset(consumer, tp)
            if has_unread(consumer.highwater(tp), progress.processed_next.get(source), position):
                continue  # records left to read: busy, not idle
            if self.unacked:
                continue  # read but not sent yet
            self._announce([dyad_records.watermark(progress.latest_arrival.get(source, 0.0), source, idle=True)])
            await self.outbox.drain()
            progress.announced_idle.add(source)
            log.info("input partition %s idle for %.0fs: windows no longer wait for it", source,
                     now - progress.last_record[source])  # fmt: skip

    def forget(self) -> None:
        """After a revoke: the batch is dropped unsent and unacked; whoever owns its input partitions next rereads
        them."""
        self.batch.take([])
        self.unacked.clear()
        self.progress.forget()

    def _announce(self, marks: list[dyad_records.Watermark]) -> None:
        value = dyad_records.encode([], marks, None)
        for partition in range(self.settings.partitions):
            self.outbox.put(self.dyads_topic, None, value, partition)
