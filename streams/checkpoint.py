"""The aggregation stage's commit protocol: save, make durable, wait until no window is due, ack.

Faust commits acked offsets without draining pending changelog writes, so the dyads records are acked only once
their effects are saved in the tables and those writes have reached the broker. A record that made a window due
is acked only once the window is closed: the due mark lives in this process, so if a rebalance came first, only a
redelivery would tell the partition's next owner.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from dyadwatch.streams.outbox import Outbox
from dyadwatch.streams.window_state import WindowState


class Checkpoint:
    def __init__(self, state: WindowState, outbox: Outbox, publish: Callable[[], None]) -> None:
        self.state = state
        self.outbox = outbox
        self.publish = publish  # sends the changed windows' updates (before a save, so an update never lags one)
        self.saved: asyncio.Queue[list[Any]] = asyncio.Queue()  # batches of events saved, waiting to be acked
        self.no_window_due = asyncio.Event()  # cleared while a window waits to be closed
        self.no_window_due.set()
        self.stream: Any = None  # the dyads agent's stream, through which events are acked (set when it starts)

    def save(self) -> None:
        """Write changed windows and clocks to the tables; their events wait in `saved` to be committed."""
        self.publish()
        saved = self.state.save()
        if saved:
            self.saved.put_nowait(saved)

    async def make_durable(self) -> None:
        """Every table write so far reaches the broker, sealed so that a restore reads all of it (see
        streams/window_state.py). Without the seal, a worker killed just after closing a window could restore its
        tombstone but not the clocks that closed it, and count the window's redelivered records into a new one."""
        await self.outbox.flush()
        self.state.seal()
        await self.outbox.flush()

    async def commit(self, saved: list[Any]) -> None:
        """Ack a saved batch: once durable, and once no window is due."""
        await self.make_durable()
        await self.no_window_due.wait()
        for event in saved:
            await self.stream.ack(event)

    async def run(self) -> None:
        """Commit saved batches as they come, off the agent's path, so its waits do not add to latency."""
        while True:
            await self.commit(await self.saved.get())
