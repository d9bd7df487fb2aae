"""Tone-shift detection: each closing window of a pair against an exponentially weighted baseline of its past.

A window fires when it has enough articles, the pair has enough history, and its mean departs from the baseline by
both a z-score and an absolute magnitude; three articles never page anyone. Pure functions and small dataclasses:
the streaming layer keeps one `Baseline` per (pair, window size) and calls :func:`observe` on every final window.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from dyadwatch.schemas.contracts import AlertV1


@dataclass(frozen=True, slots=True)
class ShiftRules:
    alpha: float = 0.3  # EWMA weight of the newest window
    z_threshold: float = 3.0
    min_magnitude: float = 0.25  # |window mean - baseline mean| in tone units
    min_articles: int = 5  # in the closing window
    min_history: int = 3  # windows already in the baseline
    noise_floor: float = 0.1  # smallest standard deviation assumed for a baseline


@dataclass(slots=True)
class Baseline:
    mean: float = 0.0
    variance: float = 0.0
    windows: int = 0
    # The last window folded in and the baseline before it: a window closed again (a worker killed before its close
    # was saved) is decided against the same baseline as the first time and folded in once.
    last_window_start: str = ""
    before_last: dict | None = None

    def update(self, value: float, alpha: float, window_start: str = "") -> None:
        self.before_last = {"mean": self.mean, "variance": self.variance, "windows": self.windows}
        self.last_window_start = window_start
        if self.windows == 0:
            self.mean, self.variance = value, 0.0
        else:
            delta = value - self.mean
            self.mean += alpha * delta
            self.variance = (1 - alpha) * (self.variance + alpha * delta * delta)
        self.windows += 1

    def to_state(self) -> dict:
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict | None) -> Baseline:
        return cls(**state) if state else cls()


@dataclass(slots=True)
class Shift:
    pair: str
    window: str
    window_start: str
    window_end: str
    direction: str  # "up" (friendlier) or "down" (more hostile)
    magnitude: float
    z: float
    articles: int
    mean: float
    baseline: dict
    movers: list[dict] = field(default_factory=list)

    def record(self) -> AlertV1:
        """The `dyadwatch.alerts` value (schemas/alert.v1.json), without `versions`: the aggregation stage adds them."""
        return {"schema": "alert.v1", "kind": "tone_shift", "pair": self.pair, "window": self.window,
                "window_start": self.window_start, "window_end": self.window_end, "direction": self.direction,
                "magnitude": self.magnitude, "z": self.z, "articles": self.articles, "mean": self.mean,
                "baseline": self.baseline, "movers": self.movers}  # fmt: skip


def z_score(window_mean: float, window_stddev: float, articles: int, baseline: Baseline, floor: float) -> float:
    """How many standard errors the window mean lies from the baseline (baseline spread and sampling noise)."""
    spread = max(baseline.variance, floor * floor) + (window_stddev * window_stddev) / max(articles, 1)
    return (window_mean - baseline.mean) / math.sqrt(spread)


def observe(window: dict, baseline: Baseline, rules: ShiftRules = ShiftRules()) -> tuple[Shift | None, float]:
    """Compare a final window (a `window.v1` value) with the pair's baseline, then fold it into the baseline.

    Returns (the shift if the window fires, the z statistic — 0.0 when the window lacks support).
    """
    shift = None
    z = 0.0
    if baseline.before_last is not None and window["window_start"] == baseline.last_window_start:
        for name, value in baseline.before_last.items():  # this window again: back to the baseline before it
            setattr(baseline, name, value)
    supported = window["articles"] >= rules.min_articles and baseline.windows >= rules.min_history
    if supported:
        z = z_score(window["mean"], window["stddev"], window["articles"], baseline, rules.noise_floor)
        magnitude = window["mean"] - baseline.mean
        if abs(z) >= rules.z_threshold and abs(magnitude) >= rules.min_magnitude:
            shift = Shift(
                pair=window["pair"],
                window=window["window"],
                window_start=window["window_start"],
                window_end=window["window_end"],
                direction="up" if magnitude > 0 else "down",
                magnitude=round(magnitude, 4),
                z=round(z, 3),
                articles=window["articles"],
                mean=window["mean"],
                baseline={
                    "mean": round(baseline.mean, 4),
                    "stddev": round(math.sqrt(baseline.variance), 4),
                    "windows": baseline.windows,
                },
                movers=list(window.get("movers", [])),
            )
    if window["articles"] >= rules.min_articles:
        baseline.update(window["mean"], rules.alpha, window["window_start"])
    return shift, z
