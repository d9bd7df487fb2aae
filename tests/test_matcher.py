"""The gazetteer matcher on raw text, the sentence splitter, and the spaCy component adapter."""

import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from dyadwatch.processors.context import sentence_starts
from dyadwatch.processors.matcher import SPAN_KEY, Match, _longest, default_matcher, register_spacy_factory


def surfaces(text: str) -> list[str]:
    return [m.surface for m in default_matcher()(text)]


def test_word_boundaries_and_longest_match():
    assert surfaces("Indiana and Indian and India") == ["Indian", "India"]
    assert surfaces("Papua New Guinea, Guinea-Bissau and South Sudanese") == [
        "Papua New Guinea", "Guinea-Bissau", "South Sudanese"
    ]  # fmt: skip
    assert surfaces("U.S.-backed and the U.S. embassy") == ["U.S.", "U.S."]


def test_offsets_point_at_the_surface():
    text = "Talks between Türkiye and Pakistan’s leaders."
    for match in default_matcher()(text):
        assert text[match.start : match.end] == match.surface


def reference_matches(text: str) -> list[Match]:
    """The matcher's contract, by brute force: every occurrence of every surface (str.find) at word edges, grouped
    by overlap in order of their end, each group resolved to the longest, leftmost."""
    matcher = default_matcher()
    hits = []
    for surface in matcher.entries:
        at = text.find(surface)
        while at >= 0:
            end = at + len(surface)
            before_ok = not surface[0].isalnum() or at == 0 or not (text[at - 1].isalnum() or text[at - 1] == "_")
            after_ok = not surface[-1].isalnum() or end == len(text) or not (text[end].isalnum() or text[end] == "_")
            if before_ok and after_ok:
                hits.append(Match(at, end, surface))
            at = text.find(surface, at + 1)
    hits.sort(key=lambda m: (m.end, m.start))
    kept: list[Match] = []
    group: list[Match] = []
    for hit in hits:
        if group and hit.start >= max(m.end for m in group):
            kept.extend(_longest(group))
            group = []
        group.append(hit)
    return kept + (_longest(group) if group else [])


_SURFACES = sorted(default_matcher().entries)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_SURFACES), st.text(alphabet=" .,-'’_éÔ😀\nsaA", max_size=4)), max_size=12))
def test_matcher_finds_what_brute_force_finds(parts: list[str]):
    text = "".join(parts)
    assert default_matcher()(text) == reference_matches(text)


def test_sentence_starts_skip_abbreviations_and_initials():
    text = "George W. Bush met Mr. Putin in the U.S. Capitol on Dec. 5. Then he left! What now?\nNew line."
    assert [text[i : i + 8] for i in sentence_starts(text)] == ["George W", "Then he ", "What now", "New line"]


def test_spacy_component_marks_gazetteer_spans():
    register_spacy_factory()
    nlp = spacy.blank("en")
    nlp.add_pipe("dyadwatch_gazetteer")
    doc = nlp("Erdogan received Shehbaz Sharif in Ankara; the UN watched.")
    assert [(span.text, span.label_) for span in doc.spans[SPAN_KEY]] == [
        ("Erdogan", "Erdogan"), ("Shehbaz Sharif", "Shehbaz Sharif"), ("Ankara", "Ankara"), ("UN", "UN")
    ]  # fmt: skip
