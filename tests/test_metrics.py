"""Metric names and bounded label sets."""

from prometheus_client.parser import text_string_to_metric_families

from dyadwatch.streams import metrics


def window(pair: str, size: str, mean: float, articles: int) -> dict:
    a, b = pair.split("-")
    return {"pair": pair, "a": a, "b": b, "window": size, "mean": mean, "articles": articles,
            "a_to_b_mean": mean, "b_to_a_mean": -mean}  # fmt: skip


def test_ten_thousand_distinct_pairs_keep_the_series_count_bounded():
    gauges = metrics.PairGauges(watch={"IND-PAK"}, k=50)
    for i in range(10_000):
        gauges.window(window(f"P{i:04d}-Q{i:04d}", "1h", 0.1, 1))
        gauges.window(window("CHN-USA", "1h", -0.2, 3))
    gauges.window(window("IND-PAK", "1d", -0.5, 9))
    gauges.prune()
    # sentiment, articles and the two directed tones (the z gauge only on closes), two windows, watch-list + top K
    assert gauges.series() <= 4 * (50 + 1) * 2
    text = metrics.exposition().decode()
    assert 'dyadwatch_dyad_sentiment{pair="CHN-USA",window="1h"} -0.2' in text
    assert 'dyadwatch_dyad_articles{pair="IND-PAK",window="1d"} 9.0' in text
    assert 'dyadwatch_dyad_directed_sentiment{direction="PAK→IND",pair="IND-PAK",window="1d"} 0.5' in text


def test_names_follow_the_convention_and_labels_are_fixed():
    families = {f.name: f for f in text_string_to_metric_families(metrics.exposition().decode())}
    for name in families:
        assert name.startswith("dyadwatch_")
    reasons = {s.labels["reason"] for s in families["dyadwatch_articles_dead_lettered"].samples if "reason" in s.labels}
    assert "too_late" in reasons and "invalid_json" in reasons and len(reasons) == 12


def test_a_pair_pruned_and_tracked_again_shows_its_new_values():
    gauges = metrics.PairGauges(watch=set(), k=1, refresh_every=1)
    gauges.window(window("ARG-BRA", "1h", 0.3, 1))
    for _ in range(3):  # CHN-USA becomes the busiest: ARG-BRA's series are pruned
        gauges.window(window("CHN-USA", "1h", -0.2, 3))
    gauges.prune()
    assert 'pair="ARG-BRA"' not in metrics.exposition().decode()
    for _ in range(5):  # busiest again: its series come back with the latest value
        gauges.window(window("ARG-BRA", "1h", -0.7, 6))
    text = metrics.exposition().decode()
    assert 'dyadwatch_dyad_sentiment{pair="ARG-BRA",window="1h"} -0.7' in text
    assert 'dyadwatch_dyad_directed_sentiment{direction="BRA→ARG",pair="ARG-BRA",window="1h"} 0.7' in text
