"""Text around a match: prev_token and sentence_starts are checked here against the regex scans they replace."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from dyadwatch.processors.context import _ABBREVIATIONS, _WINDOW, next_token, prev_token, sentence_starts

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


# The specification of a sentence boundary: . ! ? (closing quotes/brackets allowed) before whitespace and a capital or
# digit (maybe after an opening quote or bracket); or a line break and the whitespace after it.
BOUNDARY = re.compile(r"[.!?\n](?:(?<=\n)\s*|(?<!\n)[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9]))")


def starts_by_finditer(text: str) -> list[int]:
    """sentence_starts as it was written before it scanned the text by hand: a regex scan, then the exceptions."""
    starts = [0]
    for match in BOUNDARY.finditer(text):
        dot = match.start()
        if text[dot] == "." and dot > 0:
            last = text[dot - 1]
            if last.isupper() and (text[dot - 2] if dot > 1 else " ") in ' .(\n"“':
                continue
            if (
                dot > 1
                and last.isalpha()
                and (not text[max(0, dot - 4) : dot - 1].islower() or text[dot - 2 : dot] == "vs")
                and text[text.rfind(" ", max(0, dot - 6), dot) + 1 : dot] in _ABBREVIATIONS
            ):
                continue
        if match.end() < len(text):
            starts.append(match.end())
    return starts


SENTENCE_PIECES = ["Mr", "U.S", "W", "vs", "Gen", "said", "India", "42", ".", "!", "?", "\n", "\n\n", " ", "  ", '"',
                   "”", "’", ")", "]", "(", "“", "A", "the", "\t", "...", ".\n", ". ", "? ", '." ']  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(SENTENCE_PIECES), max_size=40).map("".join) | st.text(max_size=80))
def test_sentence_starts_agree_with_the_regex_scan(text: str) -> None:
    assert sentence_starts(text) == starts_by_finditer(text)
