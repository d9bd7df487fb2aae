"""Shift detection on synthetic streams: one planted shift among 50 stable pairs."""

import random

from dyadwatch.processors.shifts import Baseline, ShiftRules, observe


def window(pair: str, day: int, mean: float, articles: int = 12, stddev: float = 0.25) -> dict:
    return {"pair": pair, "window": "1d", "window_start": f"day{day}", "window_end": f"day{day + 1}",
            "articles": articles, "mean": mean, "stddev": stddev}  # fmt: skip


def run(days: int, shifted: str, shift_day: int, seed: int = 7) -> dict[str, list[int]]:
    rng = random.Random(seed)
    pairs = [f"P{i:02d}-Q{i:02d}" for i in range(50)] + [shifted]
    levels = {pair: rng.uniform(-0.4, 0.4) for pair in pairs}
    levels[shifted] = 0.35
    baselines = {pair: Baseline() for pair in pairs}
    fired: dict[str, list[int]] = {}
    for day in range(days):
        for pair in pairs:
            level = levels[pair] - (0.8 if pair == shifted and day >= shift_day else 0.0)
            articles = rng.randint(6, 20)
            mean = max(-1.0, min(1.0, rng.gauss(level, 0.25 / articles**0.5)))
            shift, _ = observe(window(pair, day, mean, articles), baselines[pair])
            if shift:
                fired.setdefault(pair, []).append(day)
    return fired


def test_fires_on_the_shifted_pair_within_two_windows_and_on_no_other():
    for seed in range(5):
        fired = run(days=20, shifted="ARG-BRA", shift_day=12, seed=seed)
        assert set(fired) == {"ARG-BRA"}, (seed, fired)
        assert fired["ARG-BRA"][0] in (12, 13)


def test_minimum_support_keeps_thin_windows_quiet():
    baseline = Baseline()
    for day in range(5):
        observe(window("A-B", day, 0.5), baseline)
    shift, z = observe(window("A-B", 5, -0.9, articles=3), baseline)
    assert shift is None and z == 0.0
    shift, z = observe(window("A-B", 6, -0.9, articles=12), baseline)
    assert shift is not None and shift.direction == "down" and z < -3


def test_no_alert_without_history():
    baseline = Baseline()
    shift, _ = observe(window("A-B", 0, -0.9), baseline, ShiftRules(min_history=3))
    assert shift is None and baseline.windows == 1


def test_alert_record_carries_what_an_analyst_needs():
    baseline = Baseline()
    for day in range(4):
        observe(window("IND-PAK", day, 0.3), baseline)
    w = window("IND-PAK", 4, -0.6)
    w["movers"] = [{"article_id": "x", "sentiment": -0.9, "evidence": "India condemned Pakistan"}]
    shift, _ = observe(w, baseline)
    record = shift.record()
    assert record["schema"] == "alert.v1" and record["pair"] == "IND-PAK" and record["direction"] == "down"
    assert record["baseline"]["windows"] == 4 and record["movers"][0]["article_id"] == "x"


def test_a_window_closed_again_is_decided_the_same_and_folded_in_once():
    """A worker killed after a close reached the broker but before the window's deletion did closes it again."""
    history = [window("A-B", day, 0.5) for day in range(6)]
    once, twice = Baseline(), Baseline()
    for w in history:
        observe(w, once)
        observe(w, twice)
    hostile = window("A-B", 6, -0.9)
    first = observe(hostile, twice)
    saved = Baseline.from_state(twice.to_state())  # as the table holds it after the first close
    again = observe(hostile, saved)
    assert first[0] is not None and again == first  # the same alert, the same z
    assert saved == Baseline.from_state(twice.to_state())
    observe(hostile, once)
    assert saved.windows == once.windows == 7 and saved.mean == once.mean
    later = window("A-B", 7, 0.5)
    assert observe(later, saved) == observe(later, once)


def test_baselines_saved_before_the_window_bookkeeping_still_load():
    assert Baseline.from_state({"mean": 0.2, "variance": 0.01, "windows": 4}).windows == 4
