"""streams/faust_internals.py: the inline first step of Faust's record delivery, and the fallback to mode's race."""

import asyncio
import warnings

import pytest
from mode import Service
from mode.utils.locks import Event

from dyadwatch.streams.faust_internals import check_versions, fast_wait_first


class Node(Service):
    pass


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_delivery_that_does_not_wait_wins_without_a_task() -> None:
    async def main() -> None:
        node = Node()
        suspended = Event()
        tasks_before = len(asyncio.all_tasks())

        async def deliver() -> str:
            return "queued"

        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the unstarted suspend wait must be closed, not left "never awaited"
            result = await fast_wait_first(node, deliver(), suspended.wait())
        assert result.results == ["queued"] and not result.stopped
        assert len(asyncio.all_tasks()) == tasks_before

    run(main())


def test_a_delivery_that_waits_is_driven_to_its_end() -> None:
    async def main() -> None:
        node = Node()
        room = asyncio.Queue(maxsize=1)
        await room.put("full")
        steps = []

        async def deliver() -> str:
            steps.append("before")
            await room.put("record")  # waits until there is room
            steps.append("after")
            return "queued"

        async def make_room() -> None:
            await asyncio.sleep(0.01)
            await room.get()

        helper = asyncio.ensure_future(make_room())
        result = await fast_wait_first(node, deliver(), Event().wait())
        await helper
        assert steps == ["before", "after"]
        assert "queued" in result.results and not result.stopped
        assert room.get_nowait() == "record"

    run(main())


def test_a_suspended_flow_cancels_a_waiting_delivery_where_it_waits() -> None:
    async def main() -> None:
        node = Node()
        suspended = Event()
        room = asyncio.Queue(maxsize=1)
        await room.put("full")
        seen = []

        async def deliver() -> None:
            try:
                await room.put("record")
            except asyncio.CancelledError:
                seen.append("cancelled")
                raise

        async def suspend() -> None:
            await asyncio.sleep(0.01)
            suspended.set()

        helper = asyncio.ensure_future(suspend())
        result = await fast_wait_first(node, deliver(), suspended.wait())
        await helper
        await asyncio.sleep(0)  # let the cancelled delivery task finish
        assert seen == ["cancelled"]
        assert room.qsize() == 1  # the record was not delivered
        assert not result.stopped

    run(main())


def test_an_error_in_the_first_step_propagates() -> None:
    async def main() -> None:
        async def deliver() -> None:
            raise ValueError("bad record")

        with pytest.raises(ValueError, match="bad record"):
            await fast_wait_first(Node(), deliver(), Event().wait())

    run(main())


def test_a_stopped_service_takes_modes_path() -> None:
    async def main() -> None:
        node = Node()
        node._stopped.set()

        async def deliver() -> str:
            return "queued"

        result = await fast_wait_first(node, deliver(), Event().wait())
        assert result.stopped  # as mode's wait_first reports for a stopped service

    run(main())


def test_installed_framework_versions_are_the_tested_ones() -> None:
    check_versions()  # the environment the suite runs in is what pyproject.toml pins


def test_an_untested_version_stops_the_worker_with_a_clear_message(monkeypatch) -> None:
    import pytest

    monkeypatch.delenv("DYADWATCH_SKIP_VERSION_CHECK", raising=False)
    with pytest.raises(RuntimeError, match=r"faust-streaming \S+ is installed, tested with faust-streaming<0\.1"):
        check_versions({"faust-streaming": "<0.1"})
    with pytest.raises(RuntimeError, match="no-such-package is not installed"):
        check_versions({"no-such-package": ">=1"})
    monkeypatch.setenv("DYADWATCH_SKIP_VERSION_CHECK", "1")
    check_versions({"faust-streaming": "<0.1"})
