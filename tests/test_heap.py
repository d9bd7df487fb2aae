import gc

from dyadwatch.streams.heap import settle_heap


def test_settle_heap_freezes_the_startup_heap_and_raises_the_young_threshold() -> None:
    threshold = gc.get_threshold()
    try:
        settle_heap(young_threshold=12_345)
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (12_345, threshold[1], threshold[2])
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_the_allocator_is_fixed_and_trimmed_on_glibc_and_left_alone_elsewhere() -> None:
    import platform

    from dyadwatch.streams import heap

    glibc = platform.libc_ver()[0] == "glibc"
    assert heap.fix_allocator() is glibc
    heap.trim_heap()  # returns whether pages went back; either way it must not fail
