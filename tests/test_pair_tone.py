"""The pair-tone model: its features, its decisions and explanations, and how it sets a dyad's tone."""

import math

import jsonschema
import pytest

from dyadwatch.processors.analysis import Analyzer, default_analyzer
from dyadwatch.processors.evaluation import tone_class
from dyadwatch.processors.pair_tone import PAIR, PairFeatures, PairTokens, PairTone, PairToneModel, default_pair_tone
from dyadwatch.schemas import load_schema
from tests.conftest import make_article


def tokens_of(body: str, title: str = "") -> PairTokens:
    analyzer = default_analyzer()
    return PairTokens(analyzer.tagger.tag(make_article(body, title=title)))


def test_tokens_mark_the_pair_and_other_countries_apart():
    tokens = tokens_of("India and Pakistan signed an accord. China watched.")
    countries = [t.country for t in tokens.tokens if t.country]
    assert countries == ["IND", "PAK", "CHN"]
    assert tokens.shared_sentences("IND", "PAK") == [0]
    assert tokens.shared_sentences("IND", "CHN") == []
    features = PairFeatures()(tokens, "IND", "PAK", 0.4)
    assert "s:" + PAIR in features and "s:sign" in features and "s:accord" in features
    assert "s:watch" not in features  # not in a sentence naming both
    assert features["b:and"] == 1 and features["pair:INDPAK"] == 1 and features["rule"] == 0.4


def test_features_read_the_pairs_own_clause():
    body = "Turkey's president received Pakistan's prime minister, weeks after the war between India and Pakistan."
    features = PairFeatures()(tokens_of(body), "IND", "PAK", 0.0)
    assert "cl:war" in features and "cl:receiv" not in features
    other = PairFeatures()(tokens_of(body), "PAK", "TUR", 0.0)
    assert "cl:receiv" in other


def test_cameo_verbs_give_quad_classes():
    features = PairFeatures()(tokens_of("Russia attacked Ukraine."), "RUS", "UKR", 0.0)
    assert any(name.startswith("q:") and "conflict" in name for name in features)


def test_features_are_the_same_every_time():
    tokens = tokens_of("Japan and South Korea agreed to resume talks on fishing rights.", title="Talks resume")
    assert PairFeatures()(tokens, "JPN", "KOR", 0.2) == PairFeatures()(tokens, "JPN", "KOR", 0.2)


def test_prediction_is_a_distribution_and_its_sentiment_has_its_class():
    model = default_pair_tone()
    for tone in (-1, 0, 1):
        for probabilities in ((0.5, 0.3, 0.2), (0.2, 0.45, 0.35), (0.34, 0.32, 0.34)):
            found = PairTone(tone, probabilities, [])
            assert tone_class(found.sentiment) == tone
            assert -1 <= found.sentiment <= 1
    features = model.features(tokens_of("Israel and Egypt signed a trade accord."), "EGY", "ISR", 0.7)
    found = model.predict(features)
    assert math.isclose(sum(found.probabilities), 1.0)
    assert found.tone == 1 and found.because and all(name in model.weights for name in found.because)


def test_a_tiny_model_decides_by_its_weights():
    model = PairToneModel(
        {"intercepts": [0.0, 0.0, 0.0], "weights": {"s:sign": [-1.0, 0.0, 2.0]}, "version": "test"},
        PairFeatures(cameo={}, valences={}),
    )
    assert model.predict({"s:sign": 1.0}).tone == 1
    assert model.predict({"s:sign": 1.0}).because == ["s:sign"]
    assert model.predict({"unknown": 1.0}).tone == -1  # ties: the first class (logits all 0)
    biased = PairToneModel({"intercepts": [0.0, 1.0, 0.0], "weights": {}, "neutral_bias": 2.0, "version": "t"})
    assert biased.predict({}).tone == -1


def test_dyads_carry_the_models_decision_and_the_rules_score():
    result = default_analyzer().analyze(make_article("Israel and Egypt signed a trade accord. France held elections."))
    (dyad,) = [d for d in result["dyads"] if d["pair"] == "EGY-ISR"]
    assert dyad["tone"]["class"] == tone_class(dyad["sentiment"]) == 1
    assert dyad["tone"]["rule_sentiment"] > 0 and dyad["tone"]["because"]
    assert result["versions"]["tone_model"].startswith("pair-tone:")
    unrelated = [d for d in result["dyads"] if d["sentences"] == 0]
    assert unrelated and all("tone" not in d and d["sentiment"] == 0.0 for d in unrelated)
    jsonschema.validate(result, load_schema("mentions.v1"))


def test_the_rules_alone_leave_no_model_trace():
    result = Analyzer(pair_tone=False).analyze(make_article("Israel and Egypt signed a trade accord."))
    assert "tone" not in result["dyads"][0] and "tone_model" not in result["versions"]


@pytest.mark.parametrize("bad", ["", "   ", "\x00\x01", "India" * 2000])
def test_odd_texts_never_break_the_model(bad):
    default_analyzer().analyze(make_article(bad + " India and Pakistan clashed. " + bad))


def test_fitting_learns_a_plain_signal_and_chooses_its_settings_inside_the_training_rows():
    from dyadwatch.processors.tone_training import C_GRID, NEUTRAL_BIASES, Example, fit

    examples = []
    for n in range(300):
        tone = (n % 3) - 1
        word = {-1: "s:attack", 0: "s:visit", 1: "s:sign"}[tone]
        examples.append(Example({word: 1.0, f"noise:{n % 7}": 1.0}, tone, "dev" if n % 2 else "events", 950 + n))
    model = fit(examples)
    assert model["c"] in C_GRID and model["neutral_bias"] in NEUTRAL_BIASES
    assert model["trained_on"] == {"dev": 150, "events": 150}
    pair_model = PairToneModel(model | {"version": "t"}, PairFeatures(cameo={}, valences={}))
    assert [pair_model.predict({w: 1.0}).tone for w in ("s:attack", "s:visit", "s:sign")] == [-1, 0, 1]


def test_a_learning_curves_shares_of_dev_rows_are_fixed_and_nested():
    from dyadwatch.processors.tone_training import dev_rows_kept

    rows = range(950, 1900)
    quarter, half, every = (dev_rows_kept(rows, share) for share in (0.25, 0.5, 1.0))
    assert (len(quarter), len(half), every) == (238, 475, set(rows))
    assert quarter < half < every
    assert dev_rows_kept(reversed(rows), 0.25) == quarter
    assert dev_rows_kept(rows, 0.0) == set()
