"""ToneModel.has_event: a token-by-token check, against the regex findall over the whole text it replaces."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dyadwatch.processors.sentiment import _WORD, tone_model

MODEL = tone_model(overlay=True, base_weight=0.3, for_pairs=True)
EVENTS = sorted(MODEL.event_words)
PIECES = [*EVENTS[::7], "Sanctions", "CEASEFIRE", "cease-fire", "'", "-", "--", ",", ".", "/", " ", "\n", "\t",
          "\u00a0", "é", "KELVIN\u212a", "don't", "x", "said", "the", "42", "(", ")", '"', "’", "Ａ",
          "1", "war9", "g8"]  # fmt: skip


def by_findall(text: str) -> bool:
    return not MODEL.event_words.isdisjoint(_WORD.findall(text.lower()))


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join) | st.text(max_size=60))
def test_has_event_agrees_with_findall(text: str) -> None:
    assert MODEL.has_event(text) == by_findall(text)


def test_has_event_examples() -> None:
    assert MODEL.has_event("India and Pakistan agreed a ceasefire")
    assert MODEL.has_event("new sanctions, officials said")
    assert not MODEL.has_event("the weather in the capital")
