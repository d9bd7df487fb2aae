"""Pair tone: the seed article, clause attribution, entity masking."""

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyadwatch.processors.dyads import CLAUSE_WORDS, clauses
from dyadwatch.processors.sentiment import ToneModel
from tests.conftest import ROOT, default_analyzer, dyads, make_article, rule_dyads, shared_path

# The rules' attribution (clauses, coordination, masking) is checked on the rules' own tone; the shipped pair-tone
# model, which reads the rules' score as one feature, gets the same sentences below, where it is known to differ.


def seed_result():
    seed = json.loads(shared_path("samples", "seed-article.json").read_text(encoding="utf-8"))
    article = make_article(seed["body"], seed["published_at"], seed["title"], id=seed["id"])
    return default_analyzer().analyze(article)


def test_seed_article_countries_and_dyad_signs():
    result = seed_result()
    assert set(result["countries"]) == {"IND", "PAK", "TUR"}
    tone = {d["pair"]: d["sentiment"] for d in result["dyads"]}
    assert set(tone) == {"IND-PAK", "IND-TUR", "PAK-TUR"}
    assert tone["IND-PAK"] < 0
    assert tone["PAK-TUR"] > 0
    assert tone["IND-TUR"] < 0


def test_meeting_does_not_inherit_a_conflict_named_in_another_clause():
    tone = rule_dyads(
        "Erdogan received Pakistani Prime Minister Shehbaz Sharif in Istanbul on Sunday, just weeks after the "
        "military conflict between India and Pakistan.",
        "2025-05-25T12:00:00Z",
    )
    assert tone["PAK-TUR"] > 0
    assert tone["IND-PAK"] < 0


def test_coordinated_subjects_take_the_clause_tone():
    assert rule_dyads("Israel and Egypt signed a trade accord.")["EGY-ISR"] > 0.05
    assert rule_dyads("Ethiopia and Eritrea clashed on the border.")["ERI-ETH"] < -0.05


def test_the_verb_between_two_countries_sets_their_tone():
    tone = dyads("China rebuffed Japan over Taiwan.")
    assert tone["CHN-JPN"] < -0.05
    assert abs(tone["JPN-TWN"]) <= 0.05


def test_co_listed_countries_with_no_event_are_neutral():
    tone = dyads("The UN has chosen Argentina, Denmark, Greece and Japan as members of the Security Council.")
    assert all(abs(value) <= 0.05 for value in tone.values())


def test_entity_names_carry_no_tone():
    # "United" and "Security" are positive words to VADER; here they are parts of names.
    assert abs(rule_dyads("The United States and the United Kingdom spoke at the Security Council.")["GBR-USA"]) <= 0.05


# Known errors of the shipped model on invented sentences: "A and B" reads as cooperation (as it mostly is in the
# training data), and a pair's prior (GBR-USA) outweighs a sentence with no event. Strict: a fix shows up here.
@pytest.mark.xfail(strict=True, reason="pair-tone model: 'conflict between A and B' reads as cooperation")
def test_model_conflict_between_two_countries_is_hostile():
    tone = dyads(
        "Erdogan received Pakistani Prime Minister Shehbaz Sharif in Istanbul on Sunday, just weeks after the "
        "military conflict between India and Pakistan.",
        "2025-05-25T12:00:00Z",
    )
    assert tone["IND-PAK"] < -0.05


@pytest.mark.xfail(strict=True, reason="pair-tone model: 'A and B clashed' is not read as hostile")
def test_model_clash_is_hostile():
    assert dyads("Ethiopia and Eritrea clashed on the border.")["ERI-ETH"] < -0.05


@pytest.mark.xfail(strict=True, reason="pair-tone model: the GBR-USA pair's prior outweighs a sentence with no event")
def test_model_speaking_at_the_same_place_is_neutral():
    assert abs(dyads("The United States and the United Kingdom spoke at the Security Council.")["GBR-USA"]) <= 0.05


def test_model_agreement_is_friendly_and_rebuff_hostile():
    assert dyads("Israel and Egypt signed a trade accord.")["EGY-ISR"] > 0.05
    assert dyads("China rebuffed Japan over Taiwan.")["CHN-JPN"] < -0.05
    assert abs(dyads("China rebuffed Japan over Taiwan.")["JPN-TWN"]) <= 0.05


def test_pairs_never_in_one_sentence_are_listed_neutral():
    result = default_analyzer().analyze(make_article("France signed a deal.\nJapan held an election."))
    assert result["dyads"] == [
        {"pair": "FRA-JPN", "a": "FRA", "b": "JPN", "sentiment": 0.0, "sentences": 0, "evidence": [], "directed": []}
    ]


def test_clauses_cut_at_subordinating_words_and_strong_punctuation():
    text = "Erdogan met Sharif, just weeks after the war between India and Pakistan; talks resume at 10:30."
    texts = [text[a:b] for a, b in clauses(text, 0, len(text))]
    assert texts[0].startswith("Erdogan met Sharif")
    assert any(t.startswith("after the war") for t in texts)
    assert texts[-1].startswith("; talks resume at 10:30")
    assert next(text[a:b] for a, b in clauses(text, 0, len(text), split_words=False)).endswith("Pakistan")


def test_evidence_text_is_plain_and_capped():
    body = "France and Japan signed an accord\x07 " + "on trade " * 100 + "today."
    result = default_analyzer().analyze(make_article(body))
    evidence = result["dyads"][0]["evidence"][0]["text"]
    assert "\x07" not in evidence and len(evidence) <= 300


def test_diplomatic_overlay_does_not_lower_vader_on_human_ratings():
    import statistics

    path = shared_path("corpora", "vader_groundtruth", "nytEditorialSnippets_GroundTruth.txt")
    rows = [line.split("\t", 2) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    ratings = [float(r[1]) for r in rows]
    vader, with_overlay = ToneModel(overlay=False), ToneModel(overlay=True)
    plain = statistics.correlation(ratings, [vader.score(r[2]) for r in rows])
    overlaid = statistics.correlation(ratings, [with_overlay.score(r[2]) for r in rows])
    assert overlaid >= plain


def test_sample_feed_is_the_projects_own():
    lines = (ROOT / "samples" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 300
    days = {json.loads(line)["published_at"][:10] for line in lines}
    assert len(days) >= 10


def directed(body: str, published_at: str = "2004-11-01T00:00:00Z") -> dict[str, float]:
    result = default_analyzer().analyze(make_article(body, published_at))
    return {f"{d['source']}>{d['target']}": d["sentiment"] for dyad in result["dyads"] for d in dyad["directed"]}


def test_seed_article_directed_tone():
    ways = {f"{d['source']}>{d['target']}": d["sentiment"] for dyad in seed_result()["dyads"] for d in dyad["directed"]}
    assert ways["IND>TUR"] < 0  # India has expressed strong concerns over alleged Turkish military support ...
    assert ways["TUR>PAK"] > 0  # ... Turkish military support to Pakistan; Erdogan received Sharif


def test_the_subject_acts_on_the_object():
    assert directed("China rebuffed Japan over the islands.") == {
        "CHN>JPN": directed("China rebuffed Japan.")["CHN>JPN"]
    }
    assert directed("China rebuffed Japan.")["CHN>JPN"] < 0


def test_a_passive_agent_acts():
    ways = directed("Georgia was attacked by Russia on Friday.")
    assert set(ways) == {"RUS>GEO"} and ways["RUS>GEO"] < 0


def test_coordinated_countries_act_alike():
    ways = directed("Israel and Egypt signed a trade accord.")
    assert set(ways) == {"EGY>ISR", "ISR>EGY"} and ways["EGY>ISR"] == ways["ISR>EGY"] > 0


def test_the_substring_prechecks_cover_every_strong_cut():
    from dyadwatch.processors.dyads import _STRONG_CUT, _cuts

    for mark in (";", ":", "—", "–", "--"):
        assert _STRONG_CUT.search(mark)
        text = f"India talks {mark} Pakistan waits"
        assert _cuts(text, 0, len(text), True, True)[0], mark


# The specification of a cut at a subordinating word: the regex scan _cuts replaced with str.find.
CLAUSE_WORD = re.compile(r"(?:after|amid|while|whereas|although|though|despite|following|but|before|since)\b")
CUT_PIECES = [*CLAUSE_WORDS, "thereafter", "butter", "Although", "_", "x", "9", " ", ",", ", and", ", which", "; ",
              ":", "10:30", "—", "--", "é", "India", ".", "\n", "although", "sincere", "but_"]  # fmt: skip


def word_cuts_by_regex(text: str, start: int, end: int) -> set[int]:
    return {
        match.start()
        for match in CLAUSE_WORD.finditer(text, start, end)
        if match.start() == 0 or not text[match.start() - 1].isalnum()
    }


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(CUT_PIECES), max_size=25).map("".join), st.integers(0, 30), st.integers(0, 30))
def test_clause_word_cuts_agree_with_the_regex_scan(text: str, left: int, right: int) -> None:
    from dyadwatch.processors.dyads import _cuts

    start, end = min(left, len(text)), max(0, len(text) - right)
    if start > end:
        start, end = end, start
    strong, _ = _cuts(text, start, end, True, False)
    strong_only, _ = _cuts(text, start, end, False, False)
    assert strong == strong_only | word_cuts_by_regex(text, start, end)


@settings(max_examples=1000, deadline=None)
@given(st.integers(0, 40), st.integers(0, 40), st.sets(st.integers(0, 50)))
def test_clause_ranges_are_the_gaps_between_cuts(start: int, end: int, cuts: set[int]) -> None:
    from itertools import pairwise

    from dyadwatch.processors.dyads import _ranges

    # the specification _ranges was written from: consecutive bounds, empty ranges left out
    bounds = [start, *(cut for cut in sorted(cuts) if cut > start), end]
    assert _ranges(start, end, cuts) == [(a, b) for a, b in pairwise(bounds) if b > a]
