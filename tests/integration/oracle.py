"""The windows a pipeline must publish, computed straight from its input: each article tagged offline (no worker,
no Kafka, no window code), the pairs it relates counted into epoch-aligned hourly and daily windows."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from dyadwatch.processors.analysis import default_analyzer
from dyadwatch.processors.article import decode_article

SIZES = {3600: "1h", 86400: "1d"}


def expected_windows(records: list[tuple[bytes | None, bytes, int | None]]) -> dict[str, tuple[int, float]]:
    """window key (pair|1h|2026-11-01T09:00:00Z) -> (articles, mean tone), each article counted once."""
    analyzer = default_analyzer()
    tones: dict[str, list[float]] = defaultdict(list)
    seen: set[str] = set()
    for _, value, _ in records:
        article = decode_article(value)
        if article.id in seen:
            continue
        seen.add(article.id)
        published = int(article.published_at.timestamp())
        for dyad in analyzer.analyze(article)["dyads"]:
            if dyad["sentences"] == 0:
                continue  # co-mentioned, never related in a sentence: not a dyads score
            for size, name in SIZES.items():
                start = published - published % size
                stamp = datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                tones[f"{dyad['pair']}|{name}|{stamp}"].append(dyad["sentiment"])
    return {key: (len(values), sum(values) / len(values)) for key, values in tones.items()}


def oracle_differences(windows: dict[str, dict], expected: dict[str, tuple[int, float]], limit: int = 5) -> list[str]:
    """Where a pipeline's latest window values (final_windows()) differ from the expected counts and means."""
    got = {key: (value["articles"], value["mean"]) for key, value in windows.items()}
    lines = [f"missing {key}" for key in sorted(set(expected) - set(got))[:limit]]
    lines += [f"extra {key}: {got[key]}" for key in sorted(set(got) - set(expected))[:limit]]
    for key in sorted(set(got) & set(expected)):
        (articles, mean), (want_articles, want_mean) = got[key], expected[key]
        if articles != want_articles or abs(mean - want_mean) > 2e-6:  # window means are kept to 6 decimals
            lines.append(f"{key}: articles {articles} mean {mean} expected {want_articles} {want_mean:.6f}")
    return lines[: 3 * limit]
