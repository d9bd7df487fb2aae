"""The development gold (../shared/eval): thresholds of issue 2, scored the way the blind set is scored."""

import pytest

from processors.analysis import default_analyzer
from processors.evaluation import read_agnews, read_gold, score, tone_class
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def report():
    gold = shared_path("eval", "dev-agnews-world.jsonl")
    corpus = shared_path("corpora", "ag_news_world", "test_world.csv")
    rows = list(read_gold(gold))
    assert all(int(row["row"]) >= 950 for row in rows), "rows 0-949 are reserved for blind evaluation"
    return score(rows, read_agnews(corpus), default_analyzer().analyze)


def test_country_f1(report):
    assert report.countries.f1 >= 0.97


def test_dyad_f1(report):
    assert report.dyads.f1 >= 0.92


def test_tone_accuracy(report):
    assert report.tone_accuracy >= 0.70


def test_sign_accuracy_on_friendly_and_hostile_pairs(report):
    assert report.sign_accuracy >= 0.85


def test_tone_classes():
    assert [tone_class(x) for x in (-0.06, -0.05, 0.0, 0.05, 0.06)] == [-1, 0, 0, 0, 1]
