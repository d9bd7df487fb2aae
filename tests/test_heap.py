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
