"""The per-article text budget: long articles are cut to it, tagged, and flagged as truncated."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dyadwatch.processors.analysis import Analyzer
from dyadwatch.processors.limits import TextLimits, cap_article
from tests.conftest import make_article


def test_short_article_is_untouched() -> None:
    article = make_article("India and Pakistan agreed to talk.", title="Talks")
    assert cap_article(article, TextLimits()) == (article, None)


def test_character_cap_cuts_the_body() -> None:
    article = make_article("India and Pakistan agreed to talk. " * 100, title="Talks")
    capped, reason = cap_article(article, TextLimits(max_chars=200))
    assert reason == "chars" and len(capped.text) <= 200 and capped.title == "Talks"


def test_sentence_cap_cuts_at_a_sentence_start() -> None:
    article = make_article("India and Pakistan agreed to talk. " * 100, title="Talks")
    capped, reason = cap_article(article, TextLimits(max_sentences=10))
    assert reason == "sentences"
    assert capped.body.count("talk.") == 9  # the title is the first sentence
    assert capped.body.endswith("talk.")


def test_a_huge_title_alone_is_cut_too() -> None:
    article = make_article("body", title="Turkey " * 1000)
    capped, reason = cap_article(article, TextLimits(max_chars=100))
    assert reason == "chars" and len(capped.title) <= 100 and capped.body == ""


def test_analyzer_flags_truncation_and_still_tags() -> None:
    analyzer = Analyzer(limits=TextLimits(max_sentences=5))
    result = analyzer.analyze(make_article("Turkey praised Pakistan. " * 50 + "Japan criticised Chile.", title="Ties"))
    assert result["truncated"] == "sentences"
    assert set(result["countries"]) == {"PAK", "TUR"}  # Japan and Chile are past the cap
    assert "truncated" not in Analyzer().analyze(make_article("Turkey praised Pakistan.", title="Ties"))


def test_a_list_of_countries_relates_no_pair() -> None:
    roll_call = "Delegates from France, Germany, Italy, Spain, Poland, Greece, Japan, Chile, Peru, Kenya, Ghana, Nepal "
    result = Analyzer().analyze(make_article(roll_call + "and Egypt signed the accord.", title="Summit"))
    assert len(result["countries"]) == 13
    assert all(dyad["sentences"] == 0 for dyad in result["dyads"])


def test_mentions_and_pairs_listed_are_capped() -> None:
    analyzer = Analyzer(limits=TextLimits(max_mentions=10, max_pairs=3))
    body = "Turkey praised Pakistan. India condemned Chile. Japan and Peru signed an accord. " * 5
    result = analyzer.analyze(make_article(body, title="Ties"))
    assert len(result["mentions"]) == 10 and result["countries"]["TUR"]["mentions"] == 5
    assert len(result["dyads"]) == 3 and all(dyad["sentences"] == 5 for dyad in result["dyads"])
    assert result["truncated"] == "mentions"


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.characters(codec=None)) | st.text(".!?\n \u2026\u3002\ud800a\u00e9"))
def test_sentence_ends_counts_the_four_characters(text: str) -> None:
    from dyadwatch.processors.context import sentence_ends

    assert sentence_ends(text) == sum(text.count(mark) for mark in ".!?\n")
