"""Hostile inputs: does the time to tag an article grow linearly with its size, and how long is the worst case?

    make bench            # or: .venv/bin/python bench/bench_hostile.py

For each kind of pathological text (runs of dots, blank lines, angle brackets, entities, one endless word, lists
of country names with and without sentence ends, plain prose) the article is tagged at 20k, 40k, 80k and 160k
characters with the limits lifted, and the report gives time(160k) / time(20k): 8 means linear, 64 quadratic. Then
the same kinds at the largest accepted record (DYADWATCH_MAX_ARTICLE_BYTES, 256 KiB) with the default limits:
the longest one article can hold a worker. Ratios are within one run; results go to bench/parts/hostile.json.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from dyadwatch.processors.analysis import Analyzer
from dyadwatch.processors.article import parse_article
from dyadwatch.processors.gazetteer import load_gazetteer
from dyadwatch.processors.limits import TextLimits

ROOT = Path(__file__).resolve().parent.parent

SIZES = (20_000, 40_000, 80_000, 160_000)
LARGEST = 256 * 1024


def kinds() -> dict[str, str]:
    names = sorted(country.name for country in load_gazetteer().countries.values())
    return {
        "dots": ". " * 50,
        "blank lines": ".\n\n\n\n\n\n" * 10,
        "angle brackets": "<" * 100,
        "entities": "&#" * 50,
        "one long word": "a" * 100,
        "6 countries per sentence": "Turkey Pakistan India Chile Japan France. ",
        "country list, no sentence end": " and ".join(names) + " ",
        "every country per sentence": " ".join(names) + ". ",
        "prose": "Turkey praised Pakistan but India condemned the talks in Ankara on Monday. ",
    }


def seconds(analyzer: Analyzer, unit: str, size: int, repeat: int = 3, worst: bool = False) -> float:
    """The best (for growth: the least noisy) or, with `worst`, the longest of `repeat` runs."""
    body = (unit * (size // len(unit) + 1))[:size]
    article = parse_article(
        {"id": "h", "title": "", "body": body, "published_at": "2025-05-01T00:00:00Z"},
        check_language=False,
        max_bytes=10**9,
    )
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        analyzer.analyze(article)
        times.append(time.perf_counter() - started)
    return max(times) if worst else min(times)


def main() -> None:
    unlimited = Analyzer(limits=TextLimits(10**9, 10**9, 10**9, 10**9))
    defaults = Analyzer()
    report = {}
    print(f"{'input':<32}{'ms @20k':>10}{'x @160k':>10}{'ms @256KiB, default limits':>30}")
    for name, unit in kinds().items():
        times = [seconds(unlimited, unit, size) for size in SIZES]
        growth = times[-1] / times[0]
        worst = seconds(defaults, unit, LARGEST, worst=True)
        report[name] = {"ms_at_20k": round(times[0] * 1000, 2), "growth_20k_to_160k": round(growth, 2),
                        "ms_at_max_record_default_limits": round(worst * 1000, 1)}  # fmt: skip
        print(f"{name:<32}{times[0] * 1000:>10.1f}{growth:>10.1f}{worst * 1000:>30.1f}")
    print("\n(x @160k: 8 is linear, 64 would be quadratic)")
    out = ROOT / "bench" / "parts" / "hostile.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    results = {
        "kinds": report,
        "max_growth": max(entry["growth_20k_to_160k"] for entry in report.values()),
        "worst_ms_at_max_record": max(entry["ms_at_max_record_default_limits"] for entry in report.values()),
    }
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
