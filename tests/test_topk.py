import random

from dyadwatch.processors.topk import TopK


def test_heavy_hitters_survive_a_long_tail():
    topk = TopK(k=5, capacity=20)
    rng = random.Random(3)
    heavy = [f"H{i}" for i in range(5)]
    for step in range(20_000):
        topk.add(heavy[step % 5] if rng.random() < 0.3 else f"tail{rng.randrange(10_000)}")
    assert set(topk.top()) == set(heavy)
    assert len(topk.counts) <= 20


def test_memory_stays_bounded_with_10000_distinct_keys():
    topk = TopK(k=50)
    for i in range(10_000):
        topk.add(f"P{i:05d}")
    assert len(topk.counts) <= 200 and len(topk.top()) == 50
