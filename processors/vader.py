"""VADER's compound score (vaderSentiment 3.3.2), computed the same way with less work.

`SentimentIntensityAnalyzer.polarity_scores` lower-cases every word again for each rule that looks at it, rebuilds
the lower-cased word list once per rule, scans the 59 negation words as a list, and walks the text character by
character for emoji. This module applies the same rules in the same order, with the same arithmetic (so the same
floats), to a word list lower-cased once; only the compound score is computed. Text with non-ASCII characters (which
may hold emoji) is handed to VADER itself. `tests/test_vader.py` checks the scores are identical on VADER's
human-rated corpora and on the clauses dyadwatch scores.

Hutto, C.J. & Gilbert, E.E. (2014). VADER: A Parsimonious Rule-based Model for Sentiment Analysis of Social Media
Text. ICWSM-14. (MIT licence.)
"""

from __future__ import annotations

import string
from typing import Final

from vaderSentiment import vaderSentiment as _vader
from vaderSentiment.vaderSentiment import NEGATE, SentimentIntensityAnalyzer, normalize

# VADER's constants, bound as Final: the compiled build reads a Final from a C static rather than from the module's
# dict at every use.
BOOSTER_DICT: Final[dict[str, float]] = _vader.BOOSTER_DICT
C_INCR: Final[float] = _vader.C_INCR
N_SCALAR: Final[float] = _vader.N_SCALAR
SPECIAL_CASES: Final[dict[str, float]] = _vader.SPECIAL_CASES
_PUNCTUATION: Final = string.punctuation

_NEGATE: Final = frozenset(NEGATE)


def _negated(word: str) -> bool:
    return word in _NEGATE or "n't" in word


def _token(word: str) -> str:
    """A word without leading and trailing punctuation, unless that leaves two characters or fewer (":)")."""
    stripped = word.strip(_PUNCTUATION)
    return word if len(stripped) <= 2 else stripped


class CompoundScorer:
    """`score(text)` == `analyzer.polarity_scores(text)["compound"]`, for the analyzer's current lexicon."""

    def __init__(self, analyzer: SentimentIntensityAnalyzer) -> None:
        self.analyzer = analyzer  # its lexicon is read at each call, so a replaced or updated lexicon applies

    def score(self, text: str) -> float:
        if not text.isascii():
            return self.analyzer.polarity_scores(text)["compound"]
        text = text.strip()
        words = [_token(word) for word in text.split()]
        if not words:
            return 0.0
        lower = [word.lower() for word in words]
        upper = sum(word.isupper() for word in words)
        cap_diff = 0 < len(words) - upper < len(words)
        lexicon = self.analyzer.lexicon
        last = len(words) - 1
        sentiments: list[float] = []
        for i, low in enumerate(lower):
            if low in BOOSTER_DICT or (i < last and low == "kind" and lower[i + 1] == "of"):
                sentiments.append(0)
            elif low in lexicon:
                sentiments.append(_valence(words, lower, i, cap_diff, lexicon))
            else:
                sentiments.append(0)
        if "but" in lower:
            _but_check(lower.index("but"), sentiments)
        total = float(sum(sentiments))
        if total > 0:
            total += _punctuation_emphasis(text)
        elif total < 0:
            total -= _punctuation_emphasis(text)
        return round(normalize(total), 4)


def _valence(words: list[str], lower: list[str], i: int, cap_diff: bool, lexicon: dict[str, float]) -> float:
    low = lower[i]
    valence = lexicon[low]
    if low == "no" and i != len(lower) - 1 and lower[i + 1] in lexicon:
        valence = 0.0  # "no" negates the next word instead of carrying its own valence
    if (
        (i > 0 and lower[i - 1] == "no")
        or (i > 1 and lower[i - 2] == "no")
        or (i > 2 and lower[i - 3] == "no" and lower[i - 1] in ["or", "nor"])
    ):
        valence = lexicon[low] * N_SCALAR
    if cap_diff and words[i].isupper():
        if valence > 0:
            valence += C_INCR
        else:
            valence -= C_INCR
    for start_i in range(3):
        before = i - (start_i + 1)
        if i > start_i and lower[before] not in lexicon:
            s = _scalar(words[before], lower[before], valence, cap_diff)
            if start_i == 1 and s != 0:
                s = s * 0.95
            if start_i == 2 and s != 0:
                s = s * 0.9
            valence = valence + s
            valence = _negation_check(valence, lower, start_i, i)
            if start_i == 2:
                valence = _special_idioms_check(valence, lower, i)
    return _least_check(valence, lower, i, lexicon)


def _scalar(word: str, low: str, valence: float, cap_diff: bool) -> float:
    scalar = 0.0
    if low in BOOSTER_DICT:
        scalar = BOOSTER_DICT[low]
        if valence < 0:
            scalar *= -1
        if word.isupper() and cap_diff:
            if valence > 0:
                scalar += C_INCR
            else:
                scalar -= C_INCR
    return scalar


def _negation_check(valence: float, lower: list[str], start_i: int, i: int) -> float:
    if start_i == 0:
        if _negated(lower[i - 1]):
            valence = valence * N_SCALAR
    elif start_i == 1:
        if lower[i - 2] == "never" and (lower[i - 1] == "so" or lower[i - 1] == "this"):
            valence = valence * 1.25
        elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
            pass
        elif _negated(lower[i - 2]):
            valence = valence * N_SCALAR
    else:
        if (lower[i - 3] == "never" and (lower[i - 2] == "so" or lower[i - 2] == "this")) or (
            lower[i - 1] == "so" or lower[i - 1] == "this"
        ):
            valence = valence * 1.25
        elif lower[i - 3] == "without" and (lower[i - 2] == "doubt" or lower[i - 1] == "doubt"):
            pass
        elif _negated(lower[i - 3]):
            valence = valence * N_SCALAR
    return valence


def _special_idioms_check(valence: float, lower: list[str], i: int) -> float:
    onezero = f"{lower[i - 1]} {lower[i]}"
    twoonezero = f"{lower[i - 2]} {lower[i - 1]} {lower[i]}"
    twoone = f"{lower[i - 2]} {lower[i - 1]}"
    threetwoone = f"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}"
    threetwo = f"{lower[i - 3]} {lower[i - 2]}"
    for sequence in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if sequence in SPECIAL_CASES:
            valence = SPECIAL_CASES[sequence]
            break
    if len(lower) - 1 > i:
        zeroone = f"{lower[i]} {lower[i + 1]}"
        if zeroone in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroone]
    if len(lower) - 1 > i + 1:
        zeroonetwo = f"{lower[i]} {lower[i + 1]} {lower[i + 2]}"
        if zeroonetwo in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in BOOSTER_DICT:
            valence = valence + BOOSTER_DICT[n_gram]
    return valence


def _least_check(valence: float, lower: list[str], i: int, lexicon: dict[str, float]) -> float:
    if i > 1 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
        if lower[i - 2] != "at" and lower[i - 2] != "very":
            valence = valence * N_SCALAR
    elif i > 0 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
        valence = valence * N_SCALAR
    return valence


def _but_check(at: int, sentiments: list[float]) -> None:
    """Halve what comes before "but", raise what follows by half. Done exactly as VADER does it, finding each
    value's place with list.index while replacing values, because that decides the result when values repeat."""
    for sentiment in sentiments:
        index = sentiments.index(sentiment)
        if index < at:
            sentiments.pop(index)
            sentiments.insert(index, sentiment * 0.5)
        elif index > at:
            sentiments.pop(index)
            sentiments.insert(index, sentiment * 1.5)


def _punctuation_emphasis(text: str) -> float:
    exclamations = min(text.count("!"), 4)
    questions = text.count("?")
    amplifier = exclamations * 0.292
    if questions > 1:
        amplifier += questions * 0.18 if questions <= 3 else 0.96
    return amplifier
