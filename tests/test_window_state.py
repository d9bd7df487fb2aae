"""The aggregation agent's coalesced window writes (streams/window_state.py), on a stand-in for a Faust table."""

from __future__ import annotations

from typing import Any

from dyadwatch.processors.windows import WindowAggregate
from dyadwatch.streams.window_state import WindowState

HOUR = 3600


class FakeTable(dict):
    """Enough of faust.Table: a memory store in .data, and the changelog records written for it."""

    def __init__(self, name: str, default: Any = None) -> None:
        super().__init__()
        self.name = name
        self.default = default
        self.data = self
        self.changelog: list[tuple[int, str, Any]] = []

    def __missing__(self, key: str) -> Any:
        if self.default is None:
            raise KeyError(key)
        return self.default()


def record_changelog(table: FakeTable, partition: int, key: str, value: Any) -> None:
    table.changelog.append((partition, key, value))


def make() -> tuple[WindowState, FakeTable, FakeTable]:
    windows, clocks = FakeTable("windows"), FakeTable("clocks", default=float)
    return WindowState(windows, clocks, save_interval=1.0, changelog=record_changelog), windows, clocks


def test_changes_are_published_per_batch_and_saved_per_interval():
    state, windows, clocks = make()

    sent: list[bytes] = []
    for n in range(5):  # five articles into one window before a publish: one record, no table write yet
        aggregate = state.get("w") or WindowAggregate("IND-PAK", HOUR, 0)
        aggregate.add(f"a{n}", 0.2, 1, 10, 20)
        state.changed("w", 3, aggregate)
        state.advance("3:0", 3, 20.0 + n)
        state.pending.append(n)
    assert [r["articles"] for r in state.publish(lambda key, value: sent.append(key))] == [5] and len(sent) == 1
    assert not windows.changelog and not clocks.changelog
    assert state.get("w").articles == 5  # read from the unsaved changes, not the table
    assert state.save() == [0, 1, 2, 3, 4]  # the events to ack, once the writes are flushed
    assert [(p, k) for p, k, _ in windows.changelog] == [(3, "w")] and windows["w"]["partition"] == 3
    assert clocks.changelog == [(3, "3:0", 24.0)] and state.pending == []
    assert state.get("w").articles == 5 and state.open_on(3) == {"w": HOUR} and state.open_on(2) == {}


def test_seal_repeats_the_last_record_of_each_partition_written():
    state, windows, _ = make()
    for key, partition in (("a", 1), ("b", 1), ("c", 2)):
        aggregate = WindowAggregate("IND-PAK", HOUR, 0)
        aggregate.add(key, 0.1, 1, 10, 20)
        state.changed(key, partition, aggregate)
    state.pending.append("event")
    state.save()
    state.closed("c", 2)  # a tombstone is the last record of partition 2
    before = len(windows.changelog)
    state.seal()
    assert windows.changelog[before:] == [(1, "b", windows["b"]), (2, "c", None)]
    state.seal()  # nothing written since: nothing repeated
    assert len(windows.changelog) == before + 2


def test_the_clock_only_moves_forward_and_is_read_through():
    state, _, clocks = make()
    clocks["0:1"] = 50.0
    assert state.clock_of("0:1") == 50.0 and state.clock_of("0:2") == 0.0
    state.advance("0:1", 0, 40.0)
    assert state.clock_of("0:1") == 50.0 and not state.unsaved_clocks
    state.advance("0:1", 0, 60.0)
    assert state.clock_of("0:1") == 60.0 and state.unsaved_clocks == {"0:1": 0}
    state.forget()
    assert state.clock_of("0:1") == 50.0  # after a revoke: back to what was saved


def test_set_clock_moves_either_way_and_is_saved():
    state, _, _ = make()
    state.set_clock("0:3:idle", 0, 1.0)
    assert state.clock_of("0:3:idle") == 1.0 and state.unsaved_clocks == {"0:3:idle": 0}
    state.save()
    state.set_clock("0:3:idle", 0, 1.0)
    assert not state.unsaved_clocks  # unchanged: nothing to write
    state.set_clock("0:3:idle", 0, 0.0)
    assert state.clock_of("0:3:idle") == 0.0 and state.unsaved_clocks == {"0:3:idle": 0}
