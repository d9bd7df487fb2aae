"""Metric names and bounded label sets."""

from prometheus_client.parser import text_string_to_metric_families

from streams import metrics


def test_ten_thousand_distinct_pairs_keep_the_series_count_bounded():
    gauges = metrics.PairGauges(watch={"IND-PAK"}, k=50)
    for i in range(10_000):
        gauges.window({"pair": f"P{i:04d}-Q{i:04d}", "window": "1h", "mean": 0.1, "articles": 1})
        gauges.window({"pair": "CHN-USA", "window": "1h", "mean": -0.2, "articles": 3})
    gauges.window({"pair": "IND-PAK", "window": "1d", "mean": -0.5, "articles": 9})
    gauges.prune()
    assert gauges.series() <= 2 * (50 + 1) * 2  # sentiment and articles, two windows, watch-list + top K
    text = metrics.exposition().decode()
    assert 'dyadwatch_dyad_sentiment{pair="CHN-USA",window="1h"} -0.2' in text
    assert 'dyadwatch_dyad_articles{pair="IND-PAK",window="1d"} 9.0' in text


def test_names_follow_the_convention_and_labels_are_fixed():
    families = {f.name: f for f in text_string_to_metric_families(metrics.exposition().decode())}
    for name in families:
        assert name.startswith("dyadwatch_")
    reasons = {s.labels["reason"] for s in families["dyadwatch_articles_dead_lettered"].samples if "reason" in s.labels}
    assert "too_late" in reasons and "invalid_json" in reasons and len(reasons) == 12
