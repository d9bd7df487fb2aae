"""Every place dyadwatch relies on faust-streaming, aiokafka or mode internals, with the versions they were tested
with. `check_versions()` runs when a worker starts and stops it with a clear message when another version is
installed (DYADWATCH_SKIP_VERSION_CHECK=1 lets it run anyway).

1. `install_fast_delivery`: faster hand-over of fetched records from Faust's consumer to the agents.
Faster hand-over of fetched records from Faust's consumer to the agents.

Faust's consumer loop (`Consumer._drain_messages` in faust/transport/consumer.py) hands each record to the agents'
streams with `await self.wait_first(callback(message), self.suspend_flow.wait())`, so that a rebalance can abandon a
delivery stuck on a full stream buffer. mode's `Service.wait_first` makes four tasks and an `asyncio.wait` for that,
per record, and yields to the event loop after every record. Almost every delivery finishes without waiting: the
record is decoded and put on a queue with room. `fast_wait_first` runs the first step of the first awaitable inline
and returns at once when that step finishes it; only a delivery that has to wait goes through mode's race, which
then drives the same coroutine on, so a rebalance cancels it where it waits, as before.

Measured on a saturated worker (10,000 articles, two runs each way): 6.8-7.2 ms of worker CPU per article with
mode's `wait_first`, 4.9-5.6 ms with the deliveries run inline.

2. `tune_fetch_wait`: faust-streaming hard-codes fetch_max_wait_ms=1500 for its consumers.
3. `read_offset`, `committed_offset`: Faust's own records of a partition's positions.
4. `expedite`: aiokafka's MessageAccumulator.flush_for_commit, to send open batches now.
5. `install_fast_partitioner`: aiokafka's default partitioner hashes keys with streams/partitioning.py's murmur2.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine, Generator
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from faust.transport.consumer import Consumer
from mode.services import Service, WaitResults
from packaging.specifiers import SpecifierSet

from dyadwatch.streams import partitioning

# The versions these internals were tested with; pyproject.toml pins the same ranges.
TESTED = {
    "faust-streaming": ">=0.15,<0.16",
    "aiokafka": ">=0.14,<0.15",
    "mode-streaming": ">=0.7,<0.8",
    "vaderSentiment": "==3.3.2",  # processors/vader.py binds its internals
}


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


async def fast_wait_first(self: Service, *coros: Any, timeout: Any = None) -> WaitResults:
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


def install_fast_delivery() -> None:
    """Make Faust's consumers deliver records with `fast_wait_first`. Their other path into `wait_first`,
    `Service.wait` on an event (waiting for flow to resume), takes mode's race unchanged: only a coroutine is run
    inline. Idempotent."""
    Consumer.wait_first = fast_wait_first  # type: ignore[method-assign, assignment]


def install_fast_partitioner() -> None:
    """aiokafka's DefaultPartitioner looks up `murmur2` in its module at each call: point it at the C one (the same
    hash, so every key keeps its partition)."""
    import aiokafka.partitioner

    aiokafka.partitioner.murmur2 = partitioning.murmur2  # type: ignore[assignment]


def check_versions(tested: dict[str, str] = TESTED) -> None:
    """Raise RuntimeError naming every package whose installed version is outside the tested range."""
    if os.environ.get("DYADWATCH_SKIP_VERSION_CHECK"):
        return
    wrong = []
    for package, spec in tested.items():
        try:
            installed = version(package)
        except PackageNotFoundError:
            wrong.append(f"{package} is not installed (tested: {package}{spec})")
            continue
        if installed not in SpecifierSet(spec):
            wrong.append(f"{package} {installed} is installed, tested with {package}{spec}")
    if wrong:
        raise RuntimeError(
            "dyadwatch's worker relies on internals of these packages: " + "; ".join(wrong) + ". Install the tested "
            "versions (pip install 'dyadwatch' pins them), or set DYADWATCH_SKIP_VERSION_CHECK=1 to run anyway."
        )


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


def read_offset(consumer: Any, tp: Any) -> int | None:
    """Faust's read position of a partition: its committed offset, then the last offset fetched."""
    return consumer._read_offset.get(tp)


def committed_offset(consumer: Any, tp: Any) -> int | None:
    """Faust's own record of the last offset it committed for a partition."""
    return consumer._committed_offset.get(tp)


def expedite(producer: Any) -> Any:
    """aiokafka's MessageAccumulator.flush_for_commit of a Faust producer (None if this aiokafka has none): it
    closes every open batch, wakes the sender and waits for those batches."""
    client = getattr(producer, "_producer", None)
    accumulator = getattr(client, "_message_accumulator", None)
    return getattr(accumulator, "flush_for_commit", None)
