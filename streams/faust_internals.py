"""Faster hand-over of fetched records from Faust's consumer to the agents.

Faust's consumer loop (`Consumer._drain_messages` in faust/transport/consumer.py) hands each record to the agents'
streams with `await self.wait_first(callback(message), self.suspend_flow.wait())`, so that a rebalance can abandon a
delivery stuck on a full stream buffer. mode's `Service.wait_first` makes four tasks and an `asyncio.wait` for that,
per record, and yields to the event loop after every record. Almost every delivery finishes without waiting: the
record is decoded and put on a queue with room. `fast_wait_first` runs the first step of the first awaitable inline
and returns at once when that step finishes it; only a delivery that has to wait goes through mode's race, which
then drives the same coroutine on, so a rebalance cancels it where it waits, as before.

Measured on a saturated worker (10,000 articles, two runs each way): 6.8-7.2 ms of worker CPU per article with
mode's `wait_first`, 4.9-5.6 ms with the deliveries run inline.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator
from typing import Any

from faust.transport.consumer import Consumer
from mode.services import Service, WaitResults


class Continued:
    """An awaitable that goes on driving a coroutine whose first step has already run and yielded `pending`."""

    __slots__ = ("coroutine", "pending")

    def __init__(self, coroutine: Coroutine[Any, Any, Any], pending: Any) -> None:
        self.coroutine = coroutine
        self.pending = pending

    def __await__(self) -> Generator[Any, Any, Any]:
        coroutine, pending = self.coroutine, self.pending
        while True:
            try:
                sent = yield pending  # the task awaiting this resumes it as it would have resumed the coroutine
            except GeneratorExit:
                coroutine.close()
                raise
            except BaseException as exc:  # cancellation included: it reaches the coroutine where it waits
                try:
                    pending = coroutine.throw(exc)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    pending = coroutine.send(sent)
                except StopIteration as stop:
                    return stop.value


async def fast_wait_first(self: Service, *coros: Any, timeout: float | None = None) -> WaitResults:
    """`Service.wait_first`, except that a first coroutine that finishes in its first step wins without any task or
    event-loop turn (the other awaitables are then not started)."""
    first = coros[0] if coros else None
    if asyncio.iscoroutine(first) and not self._stopped.is_set() and not self._crashed.is_set():
        try:
            pending = first.send(None)
        except StopIteration as stop:
            _close(coros[1:])
            return WaitResults([first], [stop.value], False)
        except BaseException:
            _close(coros[1:])
            raise
        coros = (Continued(first, pending), *coros[1:])
    return await Service.wait_first(self, *coros, timeout=timeout)


def _close(awaitables: tuple[Any, ...]) -> None:
    for awaitable in awaitables:
        if asyncio.iscoroutine(awaitable):
            awaitable.close()  # never started: closing it spares a "never awaited" warning


def install() -> None:
    """Make Faust's consumers deliver records with `fast_wait_first`. Their other path into `wait_first`,
    `Service.wait` on an event (waiting for flow to resume), takes mode's race unchanged: only a coroutine is run
    inline. Idempotent."""
    Consumer.wait_first = fast_wait_first  # type: ignore[method-assign]
