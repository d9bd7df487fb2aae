"""The gazetteer matcher on raw text, the sentence splitter, and the spaCy component adapter."""

import spacy

from processors.context import sentence_starts
from processors.matcher import SPAN_KEY, default_matcher, register_spacy_factory


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
