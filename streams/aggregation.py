"""The aggregation stage: dyads scores into event-time windows, windows closed when the watermark passes their end
plus the allowed lateness (published once more with final=true, then deleted), and each closed window checked for
a tone shift against its pair's baseline.

The watermark of a dyads partition is the least progress over the input partitions (processors.windows.watermark),
leaving out those announced idle. Records of one input partition arrive in order, so no valid record of a
partition that is not idle can fall into a window closed at that time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any

import orjson

from dyadwatch.processors.instants import epoch_of
from dyadwatch.processors.shifts import Baseline, ShiftRules, observe
from dyadwatch.processors.windows import WindowAggregate, is_closed, watermark, window_start
from dyadwatch.schemas.contracts import WindowV1
from dyadwatch.streams import dyad_records, metrics
from dyadwatch.streams.checkpoint import Checkpoint
from dyadwatch.streams.outbox import Outbox
from dyadwatch.streams.settings import Settings
from dyadwatch.streams.skipped import SkippedRecord
from dyadwatch.streams.window_state import WindowState

log = logging.getLogger("dyadwatch")
MAX_UNSAVED = 5000  # dyads records held unacked until their windows are saved, at most
# Changed windows published as soon as nothing more is queued, up to this many: a trickle changes a few windows at a
# time and keeps its latency; at high rates (a full tagging batch changes about a thousand) they wait for the next
# commit interval, and a window changed by several batches meanwhile is published once.
PUBLISH_AT_ONCE = 500


class AggregationStage:
    def __init__(self, settings: Settings, state: WindowState, outbox: Outbox, topics: Any, baselines: Any) -> None:
        self.settings = settings
        self.state = state
        self.outbox = outbox
        self.windows_topic = topics.windows.get_topic_name()
        self.alerts = topics.alerts
        self.baselines = baselines  # pair|window -> shift baseline state
        self.shift_rules = ShiftRules(min_articles=settings.alert_min_articles, z_threshold=settings.alert_z)
        self.pair_gauges = metrics.PairGauges(set(settings.watch_pairs), settings.top_pairs)
        self.checkpoint = Checkpoint(state, outbox, self.publish)
        self.open_windows: dict[int, dict[str, int]] = {}  # partition -> {window key: end}, rebuilt from the table
        self.next_close: dict[int, float] = {}  # partition -> when (watermark) its first window may close
        self.closing_due: set[int] = set()  # partitions whose watermark has passed the end of a window
        self.closing = asyncio.Lock()
        # pair|window -> (partition, baseline state) changed in this close pass: saved once at its end, however many
        # of the pair's windows it closed
        self.baseline_updates: dict[str, tuple[int, dict[str, Any]]] = {}
        self.now: dict[int, float] = {}  # partition -> its watermark, as last computed from the clocks
        self.keys: dict[tuple[int, int], tuple[str, str]] = {}  # (partition, source) -> its clock_keys
        self.last_close = time.monotonic()

    async def handle(self, event: Any, more_queued: bool) -> None:
        """One dyads record: its scores counted into their windows and its watermarks applied (or the record skipped
        with a reason), then published, saved and closed as due."""
        partition = event.message.partition
        metrics.DYADS_RECORDS_CONSUMED.inc()
        try:
            started = time.perf_counter()
            batch = dyad_records.read(event.value)
            versions = batch.get("versions")
            for value in batch["scores"]:
                self.add(partition, value, versions)
            for mark in batch["watermarks"]:
                self.add(partition, mark)
            metrics.AGGREGATE_SECONDS.observe(time.perf_counter() - started)
        except SkippedRecord as exc:  # not written by a worker: nothing to count
            metrics.INTERNAL_RECORDS_SKIPPED.labels("dyads", exc.reason).inc()
            log.error("dyads record %s/%s skipped: %s", partition, event.message.offset, exc)
        except Exception:  # a bug must not stop the worker
            metrics.INTERNAL_RECORDS_SKIPPED.labels("dyads", "internal_error").inc()
            log.exception("aggregation failed at %s/%s", partition, event.message.offset)
        self.state.pending.append(event)
        if self.publish_due(more_queued):
            self.publish()
        if self.state.due() or len(self.state.pending) >= MAX_UNSAVED:
            self.checkpoint.save()
        await self.outbox.drain()
        await self.close_due()

    def publish_due(self, more_queued: bool) -> bool:
        """Whether to publish the changed windows now: when nothing more is queued, at once if few changed, else
        once a commit interval has passed since the last publish (a save publishes too); whenever too many wait."""
        waiting = len(self.state.unpublished)
        if waiting >= self.state.publish_every:
            return True
        if more_queued:
            return False
        return waiting <= PUBLISH_AT_ONCE or time.monotonic() - self.state.last_publish >= self.settings.commit_interval

    async def tick(self) -> None:
        """Save (and so ack) the last records of a burst, and close the windows they made due."""
        if self.checkpoint.stream is not None and self.state.due():
            self.checkpoint.save()
        await self.outbox.drain()
        await self.close_due()

    def add(self, partition: int, value: Mapping[str, Any], versions: dict[str, str] | None = None) -> None:
        """A score (counted, with the versions of its batch) or a watermark: either moves its input partition's
        clock."""
        arrival = value.get("watermark", value.get("arrived_at", 0.0))
        progress_key, idle_key = self.clock_keys(partition, value["source_partition"])
        before = self.state.clock_of(progress_key)
        moved = self.state.advance(progress_key, partition, arrival)
        flipped = self.state.set_clock(idle_key, partition, 1.0 if value.get("idle") else 0.0)
        now = self.now.get(partition)
        if now is None or flipped or (moved and (before <= now or value.get("idle"))):
            # an input partition that was ahead of the watermark cannot move it by moving further, unless every
            # input partition is idle (then the watermark is the most progress of any)
            now = self.now[partition] = self.stream_time(partition)
        if "pair" in value:
            self.count(partition, value, now, versions)
        if now > self.next_close.get(partition, float("inf")):
            self.closing_due.add(partition)
            self.checkpoint.no_window_due.clear()

    def count(self, partition: int, score: Mapping[str, Any], now: float, versions: dict[str, str] | None) -> None:
        index = self.windows_of(partition)
        published = epoch_of(score["published_at"])
        lateness = self.settings.lateness
        for size in self.settings.windows:
            start = window_start(published, size)
            key = f"{score['pair']}|{size}|{start}"
            if is_closed(start + size, now, lateness) and key not in index:
                continue  # a redelivery after the window closed: it was counted before
            aggregate = self.state.get(key) or WindowAggregate(score["pair"], size, start)
            if not aggregate.add(score["article_id"], score["sentiment"], score["sentences"], published,
                                 score["arrived_at"], score.get("evidence", ""), score.get("a_to_b"),
                                 score.get("b_to_a"), versions):  # fmt: skip
                metrics.DUPLICATES.inc()
                continue  # already counted: a duplicate or a redelivery
            self.state.changed(key, partition, aggregate)
            index[key] = start + size
            self.next_close[partition] = min(self.next_close.get(partition, float("inf")), start + size + lateness)

    def stream_time(self, partition: int) -> float:
        """The event-time watermark of a dyads partition (see the module's docstring)."""
        keys = {source: self.clock_keys(partition, source) for source in range(self.settings.partitions)}
        progress = {source: self.state.clock_of(progress_key) for source, (progress_key, _) in keys.items()}
        idle = {source for source, (_, idle_key) in keys.items() if self.state.clock_of(idle_key)}
        key = self.watermark_key(partition)
        now = watermark(progress, idle, self.state.clock_of(key))
        self.state.advance(key, partition, now)
        return now

    def clock_keys(self, partition: int, source: int) -> tuple[str, str]:
        """The clocks-table keys of an input partition's progress and idle flag, as seen by a dyads partition."""
        keys = self.keys.get((partition, source))
        if keys is None:
            keys = self.keys[(partition, source)] = (f"{partition}:{source}", f"{partition}:{source}:idle")
        return keys

    @staticmethod
    def watermark_key(partition: int) -> str:
        """The clocks-table key of a dyads partition's watermark, as stream_time last saved it."""
        return f"{partition}:watermark"

    def windows_of(self, partition: int) -> dict[str, int]:
        index = self.open_windows.get(partition)
        if index is None:  # first record of this partition since start or rebalance: rebuild from the table
            index = self.open_windows[partition] = self.state.open_on(partition)
            self.next_close[partition] = min(index.values(), default=float("inf")) + self.settings.lateness
        return index

    def publish(self) -> None:
        records = self.state.publish(self._send_window, self.past_due)
        for record in records:
            self.pair_gauges.window(record)
        metrics.WINDOW_UPDATES.inc(len(records))
        metrics.OPEN_WINDOWS.set(sum(len(index) for index in self.open_windows.values()))

    def past_due(self, partition: int, aggregate: WindowAggregate) -> bool:
        """Whether the watermark has passed a window's end plus the lateness: its final record, which the next close
        pass publishes (within a commit interval), makes an update now redundant. At a replay's speed most hourly
        windows reach that point within a second or two of their last article."""
        return is_closed(aggregate.end, self.state.clock_of(self.watermark_key(partition)), self.settings.lateness)

    def _send_window(self, key: bytes, value: bytes) -> None:
        self.outbox.put(self.windows_topic, key, value)

    async def close_due(self) -> None:
        """Close the windows the watermark has passed, at most once per commit interval: each close waits for the
        broker, and a replay passes window ends many times a second. No valid record can fall into a window
        meanwhile (it would be too late), and a redelivered one is counted once."""
        if not self.closing_due or time.monotonic() - self.last_close < self.settings.commit_interval:
            return
        async with self.closing:
            if not self.closing_due:
                return  # closed by the other caller (the agent or the timer) while this one waited
            self.last_close = time.monotonic()
            self.checkpoint.save()
            await self.checkpoint.make_durable()  # the clocks that close them can be restored before any is removed
            partitions = sorted(self.closing_due)  # read after the wait: a rebalance meanwhile forgets them
            self.closing_due.clear()
            for partition in partitions:
                await self.close_windows(partition, self.state.clock_of(self.watermark_key(partition)))
            for key, (partition, baseline) in self.baseline_updates.items():
                self.state.put(self.baselines, partition, key, baseline)
            self.baseline_updates.clear()
            await self.outbox.drain()
            if not self.closing_due:
                self.checkpoint.no_window_due.set()

    async def close_windows(self, partition: int, now: float) -> None:
        index = self.windows_of(partition)
        for key, end in sorted(index.items(), key=lambda item: item[1]):
            if not is_closed(end, now, self.settings.lateness):
                break
            aggregate = self.state.get(key)
            if aggregate is not None:
                final = aggregate.record(True)
                self._send_window(final["key"].encode(), orjson.dumps(final))
                metrics.WINDOWS_CLOSED.inc()
                await self.check_shift(partition, final, aggregate.movers)
                self.state.closed(key, partition)
            del index[key]
        self.next_close[partition] = min(index.values(), default=float("inf")) + self.settings.lateness

    async def check_shift(self, partition: int, final: WindowV1, movers: list[dict[str, Any]]) -> None:
        """Compare a closed window with its pair's baseline; publish an alert when the tone shifted."""
        baseline_key = f"{final['pair']}|{final['window']}"
        pending = self.baseline_updates.get(baseline_key)
        baseline = Baseline.from_state(self.baselines.get(baseline_key) if pending is None else pending[1])
        shift, z = observe({**final, "movers": movers}, baseline, self.shift_rules)
        self.baseline_updates[baseline_key] = (partition, baseline.to_state())
        self.pair_gauges.shift(final["pair"], final["window"], z)
        if shift is not None:
            metrics.ALERTS.labels(shift.direction).inc()
            alert = {**shift.record(), "versions": final.get("versions", {})}
            await self.alerts.send(key=final["key"].encode(), value=orjson.dumps(alert))
            metrics.RECORDS_PRODUCED.inc()

    def forget(self) -> None:
        """After a revoke: the window index is rebuilt from the table for whatever partitions come back; records
        that made windows due are not acked, so their partitions' next owners reread them."""
        self.open_windows.clear()
        self.now.clear()
        self.state.forget()
        self.next_close.clear()
        self.closing_due.clear()
        self.checkpoint.no_window_due.set()
