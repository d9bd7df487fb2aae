"""The aggregation agent's state: open windows and stream clocks, held in Faust tables, with writes coalesced.

A dyad score changes its windows in memory. Changed windows are *published* (dyads.windows) when the agent has
nothing more queued: at once while few windows changed, so at a trickle latency does not change; at most once per
commit interval while many did, so at high rates a window's updates coalesce (see AggregationStage.publish_due).
They are *saved* (table + changelog) at most every `save_interval` seconds, and the
dyads records are acked only after the save, so a commit never gets ahead of the tables. A daily window's
state lists every article it counted; writing it once a second instead of once per article keeps the
changelog from growing with the square of the window's size.

Changelog records are written with the partition of the window they belong to (a save covers several partitions,
so the current event's partition, which Faust would use, is not the key's). After a save has been flushed, the
last record of every changelog partition it touched is written once more, alone: the embedded broker (Tansu
0.6.0) reports a partition's end as the base offset of its last record batch + 1, so Faust's table recovery
would otherwise stop after the first record of the last batch and lose the rest of it. Against Apache Kafka the
extra record is a harmless repeat.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import orjson

from dyadwatch.processors.windows import WindowAggregate
from dyadwatch.schemas.contracts import WindowV1

Table = Any  # a faust.Table: the memory store in .data; its changelog records go through `changelog`
Changelog = Callable[[Table, int, str, Any], None]  # (table, partition, key, value or None to delete)


class WindowState:
    def __init__(
        self,
        windows: Table,
        clocks: Table,
        save_interval: float,
        changelog: Changelog,
        publish_every: int = 20_000,
    ) -> None:
        self.windows = windows  # table key -> aggregate state (+ "partition")
        # "<dyads partition>:<input partition>" -> latest arrival seen; "<dyads partition>:<input partition>:idle" ->
        # 1.0 while that input partition is announced idle; "<dyads partition>:watermark" -> the partition's watermark
        self.clocks = clocks
        self.save_interval = save_interval
        self.changelog = changelog  # how changelog records leave (streams.outbox.Outbox.changelog in the app)
        self.publish_every = publish_every  # changed windows held unpublished, at most
        self.last_publish = time.monotonic()
        self.live: dict[str, tuple[int, WindowAggregate]] = {}  # changed since the last save
        self.unpublished: set[str] = set()  # changed since the last publish
        self.clock: dict[str, float] = {}  # cache of the clocks table
        self.unsaved_clocks: dict[str, int] = {}  # clock key -> partition
        self.pending: list[Any] = []  # dyads events whose effects are not saved yet
        self.last_save = time.monotonic()
        self.last_written: dict[tuple[str, int], tuple[Table, str, Any]] = {}  # (table, partition) -> last record

    def put(self, table: Table, partition: int, key: str, value: Any) -> None:
        """Set a table key, with its changelog record on `partition`."""
        self.changelog(table, partition, key, value)
        table.data[key] = value
        self.last_written[(table.name, partition)] = (table, key, value)

    def remove(self, table: Table, partition: int, key: str) -> None:
        if key in table.data:
            self.changelog(table, partition, key, None)
            del table.data[key]
            self.last_written[(table.name, partition)] = (table, key, None)

    def seal(self) -> None:
        """Write the last record of every changelog partition written since the last seal once more (see above);
        call it once the writes are flushed."""
        for (_, partition), (table, key, value) in self.last_written.items():
            self.changelog(table, partition, key, value)
        self.last_written.clear()

    def clock_of(self, key: str) -> float:
        value = self.clock.get(key)
        if value is None:
            value = self.clock[key] = self.clocks[key]
        return value

    def advance(self, key: str, partition: int, arrival: float) -> bool:
        """Move a clock forward (never back); whether it moved."""
        return arrival > self.clock_of(key) and self.set_clock(key, partition, arrival)

    def set_clock(self, key: str, partition: int, value: float) -> bool:
        """Set a clocks-table entry whichever way it moves (an idle flag, for one); whether it changed."""
        if value == self.clock_of(key):
            return False
        self.clock[key] = value
        self.unsaved_clocks[key] = partition
        return True

    def get(self, key: str) -> WindowAggregate | None:
        entry = self.live.get(key)
        if entry is not None:
            return entry[1]
        state = self.windows.get(key)
        return None if state is None else WindowAggregate.from_state(without_partition(state))

    def changed(self, key: str, partition: int, aggregate: WindowAggregate) -> None:
        self.live[key] = (partition, aggregate)
        self.unpublished.add(key)

    def open_on(self, partition: int) -> dict[str, int]:
        """Window key -> end, for the windows of one dyads partition (saved or not)."""
        index = {
            key: state["start"] + state["size"]
            for key, state in self.windows.items()
            if state is not None and state.get("partition") == partition
        }
        index.update((key, aggregate.end) for key, (owner, aggregate) in self.live.items() if owner == partition)
        return index

    def closed(self, key: str, partition: int) -> None:
        self.live.pop(key, None)
        self.unpublished.discard(key)
        self.remove(self.windows, partition, key)

    def publish(
        self, send: Callable[[bytes, bytes], None], closing: Callable[[int, WindowAggregate], bool] | None = None
    ) -> list[WindowV1]:
        """Send the changed windows' records with `send(key, value)` (the same way as closes, so a window's records
        keep their order), but those `closing(partition, aggregate)` says are about to be published final anyway;
        returns them."""
        self.last_publish = time.monotonic()
        records: list[WindowV1] = []
        for key in self.unpublished:
            partition, aggregate = self.live[key]
            if closing is not None and closing(partition, aggregate):
                continue
            record = aggregate.record()
            send(record["key"].encode(), orjson.dumps(record))
            records.append(record)
        self.unpublished.clear()
        return records

    def due(self) -> bool:
        return bool(self.pending) and time.monotonic() - self.last_save >= self.save_interval

    def save(self) -> list[Any]:
        """Write changed windows and clocks to their tables; returns the events that may now be acked."""
        self.last_save = time.monotonic()
        for key, (partition, aggregate) in self.live.items():
            self.put(self.windows, partition, key, {**aggregate.to_state(), "partition": partition})
        self.live.clear()
        for key, partition in self.unsaved_clocks.items():
            self.put(self.clocks, partition, key, self.clock[key])
        self.unsaved_clocks.clear()
        done, self.pending = self.pending, []
        return done

    def forget(self) -> None:
        """After a revoke: whatever was not saved is redelivered to the partitions' next owner."""
        self.live.clear()
        self.unpublished.clear()
        self.clock.clear()
        self.unsaved_clocks.clear()
        self.pending.clear()
        self.last_written.clear()


def without_partition(state: dict) -> dict:
    return {k: v for k, v in state.items() if k != "partition"}
