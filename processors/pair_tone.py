"""Pair tone from a trained linear model: what the text says where the two countries of a pair meet.

The rules in `dyads` read sentiment words between two mentions; this model reads the sentences that name both
countries with the pair's mentions marked (`<p>`) and other countries' marked apart (`<c>`), and weighs their
words, word pairs, the words between and around the nearest two mentions, CAMEO event verbs (PETRARCH2's
dictionary, Goldstein scale), the pair and its countries, and the rules' own score. Its weights are fitted by
`dyadwatch train` (processors/tone_training.py) on labelled pairs and shipped as data (data/pair_tone.json).

Pairs that no sentence names together are not scored by the model; they keep the rules' neutral tone.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Final

import orjson
import snowballstemmer

from dyadwatch.processors.dyads import Dyad, clauses
from dyadwatch.processors.gazetteer import DATA_DIR
from dyadwatch.processors.sentiment import tone_model
from dyadwatch.processors.tagger import Tagged

MODEL_PATH: Final = DATA_DIR / "pair_tone.json"
CAMEO_PATH: Final = DATA_DIR / "cameo_verbs.tsv"
CLASSES: Final = (-1, 0, 1)
PAIR: Final = "<p>"
OTHER: Final = "<c>"
_TOKEN: Final = re.compile(r"[A-Za-z][A-Za-z'’]*|\d+|[-—–]")
_STOP: Final = frozenset("the a an of to in on at for with by from is are was were be been its it this that as".split())
# Only the first three sentences naming both countries are read, as in the headline-and-lede items the model is
# trained on: a long article's later mentions are background more often than news.
SENTENCES_READ: Final = 3
_ROLES_ONLY: Final = frozenset({"s:" + PAIR, "s:" + OTHER})  # true of every pair: no use as an explanation
_MAX_STEMS: Final = 200_000  # the stem memo is cleared past this many words
_CAMEO_LONGEST: Final = 3
_CUTS: Final = ((-0.5, "0"), (-0.05, "1"), (0.05, "2"), (0.5, "3"))
_GOLDSTEIN_CUTS: Final = ((-5.0, "0"), (-1.0, "1"), (1.0, "2"), (5.0, "3"))


class Stemmer:
    """Snowball (Porter 2) English stems, memoised: news reuses a small vocabulary."""

    def __init__(self) -> None:
        self._stemmer = snowballstemmer.stemmer("english")
        self._memo: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        found = self._memo.get(word)
        if found is None:
            if len(self._memo) > _MAX_STEMS:
                self._memo.clear()
            found = self._memo[word] = self._stemmer.stemWord(word)
        return found


@dataclass(frozen=True, slots=True)
class CameoVerb:
    goldstein: float
    quadclass: str


def load_cameo(path: Path = CAMEO_PATH) -> dict[str, CameoVerb]:
    """{stemmed verb phrase: its CAMEO event's Goldstein score and quad class} from the shipped table."""
    verbs: dict[str, CameoVerb] = {}
    with path.open(encoding="utf-8") as fh:
        rows = [line for line in fh if not line.startswith("#")]
    for row in csv.DictReader(rows, delimiter="\t"):
        verbs[row["stems"]] = CameoVerb(float(row["goldstein"]), row["quadclass"])
    return verbs


@dataclass(slots=True)
class Token:
    word: str  # lower case; OTHER for a country mention (its role in a pair is decided by _role)
    sentence: int
    country: str  # "" for a plain word
    start: int  # character offset in the article's text


class PairTokens:
    """An article's words and country mentions in order, each with its sentence, made once for all its pairs."""

    def __init__(self, tagged: Tagged) -> None:
        text = tagged.text
        starts = tagged.sentence_starts
        tokens: list[Token] = []
        at = 0
        for mention in tagged.mentions:
            if mention.dateline or mention.start < at:
                continue
            _words(text, at, mention.start, starts, tokens)
            tokens.append(Token(OTHER, mention.sentence, mention.country, mention.start))
            at = mention.end
        _words(text, at, len(text), starts, tokens)
        self.tokens = tokens
        self.text = text
        self.sentence_starts = starts
        self.countries_of: dict[int, set[str]] = {}  # sentence -> the countries it names
        for token in tokens:
            if token.country:
                found = self.countries_of.get(token.sentence)
                if found is None:
                    self.countries_of[token.sentence] = {token.country}
                else:
                    found.add(token.country)
        self.country_count = len({c for found in self.countries_of.values() for c in found})

    def shared_sentences(self, a: str, b: str, first: int = 0) -> list[int]:
        """The sentences that name both countries, in order; only the `first` ones when it is not 0."""
        found = sorted(s for s, countries in self.countries_of.items() if a in countries and b in countries)
        return found[:first] if first else found


def _words(text: str, start: int, end: int, starts: list[int], out: list[Token]) -> None:
    for match in _TOKEN.finditer(text, start, end):
        at = match.start()
        out.append(Token(match.group().lower(), bisect_right(starts, at) - 1, "", at))


def _bucket(value: float, cuts: tuple[tuple[float, str], ...]) -> str:
    for cut, name in cuts:
        if value < cut:
            return name
    return str(len(cuts))


class PairFeatures:
    """The model's features of one pair in one article: {name: value}, the same at training and at run time."""

    def __init__(self, cameo: dict[str, CameoVerb] | None = None, valences: dict[str, float] | None = None) -> None:
        self.stem = Stemmer()
        self.cameo = load_cameo() if cameo is None else cameo
        # word -> valence (-4..4): VADER's lexicon with the diplomatic overlay, as the rules read it
        self.valences = tone_model(overlay=True, for_pairs=True).analyzer.lexicon if valences is None else valences

    def __call__(self, tokens: PairTokens, a: str, b: str, rule_sentiment: float) -> dict[str, float]:
        shared = set(tokens.shared_sentences(a, b, SENTENCES_READ))
        features: dict[str, float] = {}
        stem = self.stem
        _add(features, "nc:" + str(min(tokens.country_count, 6)))
        _add(features, "co:" + str(min(len(shared), 3)))
        _add(features, "pair:" + a + b)
        _add(features, "c:" + a)
        _add(features, "c:" + b)
        features["rule:" + _bucket(rule_sentiment, _CUTS)] = 1.0
        features["rule"] = rule_sentiment
        indices = [i for i, t in enumerate(tokens.tokens) if t.sentence in shared]
        words = [_role(tokens.tokens[i], a, b) for i in indices]
        stems = [w if w[0] == "<" else stem(w) for w in words]
        for word, stemmed in zip(words, stems, strict=True):
            if word not in _STOP:
                _add(features, "s:" + stemmed)
        for first, second in pairwise(stems):
            _add(features, "bg:" + first + "_" + second)
        self._between(features, tokens, a, b, indices)
        self._events(features, [s for s in stems if s[0] != "<"])
        return features

    def _between(self, features: dict[str, float], tokens: PairTokens, a: str, b: str, indices: list[int]) -> None:
        """Words between the nearest two mentions of the pair in one sentence, and the three before and after."""
        of_pair = [i for i in indices if tokens.tokens[i].country in (a, b)]
        best: tuple[int, int] | None = None
        for x, left in enumerate(of_pair):
            for right in of_pair[x + 1 :]:
                lt, rt = tokens.tokens[left], tokens.tokens[right]
                if lt.country != rt.country and lt.sentence == rt.sentence:
                    if best is None or right - left < best[1] - best[0]:
                        best = (left, right)
                    break
        if best is None:
            return
        left, right = best
        self._clause(features, tokens, left, right)
        gap = right - left - 1
        _add(features, "gap:" + str(gap if gap < 10 else 15 if gap < 20 else 30))
        stem = self.stem
        between = [_role(t, a, b) for t in tokens.tokens[left + 1 : right]]
        for word in between:
            _add(features, "b:" + (word if word[0] == "<" else stem(word)))
        self._valence(features, "b", between)
        if gap <= 2:
            _add(features, "b:short:" + "_".join(between))
        for token in tokens.tokens[max(0, left - 3) : left]:
            _add(features, "pre:" + stem(_role(token, a, b)))
        for token in tokens.tokens[right + 1 : right + 4]:
            _add(features, "post:" + stem(_role(token, a, b)))

    def _clause(self, features: dict[str, float], tokens: PairTokens, left: int, right: int) -> None:
        """The words of the clause that holds the nearest two mentions (cut at semicolons, dashes and subordinating
        words as the rules cut): in "X met Y weeks after the conflict between A and B", A–B's clause is the
        conflict's, not the meeting's."""
        sentence = tokens.tokens[left].sentence
        starts = tokens.sentence_starts
        end = starts[sentence + 1] if sentence + 1 < len(starts) else len(tokens.text)
        at = tokens.tokens[left].start
        for c_start, c_end in clauses(tokens.text, starts[sentence], end):
            if c_start <= at < c_end:
                if tokens.tokens[right].start >= c_end:
                    return  # the mentions are in different clauses
                words = [t.word for t in tokens.tokens if c_start <= t.start < c_end and not t.country]
                for word in words:
                    if word not in _STOP:
                        _add(features, "cl:" + self.stem(word))
                self._valence(features, "cl", words)
                self._events(features, [self.stem(w) for w in words], "cl")
                return

    def _valence(self, features: dict[str, float], prefix: str, words: list[str]) -> None:
        """The sums of positive and of negative word valences (VADER's scale / 4) among `words`."""
        positive = negative = 0.0
        for word in words:
            valence = self.valences.get(word, 0.0)
            if valence > 0:
                positive += valence
            elif valence < 0:
                negative -= valence
        if positive:
            features[prefix + ":positive"] = positive / 4
        if negative:
            features[prefix + ":negative"] = negative / 4

    def _events(self, features: dict[str, float], stems: list[str], prefix: str = "") -> None:
        """CAMEO verb phrases among the shared sentences' words (longest first): their quad classes, and the
        Goldstein scale's mean."""
        cameo = self.cameo
        total = 0.0
        found = 0
        at = 0
        while at < len(stems):
            for length in range(_CAMEO_LONGEST, 0, -1):
                verb = cameo.get(" ".join(stems[at : at + length])) if at + length <= len(stems) else None
                if verb is not None:
                    _add(features, prefix + "q:" + verb.quadclass)
                    total += verb.goldstein
                    found += 1
                    at += length - 1
                    break
            at += 1
        if found:
            features[prefix + "goldstein:" + _bucket(total / found, _GOLDSTEIN_CUTS)] = 1.0


def _role(token: Token, a: str, b: str) -> str:
    if token.country:
        return PAIR if token.country == a or token.country == b else OTHER
    return token.word


def _add(features: dict[str, float], name: str) -> None:
    features[name] = features.get(name, 0.0) + 1.0


@dataclass(frozen=True, slots=True)
class PairTone:
    tone: int  # -1 hostile, 0 neutral, +1 friendly
    probabilities: tuple[float, float, float]  # of -1, 0, +1
    because: list[str]  # the features that pushed most toward the chosen tone

    @property
    def sentiment(self) -> float:
        """A value in [-1, 1] whose class (evaluation.tone_class) is `tone`: p(+1) − p(−1), kept outside the
        ±0.05 neutral band when the model chose a side and inside it when it chose neutral."""
        margin = self.probabilities[2] - self.probabilities[0]
        if self.tone == 0:
            return max(-0.05, min(0.05, margin))
        return self.tone * max(self.tone * margin, 0.06)

    def as_dict(self, rule_sentiment: float) -> dict[str, Any]:
        hostile, neutral, friendly = self.probabilities
        return {
            "class": self.tone,
            "p_hostile": round(hostile, 4),
            "p_neutral": round(neutral, 4),
            "p_friendly": round(friendly, 4),
            "rule_sentiment": round(rule_sentiment, 4),
            "because": self.because,
        }


class PairToneModel:
    """A multinomial logistic regression over PairFeatures, from its JSON file (see tone_training.save_model)."""

    def __init__(self, model: dict[str, Any], features: PairFeatures | None = None) -> None:
        self.weights: dict[str, list[float]] = model["weights"]
        # subtracted from the neutral logit: chosen at training, out of fold, to trade 3-class for sign accuracy
        self.intercepts: list[float] = list(model["intercepts"])
        self.intercepts[1] -= float(model.get("neutral_bias", 0.0))
        self.version: str = model["version"]
        self.features = features or PairFeatures()

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> PairToneModel:
        raw = path.read_bytes()
        model = orjson.loads(raw)
        model["version"] = f"pair-tone:{hashlib.sha256(raw).hexdigest()[:12]}"
        return cls(model)

    def predict(self, features: dict[str, float], explain: int = 3) -> PairTone:
        logits = list(self.intercepts)
        known: list[tuple[str, list[float], float]] = []
        for name, value in features.items():
            row = self.weights.get(name)
            if row is not None:
                for k in range(3):
                    logits[k] += row[k] * value
                known.append((name, row, value))
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        total = sum(exps)
        probabilities = (exps[0] / total, exps[1] / total, exps[2] / total)
        choice = logits.index(top)
        # what pushed toward the chosen class rather than the others: its weight minus the others' mean
        ranked: list[tuple[float, str]] = []
        for name, row, value in known:
            push = (row[choice] - (row[0] + row[1] + row[2] - row[choice]) / 2) * value
            if push > 0 and name not in _ROLES_ONLY:
                ranked.append((push, name))
        ranked.sort(reverse=True)
        return PairTone(CLASSES[choice], probabilities, [name for _, name in ranked[:explain]])

    def rescore(self, tagged: Tagged, dyads: list[Dyad]) -> None:
        """Replace the rules' tone of every pair that some sentence names together by the model's; the rules'
        score stays in the dyad's `tone` explanation (and is one of the model's features)."""
        tokens: PairTokens | None = None
        for dyad in dyads:
            if dyad.sentences == 0:
                continue
            if tokens is None:
                tokens = PairTokens(tagged)
            if not tokens.shared_sentences(dyad.a, dyad.b):
                continue
            rule_sentiment = dyad.sentiment
            found = self.predict(self.features(tokens, dyad.a, dyad.b, rule_sentiment))
            dyad.sentiment = found.sentiment
            dyad.tone = found.as_dict(rule_sentiment)


@cache
def default_pair_tone() -> PairToneModel:
    return PairToneModel.load()
