"""Text around a match, without a tokenizer: the previous and next token, sentence starts, headline case."""

from __future__ import annotations

import re
from typing import Final

# Tokens on the same line only: a line break ends a title or a paragraph.
_NEXT: Final = re.compile(r"[ \t]*(?:([^\W_][\w'’.-]*)|([^\w\s]))")
_WINDOW: Final = 60
_TOKEN_PUNCT: Final = "_'’.-"  # what a word holds besides letters and digits (\w is letters, digits and _)

# Sentence ends: . ! ? (closing quotes/brackets allowed) before whitespace and a capital or digit; or a line break.
# Not after an abbreviation ("Mr.", "Gen.", "Dec.") or an initial / dotted acronym ("George W. Bush", "U.S. troops").
_CLOSERS: Final = '"”’)]'
_OPENERS: Final = '"“‘(['
_ABBREVIATIONS: Final = frozenset(  # each 2-4 letters, the first a capital but in "vs" (sentence_starts relies on it)
    "Mr Mrs Ms Dr Gen Sen Rep Gov St Jr Sr Lt Col Maj Capt Sgt Prof Inc Corp Ltd Co No vs Jan Feb Mar Apr Jun Jul "
    "Aug Sep Sept Oct Nov Dec Mt Ft Adm Brig Cmdr Pres Rev Hon".split()
)
_HEADLINE_WORD: Final = re.compile(r"[^\W\d_]{4,}")
SENTENCE_MARKS: Final = ".!?\n"  # every sentence but the last ends at one of these
_SENTENCE_MARK_BYTES: Final = SENTENCE_MARKS.encode()


def prev_token(text: str, start: int) -> str:
    """The token right before `start` ("" at the start of the text): a word, or one punctuation character.

    Tokens on the same line only, within `_WINDOW` characters. Written as a backward scan: the regex it replaces
    (kept in tests/test_context.py, which checks the two agree) tried every position of the window in turn, and
    took 5 % of the tagger's time.
    """
    floor = max(0, start - _WINDOW)
    end = start
    while end > floor and text[end - 1] in " \t":
        end -= 1
    begin = end
    while begin > floor and ((c := text[begin - 1]).isalnum() or c in _TOKEN_PUNCT):
        begin -= 1
    while begin < end and not text[begin].isalnum():  # a word starts with a letter or digit
        begin += 1
    if begin < end:
        return text[begin:end]
    if end > floor:  # no word: one punctuation character, if that is what comes before the spaces
        last = text[end - 1]
        if not (last.isalnum() or last == "_" or last.isspace()):
            return last
    return ""


def next_token(text: str, end: int) -> str:
    """The token right after `end` ("" at the end of the text)."""
    match = _NEXT.match(text, end, min(len(text), end + _WINDOW))
    if match is None:
        return ""
    return match.group(1) or match.group(2)


def is_word(token: str) -> bool:
    return token.replace("-", "").replace("'", "").replace("’", "").rstrip(".").isalpha()


def sentence_starts(text: str) -> list[int]:
    """Character offsets where sentences start (always includes 0)."""
    starts = [0]
    size = len(text)
    reached = 0
    # Boundaries start at a sentence mark; str.find skips to those far faster than a regex scan of the whole text
    # (a third of the tagger's time in the compiled build, when this was a regex).
    for dot in _marks(text):
        if dot < reached:
            continue  # inside the previous boundary (a run of line breaks)
        end = _boundary_end(text, dot, size)
        if end < 0:
            continue
        reached = end
        if text[dot] == "." and dot > 0:
            last = text[dot - 1]
            if last.isupper():
                before = text[dot - 2] if dot > 1 else " "
                if before in ' .(\n"“':
                    continue  # an initial or the end of an acronym: "W.", "U.S."
            # Every abbreviation but "vs" is 2-4 letters with a capital first: a lower-case run before the dot is none.
            if (
                dot > 1
                and last.isalpha()
                and (not text[max(0, dot - 4) : dot - 1].islower() or text[dot - 2 : dot] == "vs")
            ):
                word = text[text.rfind(" ", max(0, dot - 6), dot) + 1 : dot]
                if word in _ABBREVIATIONS:
                    continue
        if end < size:
            starts.append(end)
    return starts


def _boundary_end(text: str, mark: int, size: int) -> int:
    """Where the sentence boundary that starts at the mark text[mark] ends, or -1 if it is none: a line break and
    the whitespace after it; or . ! ? then closing quotes or brackets, whitespace, and a capital or digit (maybe
    after an opening quote or bracket), which is not part of the boundary. tests/test_context.py keeps the regex
    this was written from and checks that the two agree."""
    at = mark + 1
    if text[mark] == "\n":
        while at < size and text[at].isspace():
            at += 1
        return at
    while at < size and text[at] in _CLOSERS:
        at += 1
    end = at
    while end < size and text[end].isspace():
        end += 1
    if end == at:
        return -1
    ahead = end + 1 if end < size and text[end] in _OPENERS else end
    if ahead < size and ("A" <= text[ahead] <= "Z" or "0" <= text[ahead] <= "9"):
        return end
    return -1


def _marks(text: str) -> list[int]:
    """Offsets of every sentence mark (. ! ? and line break), in order."""
    found = []
    for mark in SENTENCE_MARKS:
        at = text.find(mark)
        while at >= 0:
            found.append(at)
            at = text.find(mark, at + 1)
    found.sort()
    return found


def sentence_ends(text: str) -> int:
    """How many of text's characters are sentence marks. They are one byte each in UTF-8 and no other character's
    encoding contains those bytes, so one pass over the bytes counts all four."""
    encoded = text.encode("utf-8", "surrogatepass")
    return len(encoded) - len(encoded.translate(None, _SENTENCE_MARK_BYTES))


def is_headline_case(text: str) -> bool:
    """Most longer words capitalised, as in "Israel Apologizes for Killing Egyptian Officers"."""
    words = _HEADLINE_WORD.findall(text)
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)
