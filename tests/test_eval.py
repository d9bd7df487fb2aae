"""Quality on the development gold (../shared/eval, AG News World rows 950-1899), scored as the blind set is.

Country and pair detection involve no fitting on these rows. Pair tone does: the shipped model is trained on them
(beside ../shared/train), so its tone figures here are out of fold — each fold scored by a model fitted without it.
The floors sit just under this build's figures (deterministic: fixed seed), to catch a regression.
"""

import pytest

from dyadwatch.processors.analysis import default_analyzer
from dyadwatch.processors.evaluation import read_agnews, read_gold, score, tone_class
from dyadwatch.processors.pair_tone import CAMEO_PATH, MODEL_PATH
from dyadwatch.processors.tone_training import folded_figures, train_model
from tests.conftest import SHARED, shared_path


def dev_gold():
    return shared_path("eval", "dev-agnews-world.v2.jsonl"), shared_path("corpora", "ag_news_world", "test_world.csv")


@pytest.fixture(scope="module")
def report():
    gold, corpus = dev_gold()
    rows = list(read_gold(gold))
    assert all(int(row["row"]) >= 950 for row in rows), "rows 0-949 are reserved for blind evaluation"
    return score(rows, read_agnews(corpus), default_analyzer().analyze)


@pytest.fixture(scope="module")
def folded():
    gold, corpus = dev_gold()
    return folded_figures(gold, corpus, sorted(shared_path("train").glob("*.jsonl")), folds=5)


def test_country_f1(report):
    assert report.countries.f1 >= 0.97


def test_dyad_f1(report):
    assert report.dyads.f1 >= 0.95


@pytest.mark.training
def test_tone_out_of_fold(folded):
    assert folded["tone_accuracy_out_of_fold"] >= 0.63
    assert folded["sign_accuracy_out_of_fold"] >= 0.70
    assert folded["tone_pairs_out_of_fold"] >= 600


@pytest.mark.training
def test_every_training_set_is_used(folded):
    assert set(folded["training_pairs"]) == {"dev", "agnews-other", "events"}


@pytest.mark.training
def test_shipped_model_is_what_make_train_fits(tmp_path):
    shared_path("train")
    model = tmp_path / "pair_tone.json"
    train_model(SHARED, model, tmp_path / "cameo_verbs.tsv")
    assert model.read_bytes() == MODEL_PATH.read_bytes(), "processors/data/pair_tone.json is stale: run make train"
    assert (tmp_path / "cameo_verbs.tsv").read_bytes() == CAMEO_PATH.read_bytes()


def test_tone_classes():
    assert [tone_class(x) for x in (-0.06, -0.05, 0.0, 0.05, 0.06)] == [-1, 0, 0, 0, 1]
