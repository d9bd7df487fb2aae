"""Text around a match: prev_token is a hand-written scan, checked here against the regex it replaces."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from processors.context import _WINDOW, next_token, prev_token

# The specification: the last token on the same line before `start`, within the window -- a word (a letter or digit,
# then letters, digits, _ ' ’ . -) or one punctuation character, then only spaces or tabs.
PREV = re.compile(r"(?:([^\W_][\w'’.-]*)|([^\w\s]))[ \t]*\Z")


def by_regex(text: str, start: int) -> str:
    match = PREV.search(text, max(0, start - _WINDOW), start)
    return "" if match is None else match.group(1) or match.group(2)


def test_prev_token_examples():
    text = "Prime Minister Sharif, said U.S. officials -- and al-Assad's\nErdogan"
    assert prev_token(text, text.index("Sharif")) == "Minister"
    assert prev_token(text, text.index("said")) == ","
    assert prev_token(text, text.index("officials")) == "U.S."
    assert prev_token(text, text.index("and")) == "-"
    assert prev_token(text, text.index("Erdogan")) == ""  # a line break ends the search
    assert prev_token(text, len(text)) == "Erdogan"
    assert prev_token(text, 0) == ""
    assert prev_token("x " + "a" * 100 + " ", 103) == "a" * (_WINDOW - 1)  # cut at the window (which holds the space)
    assert next_token(text, text.index(" Sharif")) == "Sharif"


CHARS = st.sampled_from(list("aZ9é中_'’.-,;\")( \t\n\u00a0\u2028²٣ß"))


@settings(max_examples=2000, deadline=None)
@given(st.lists(CHARS, max_size=90).map("".join), st.integers(min_value=0, max_value=90))
def test_prev_token_matches_the_regex(text: str, start: int):
    start = min(start, len(text))
    assert prev_token(text, start) == by_regex(text, start)


def test_prev_token_matches_the_regex_for_every_character():
    for code in range(0x3000):  # Latin, Greek, Cyrillic, Arabic, Indic scripts, punctuation and the odd spaces
        char = chr(code)
        for text in (char, "a" + char, char + "a", "x " + char + " ", char + char + " \t", "." + char, char + "-"):
            for start in range(len(text) + 1):
                assert prev_token(text, start) == by_regex(text, start), (hex(code), text, start)
