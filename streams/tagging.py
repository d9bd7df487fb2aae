"""The tagging stage: an input record becomes a mentions record and one dyads score per related pair, or a dead
letter; and what this worker knows of each input partition's progress, announced on every dyads partition as
watermarks so that windows close even where pairs are quiet."""

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


@dataclass
class Progress:
    """Per input partition read here: the latest arrival tagged, the latest announced, when (monotonic) a record was
    last seen, the offset after the last record, and whether it is announced idle."""

    latest_arrival: dict[int, float] = field(default_factory=dict)
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

    async def handle(self, event: Any) -> None:
        """One input record: tagged and published, or dead-lettered with its reason."""
        metrics.ARTICLES_RECEIVED.inc()
        message = event.message
        self.progress.seen(message.partition, message.offset)
        arrived_at = message.timestamp or datetime.now(UTC).timestamp()
        try:
            article, result = self.tag(event.value, arrived_at)
        except ArticleError as exc:
            await self.dead_letters.send(message, event.value, exc, exc.reason, exc.message)
            return
        except Exception as exc:  # a bug must not stop the worker; the record is kept in the DLQ
            log.exception("tagging failed at %s/%s", message.partition, message.offset)
            await self.dead_letters.send(message, event.value, exc, "internal_error", f"{type(exc).__name__}: {exc}")
            return
        self.publish(article, result, arrived_at, message.partition)
        await self.outbox.drain()

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
        """Queue the mentions record and the dyads scores of a tagged article, and count them."""
        result["versions"] = self.gazetteer.versions
        if "truncated" in result:
            metrics.ARTICLES_TRUNCATED.labels(result["truncated"]).inc()
        self.progress.tagged(source, arrived_at)
        self.outbox.put(self.mentions_topic, article.id.encode(), orjson.dumps(result))
        metrics.ARTICLES_TAGGED.inc()
        metrics.EVENT_LAG_SECONDS.observe(max(0.0, arrived_at - article.published_at.timestamp()))
        for country, info in result["countries"].items():
            metrics.country_mentions(country).inc(info["mentions"])
        for dyad in result["dyads"]:
            if dyad["sentences"] == 0:
                continue  # named in the same article but never related in a sentence
            score = dyad_records.score(dyad, result, arrived_at, source)
            self.outbox.put(self.dyads_topic, dyad["pair"].encode(), orjson.dumps(score))
            metrics.DYADS_EMITTED.inc()

    def announce_progress(self) -> None:
        """Queue a watermark for every dyads partition, for each input partition that got further, after the scores
        it vouches for."""
        for source, arrival in list(self.progress.latest_arrival.items()):
            if arrival > self.progress.announced.get(source, 0.0):
                self._announce(dyad_records.watermark(arrival, source))
                self.progress.announced[source] = arrival

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
            self._announce(dyad_records.watermark(progress.latest_arrival.get(source, 0.0), source, idle=True))
            await self.outbox.drain()
            progress.announced_idle.add(source)
            log.info("input partition %s idle for %.0fs: windows no longer wait for it", source,
                     now - progress.last_record[source])  # fmt: skip

    def _announce(self, marker: dyad_records.Watermark) -> None:
        value = orjson.dumps(marker)
        for partition in range(self.settings.partitions):
            self.outbox.put(self.dyads_topic, None, value, partition)
