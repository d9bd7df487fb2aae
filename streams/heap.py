"""The worker's memory settings: its startup heap left out of garbage collections, the young generation collected
less often, and the C allocator kept from holding on to freed memory.

A worker's heap is mostly built at startup (the gazetteer, Faust, aiokafka, the modules) and then lives as long as
the process; CPython's default collector would traverse all of it at every full collection and run a young
collection every 700 allocations. Measured on a saturated worker, two runs of 10,000 articles each way: collections
took 2.0-2.5 s of its time with the defaults (the longest pause 0.15-0.19 s) and 0.64-0.74 s with the startup heap
frozen and the young generation collected every 10,000 allocations, the one full collection at startup included.
Reference counting still frees almost everything at once; the collector is only for cycles.

glibc's malloc raises its mmap threshold each time a large block is freed, so the Kafka clients' large fetch and
produce buffers move from their own mappings, which go back to the system when freed, into the heap, where they
fragment it; and each thread that allocates may get an arena of its own. A worker's resident memory then grows in
steps while its Python objects stay flat (docs/performance.md, Soak). The worker fixes the threshold, caps the
arenas at two, and returns free heap pages to the system every half minute. Other C libraries have no such knobs:
there these are no-ops.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache

YOUNG_THRESHOLD = 10_000


def settle_heap(young_threshold: int = YOUNG_THRESHOLD) -> None:
    """Collect once, move every object alive now to the permanent generation (gc.freeze), and collect the young
    generation every `young_threshold` allocations; the older generations keep their ratios."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young_threshold, middle, old)


# glibc's mallopt parameters (malloc.h)
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
MMAP_THRESHOLD_BYTES = 1024 * 1024  # blocks this large get mappings of their own; 128 KiB held latency back
ARENAS = 2


@cache
def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


def fix_allocator(mmap_threshold: int = MMAP_THRESHOLD_BYTES, arenas: int = ARENAS) -> bool:
    """Fix glibc malloc's mmap threshold and cap its arenas (before the worker starts its threads); False where the
    C library is not glibc."""
    libc = _glibc()
    if libc is None:
        return False
    return bool(libc.mallopt(M_MMAP_THRESHOLD, mmap_threshold)) and bool(libc.mallopt(M_ARENA_MAX, arenas))


def trim_heap() -> bool:
    """Return the heap's free pages to the system (glibc's malloc_trim); True when some were returned."""
    libc = _glibc()
    return bool(libc.malloc_trim(0)) if libc is not None else False
