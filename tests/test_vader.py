"""processors.vader gives exactly VADER's compound score: on VADER's human-rated corpora, on the texts dyadwatch
scores, and on random word salads built to hit every rule (boosters, negations, "no", "but", "least", idioms, capitals,
punctuation), under each lexicon dyadwatch uses."""

import random
from datetime import UTC, datetime

import pytest
from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE, SPECIAL_CASES

from dyadwatch.processors import is_compiled
from dyadwatch.processors.article import parse_article
from dyadwatch.processors.sentiment import ToneModel
from dyadwatch.processors.vader import CompoundScorer
from samples.generate_feed import generate  # the project's own synthetic feed
from tests.conftest import default_analyzer, shared_path


@pytest.fixture(scope="module")
def models() -> list[ToneModel]:
    return [ToneModel(overlay=False), ToneModel(overlay=True), ToneModel(overlay=True, base_weight=0.3, for_pairs=True)]


def assert_same(models: list[ToneModel], texts: list[str]) -> None:
    for model in models:
        fast = CompoundScorer(model.analyzer)
        different = [t for t in texts if fast.score(t) != model.analyzer.polarity_scores(t)["compound"]]
        assert not different, different[:5]


@pytest.mark.parametrize("corpus", ["nytEditorialSnippets", "movieReviewSnippets", "tweets", "amazonReviewSnippets"])
def test_the_same_scores_on_vaders_rated_corpora(models: list[ToneModel], corpus: str) -> None:
    path = shared_path("corpora", "vader_groundtruth", f"{corpus}_GroundTruth.txt")
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    texts = [parts[2] for parts in (line.split("\t") for line in lines) if len(parts) >= 3]
    assert len(texts) > 3000
    assert_same(models, texts)


def test_the_same_scores_on_random_texts_that_hit_every_rule(models: list[ToneModel]) -> None:
    rng = random.Random(7)
    lexicon = sorted(models[2].analyzer.lexicon)
    vocabulary = lexicon[::97] + list(BOOSTER_DICT) + NEGATE + [w for case in SPECIAL_CASES for w in case.split()]
    vocabulary += "no or nor but BUT least at very kind of never so this without doubt GREAT Good :) 's NOT".split()
    texts = ["", "   ", "!!!", "no", "not good", "kind of good", "at least good", "the bomb", "good but bad bad"]
    for _ in range(5000):
        text = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 14)))
        text = text.upper() if rng.random() < 0.2 else text
        texts.append(text + rng.choice(["", "", "!", "!!!!!", "?", "??", "????", " :)"]))
    texts.append("Ankara welcomes the deal 🙂 warmly")  # non-ASCII: handed to VADER itself
    assert_same(models, texts)


@pytest.mark.skipif(is_compiled(), reason="collects the clauses by wrapping a method, which a compiled class forbids")
def test_the_same_scores_on_the_clauses_dyadwatch_scores(models: list[ToneModel]) -> None:
    scored: list[str] = []
    tone = default_analyzer().tone
    original = tone.score
    tone.score = lambda text: scored.append(text) or original(text)  # type: ignore[method-assign]
    try:
        for story in generate(200, 4, 3, True, datetime(2026, 11, 1, tzinfo=UTC)):
            default_analyzer().analyze(parse_article(story, check_language=False))
    finally:
        tone.score = original  # type: ignore[method-assign]
    assert len(scored) > 200
    assert_same(models, scored)
