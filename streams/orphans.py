"""Child processes that end with the process that started them (Linux), so a killed demo, benchmark or test run
does not leave its broker and workers running.

Each child is in its own process group (so a signal for the pipeline does not reach the caller's terminal), which
also means nothing stops it when its parent is SIGKILLed: the parent's clean-up code never runs. On Linux the child
asks the kernel for SIGTERM when its parent dies (prctl PR_SET_PDEATHSIG). Elsewhere this is a no-op.

The kernel sends the signal when the *thread* that started the child exits: start these processes from a thread
that lives as long as they should (the main thread, in dyadwatch).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl  # looked up here, not in the forked child
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()


def die_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` for subprocess.Popen: SIGTERM the child when the calling thread's process dies (None where
    the platform has no such thing, so Popen runs as usual)."""
    if _PRCTL is None:
        return None
    parent = os.getpid()
    prctl = _PRCTL

    def arrange() -> None:  # runs in the child between fork and exec: no imports, no allocation-heavy work
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the request was in place
            os._exit(1)

    return arrange
