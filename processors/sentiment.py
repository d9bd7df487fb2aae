"""Sentiment: VADER with the diplomatic lexicon laid over its own (data in data/diplomatic_lexicon.tsv)."""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path
from typing import Final

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from dyadwatch.processors.gazetteer import DATA_DIR
from dyadwatch.processors.vader import CompoundScorer

LEXICON_PATH = DATA_DIR / "diplomatic_lexicon.tsv"
_WORD: Final = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")
_DIGITS_TO_SPACES: Final = bytes.maketrans(b"0123456789", b" " * 10)


def load_lexicon(path: Path = LEXICON_PATH, scopes: tuple[str, ...] = ("all", "dyad")) -> tuple[dict[str, float], str]:
    """The overlay {word: valence} for the given scopes, and the file's version."""
    version = "unversioned"
    lines = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("# version:"):
                version = line.split(":", 1)[1].strip()
            elif not line.startswith("#") and line.strip():
                lines.append(line)
    lexicon = {}
    for row in csv.DictReader(lines, delimiter="\t"):
        if row["scope"] not in scopes:
            continue
        valence = float(row["valence"])
        if not -4.0 <= valence <= 4.0:
            raise ValueError(f"{path.name}: valence of {row['word']!r} outside -4..4")
        lexicon[row["word"].lower()] = valence
    return lexicon, version


class ToneModel:
    """VADER compound scores in [-1, 1], optionally with the diplomatic overlay.

    `base_weight` scales VADER's own valences (not the overlay's): between two states, everyday sentiment words
    ("killed" in a bus crash, "worst" in a ranking) say less about their relations than diplomatic ones.
    `for_pairs` also applies the overlay rows of scope "dyad", which replace VADER's everyday sense of a word by
    its diplomatic one; the general-purpose model leaves VADER's own words alone.
    """

    def __init__(self, overlay: bool = True, base_weight: float = 1.0, for_pairs: bool = False) -> None:
        self.analyzer = SentimentIntensityAnalyzer()
        self.lexicon_version = "vader-3.3.2"
        if base_weight != 1.0:
            self.analyzer.lexicon = {w: v * base_weight for w, v in self.analyzer.lexicon.items()}
            self.lexicon_version += f"*{base_weight:g}"
        self.event_words: frozenset[str] = frozenset()
        if overlay:
            words, version = load_lexicon(scopes=("all", "dyad") if for_pairs else ("all",))
            self.analyzer.lexicon.update(words)
            self.event_words = frozenset(w for w, v in words.items() if v != 0.0)
            self.lexicon_version += f"+diplomatic:{version}" + ("/pairs" if for_pairs else "")
        self.compound = CompoundScorer(self.analyzer)

    def score(self, text: str) -> float:
        return self.compound.score(text)

    def has_event(self, text: str) -> bool:
        """Does the text use any cooperation or conflict word of the diplomatic lexicon?"""
        events = self.event_words
        # _WORD's words never span whitespace; most whitespace-separated tokens are plain words, which are their own
        # _WORD match, so only the others need the regex (tests/test_sentiment.py checks this against findall).
        lowered = text.lower()
        ascii_only = lowered.isascii()
        if ascii_only:
            # Digits separate words as whitespace does; with them turned into spaces, an alphanumeric token is a
            # plain word, and isalnum is cheap in the compiled build, where isalpha and isascii are calls.
            lowered = lowered.encode().translate(_DIGITS_TO_SPACES).decode()
        for token in lowered.split():
            if token.isalnum() if ascii_only else token.isalpha() and token.isascii():
                if token in events:
                    return True
            elif not events.isdisjoint(_WORD.findall(token)):
                return True
        return False


@cache
def tone_model(overlay: bool = True, base_weight: float = 1.0, for_pairs: bool = False) -> ToneModel:
    return ToneModel(overlay, base_weight, for_pairs)
