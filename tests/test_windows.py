"""Window maths: bounds, idempotent counting, order independence, lateness and closing."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyadwatch.processors.windows import (
    WindowAggregate,
    format_duration,
    has_unread,
    is_closed,
    is_too_late,
    parse_duration,
    watermark,
    window_key,
    window_start,
)

HOUR = 3600


def test_durations():
    assert [parse_duration(x) for x in ("90s", "15m", "1h", "24h", "7d", "30")] == [90, 900, 3600, 86400, 604800, 30]
    assert [format_duration(x) for x in (3600, 86400, 90, 900)] == ["1h", "1d", "90s", "15m"]
    with pytest.raises(ValueError):
        parse_duration("-1h")


def test_window_bounds_are_epoch_aligned():
    assert window_start(1_700_000_123.5, HOUR) == 1_699_999_200
    assert window_start(1_699_999_200, HOUR) == 1_699_999_200
    assert window_key("IND-PAK", HOUR, 1_699_999_200) == "IND-PAK|1h|2023-11-14T22:00:00Z"


def test_an_article_counts_once():
    agg = WindowAggregate("IND-PAK", HOUR, 0)
    assert agg.add("a1", -0.5, 2, 10, 20)
    assert not agg.add("a1", -0.5, 2, 10, 25)
    assert agg.articles == 1 and agg.sentences == 2 and agg.negative == 1


def test_aggregate_is_independent_of_order_and_exact():
    scores = [(f"a{i}", random.Random(i).uniform(-1, 1), i % 4, 100 + i) for i in range(300)]
    forward, shuffled = WindowAggregate("A-B", HOUR, 0), WindowAggregate("A-B", HOUR, 0)
    for item in scores:
        forward.add(*item, arrived_at=item[3])
    mixed = scores[:]
    random.Random(1).shuffle(mixed)
    for item in mixed + mixed[:50]:  # and some redeliveries
        shuffled.add(*item, arrived_at=item[3])
    assert forward.record() == shuffled.record()
    values = [round(s * 1_000_000) / 1_000_000 for _, s, _, _ in scores]
    mean = sum(values) / len(values)
    assert forward.mean == pytest.approx(mean, abs=1e-9)
    assert forward.stddev == pytest.approx((sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5, abs=1e-9)


def test_state_round_trips():
    agg = WindowAggregate("A-B", HOUR, 0)
    agg.add("x", 0.3, 1, 5, 6)
    assert WindowAggregate.from_state(agg.to_state()).record() == agg.record()


def test_lateness_and_closing():
    assert not is_too_late(published_at=0, arrived_at=6 * HOUR, lateness=6 * HOUR)
    assert is_too_late(published_at=0, arrived_at=6 * HOUR + 1, lateness=6 * HOUR)
    assert not is_closed(window_end=HOUR, stream_time=7 * HOUR, lateness=6 * HOUR)
    assert is_closed(window_end=HOUR, stream_time=7 * HOUR + 1, lateness=6 * HOUR)


def test_directed_tone_is_aggregated_per_direction_and_counted_once():
    aggregate = WindowAggregate("IND-TUR", 3600, 0)
    aggregate.add("a1", -0.2, 2, 10, 20, a_to_b=-0.4, b_to_a=None)
    aggregate.add("a2", 0.1, 1, 10, 20, a_to_b=-0.2, b_to_a=0.3)
    assert not aggregate.add("a2", 0.1, 1, 10, 20, a_to_b=-0.2, b_to_a=0.3)  # redelivered
    record = aggregate.record()
    assert record["a_to_b_articles"] == 2 and record["a_to_b_mean"] == -0.3
    assert record["b_to_a_articles"] == 1 and record["b_to_a_mean"] == 0.3
    assert WindowAggregate.from_state(aggregate.to_state()).record() == record
    assert WindowAggregate("X-Y", 60, 0).record()["a_to_b_mean"] is None


def test_window_versions_are_those_of_the_latest_article_whatever_the_order():
    old, new = {"gazetteer": "g1", "code": "0.1.0"}, {"gazetteer": "g2", "code": "0.1.0"}
    records = [("a1", 20.0, old), ("a2", 30.0, new), ("a3", 30.0, old)]
    results = []
    for order in (records, records[::-1]):
        aggregate = WindowAggregate("IND-PAK", 3600, 0)
        for article_id, arrived, versions in order:
            aggregate.add(article_id, 0.1, 1, 10, arrived, versions=versions)
        results.append(aggregate.record()["versions"])
    assert results[0] == results[1] == new


def test_states_are_snapshots_that_later_counts_do_not_change():
    """A state handed to a table's changelog may be serialized after the aggregate has counted more articles."""
    agg = WindowAggregate("IND-PAK", HOUR, 0)
    agg.add("a1", -0.5, 1, 10, 20)
    saved = agg.to_state()
    agg.add("a2", 0.5, 1, 11, 21)
    assert saved["articles"] == 1 and len(saved["seen"]) == 1 and len(saved["movers"]) == 1
    restored = WindowAggregate.from_state(saved)
    restored.add("a3", 0.1, 1, 12, 22)
    assert len(saved["seen"]) == 1 and len(saved["movers"]) == 1


def test_watermark_is_the_least_progress_of_the_partitions_not_idle():
    progress = {0: 100.0, 1: 40.0, 2: 70.0}
    assert watermark(progress, set()) == 40.0
    assert watermark(progress, {1}) == 70.0  # the quiet partition no longer holds windows open
    assert watermark(progress, {0, 1, 2}) == 100.0  # all quiet: everything sent so far has been read
    assert watermark({}, set()) == 0.0


def test_a_partition_is_idle_only_with_nothing_left_to_read():
    # after an assignment, before any record is processed: Faust's position is the committed offset, the next to read
    assert has_unread(highwater=10, processed_next=None, position=9)  # one record left (once reported idle here)
    assert not has_unread(highwater=10, processed_next=None, position=10)  # committed to the end
    assert has_unread(highwater=10, processed_next=None, position=None)  # not positioned yet
    # once records are processed, the offset after the last one decides, whatever has been fetched
    assert has_unread(highwater=10, processed_next=9, position=9)  # the last record fetched, not yet processed
    assert not has_unread(highwater=10, processed_next=10, position=9)
    assert not has_unread(highwater=0, processed_next=None, position=None)  # an empty partition
    assert not has_unread(highwater=None, processed_next=None, position=None)  # end unknown: as before


def test_watermark_never_goes_back_when_an_idle_partition_sends_again():
    progress = {0: 100.0, 1: 40.0}
    closed_at = watermark(progress, {1})
    assert closed_at == 100.0
    progress[1] = 45.0  # partition 1 sends again, far behind
    assert watermark(progress, set(), previous=closed_at) == 100.0  # windows closed meanwhile stay closed
    progress[1] = 130.0
    assert watermark(progress, set(), previous=closed_at) == 100.0
    progress[0] = 150.0
    assert watermark(progress, set(), previous=closed_at) == 130.0


def _movers_by_sorting(scores: list[tuple[str, float]], per_side: int = 3) -> list[dict]:
    """The movers as the aggregate defines them: after each article, the `per_side` lowest and highest by
    (sentiment, article_id), re-sorted from scratch (the aggregate skips the sort when it cannot matter)."""
    movers: list[dict] = []
    for article_id, sentiment in scores:
        ordered = sorted([*movers, {"article_id": article_id, "sentiment": sentiment, "evidence": "e"}],
                         key=lambda m: (m["sentiment"], m["article_id"]))  # fmt: skip
        movers = ordered[:per_side] + [m for m in ordered[-per_side:] if m not in ordered[:per_side]]
    return movers


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([-0.9, -0.5, -0.1, 0.0, 0.1, 0.5, 0.9]), st.integers(0, 40)), max_size=40))
def test_movers_are_the_extremes_whatever_the_order(raw: list[tuple[float, int]]) -> None:
    scores = list({f"a{number}": sentiment for sentiment, number in raw}.items())  # one score per article
    aggregate = WindowAggregate("IND-PAK", HOUR, 0)
    for article_id, sentiment in scores:
        aggregate.add(article_id, sentiment, 1, 10.0, 10.0, "e")
    assert aggregate.movers == _movers_by_sorting(scores)
