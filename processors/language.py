"""Is a text English? py3langid's naive-Bayes identifier (its model ships inside the wheel: nothing is downloaded),
with guards for what trips it on English news: very short texts, and lines made of names, places and dates.

A text is refused only when it is long enough to judge, English is improbable on the whole text, and English is
also improbable on its words that do not start with a capital (names carry little language); when those words are
too few to judge (a headline of names), English must be ten times less probable still. tests/test_language.py
measures false rejections on English news and editorials and true rejections on the project's non-English sample
(samples/non_english.jsonl); the thresholds were chosen on those same sets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

ENGLISH_FLOOR: Final = 0.01  # P(English) under which a text is taken as another language
LOWERCASE_FLOOR: Final = 0.05  # the same, on the words that do not start with a capital
NAMES_FLOOR: Final = 0.001  # the floor for a text whose uncapitalised words are too few to judge
MIN_LETTER_BYTES: Final = 15  # UTF-8 bytes of letters a text needs to be judged at all
SAMPLE_CHARS: Final = 500  # only the start of a text is read: the identifier walks it byte by byte in Python

_LETTER: Final = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class Verdict:
    english: bool
    language: str  # the identifier's best guess (ISO 639), or "und" when the text is too short to judge
    english_probability: float


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _letter_bytes(text: str) -> int:
    return len("".join(_LETTER.findall(text)).encode("utf-8", "surrogatepass"))


def _lowercase_words(text: str) -> str:
    return " ".join(word for word in text.split() if not word[:1].isupper())


def _rank(text: str) -> tuple[str, float]:
    """(best language, probability of English)."""
    ranked = _identifier().rank(text)
    return ranked[0][0], next(p for language, p in ranked if language == "en")


def judge(text: str) -> Verdict:
    sample = text[:SAMPLE_CHARS]
    if _letter_bytes(sample) < MIN_LETTER_BYTES:
        return Verdict(True, "und", 1.0)
    best, english = _rank(sample)
    if english >= ENGLISH_FLOOR:
        return Verdict(True, best, english)
    words = _lowercase_words(sample)
    if _letter_bytes(words) >= MIN_LETTER_BYTES:
        return Verdict(_rank(words)[1] >= LOWERCASE_FLOOR, best, english)
    return Verdict(english >= NAMES_FLOOR, best, english)


def is_english(text: str) -> bool:
    return judge(text).english
