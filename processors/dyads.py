"""Dyad attribution: which words relate two countries, and the tone they give the pair.

For each sentence naming two countries, the pair's tone comes from the words *between* two of their mentions
(nearest first; the first stretch with cooperation or conflict vocabulary wins) — in news prose that is the verb
relating them: "China rebuffed Powell over Taiwan" makes CHN–USA negative but not USA–TWN. Coordinated subjects
("India and Pakistan signed ...") and clauses naming only the two of them take the tone of their clause. Sentences
are cut into clauses at semicolons, colons and dashes (which no relation crosses) and, for the clause fallback,
also at subordinating words ("after", "amid", "while", ", which" ...), so in "Erdogan received Sharif ..., just
weeks after the conflict between India and Pakistan" the TUR–PAK meeting does not inherit the conflict.
Entity names are masked before scoring. Pairs never named in one sentence are listed with tone 0.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Final, TypeVar

from dyadwatch.processors.direction import COORDINATION, TITLES, directions, way_of
from dyadwatch.processors.matcher import Match
from dyadwatch.processors.sentiment import ToneModel
from dyadwatch.processors.tagger import Mention, Tagged
from dyadwatch.processors.text import plain_snippet

# Patterns start with a literal or a character set so the regex engine can skip ahead (these run on every article).
_STRONG_CUT: Final = re.compile(r"[;:—–]|--")
# Subordinating words a clause starts at (_cuts finds them as whole words with str.find)
CLAUSE_WORDS: Final = ("after", "amid", "while", "whereas", "although", "though", "despite", "following", "but",
                       "before", "since")  # fmt: skip
_COMMA_CLAUSE: Final = re.compile(r",\s+(?=(?:and|which|who|as|just|saying|where|when|a|an)\b)")
_EDGE_PUNCT: Final = ".,;:!?\"'()“”‘’"
K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class DyadConfig:
    title_weight: float = 2.0
    dead_zone: float = 0.0  # clause scores closer to 0 than this count as neutral
    max_gap: int = 25  # mentions more than this many words apart do not relate the pair
    base_weight: float = 0.3  # weight of VADER's everyday words next to the diplomatic lexicon (ToneModel)
    split_clause_words: bool = True  # the clause fallback also cuts at "after", "amid", "while", ", which" ...
    require_event: bool = True  # a stretch without cooperation/conflict vocabulary relates the pair neutrally
    max_evidence: int = 5
    # A sentence naming more countries than this is a list ("delegates from ..."), not a relation; and only its
    # first mentions are paired. Both keep attribution linear in the article's length, whatever the input.
    max_sentence_countries: int = 12
    max_sentence_mentions: int = 48


@dataclass(slots=True)
class Dyad:
    a: str
    b: str
    sentiment: float = 0.0
    sentences: int = 0
    evidence: list[dict] = field(default_factory=list)
    # (source, target) -> (sentiment, sentences): tone of what one side says or does toward the other
    directed: dict[tuple[str, str], tuple[float, int]] = field(default_factory=dict)
    tone: dict | None = None  # the pair-tone model's decision and why (pair_tone.PairTone.as_dict), if it ran

    @property
    def pair(self) -> str:
        return f"{self.a}-{self.b}"

    def as_dict(self) -> dict:
        directed = []
        for way in sorted(self.directed):  # a plain loop over typed values: the compiled build's fast path
            score, sentences = self.directed[way]
            directed.append({"source": way[0], "target": way[1], "sentiment": round(score, 4), "sentences": sentences})
        found = {
            "pair": self.pair,
            "a": self.a,
            "b": self.b,
            "sentiment": round(self.sentiment, 4),
            "sentences": self.sentences,
            "evidence": self.evidence,
            "directed": directed,
        }
        if self.tone is not None:
            found["tone"] = self.tone
        return found


def clause_cuts(text: str, start: int, end: int, split_words: bool = True, commas: bool = True) -> list[int]:
    """Offsets in text[start:end] where a clause starts: at semicolons, colons and dashes; with `split_words`, also
    at subordinating words ("after", "amid", "while" ...) and, with `commas`, before ", and" / ", which" ..."""
    strong, comma = _cuts(text, start, end, split_words, commas)
    return sorted(strong | comma)


def _cuts(text: str, start: int, end: int, split_words: bool, commas: bool) -> tuple[set[int], set[int]]:
    """(cuts at punctuation and subordinating words, cuts before ", and" / ", which" ...)."""
    # str.find rules out most patterns for most sentences before any regex scans them, and finds the subordinating
    # words itself (tests/test_dyads.py checks this against the regex scan it replaces).
    cuts = set()
    if (
        text.find(";", start, end) >= 0
        or text.find(":", start, end) >= 0
        or text.find("—", start, end) >= 0
        or text.find("–", start, end) >= 0
        or text.find("--", start, end) >= 0
    ):
        for match in _STRONG_CUT.finditer(text, start, end):
            at = match.start()
            if text[at] != ":" or not (0 < at < len(text) - 1 and text[at - 1].isdigit() and text[at + 1].isdigit()):
                cuts.add(at)  # not the colon of a time ("10:30")
    comma: set[int] = set()
    if split_words:
        for word in CLAUSE_WORDS:
            at = text.find(word, start, end)
            while at >= 0:
                after = at + len(word)
                # a whole word: nothing alphanumeric before it, and no word character after it within the sentence
                if (at == 0 or not text[at - 1].isalnum()) and (
                    after == end or not (text[after].isalnum() or text[after] == "_")
                ):
                    cuts.add(at)
                at = text.find(word, at + 1, end)
        if commas and text.find(",", start, end) >= 0:
            comma = {match.end() for match in _COMMA_CLAUSE.finditer(text, start, end)}
    return cuts, comma


def _ranges(start: int, end: int, cuts: Iterable[int]) -> list[tuple[int, int]]:
    """The non-empty ranges between start, the cuts after it and end."""
    found: list[tuple[int, int]] = []
    at = start
    for cut in sorted(cuts):
        if cut > at:
            found.append((at, cut))
            at = cut
    if end > at:
        found.append((at, end))
    return found


def clauses(text: str, start: int, end: int, split_words: bool = True, commas: bool = True) -> list[tuple[int, int]]:
    """Character ranges of the clauses of text[start:end]."""
    return _ranges(start, end, clause_cuts(text, start, end, split_words, commas))


def clause_levels(text: str, start: int, end: int, split_words: bool = True) -> tuple[list[tuple[int, int]], ...]:
    """(clauses without, clauses with the comma cuts) of text[start:end], from one pass over the text."""
    strong, comma = _cuts(text, start, end, split_words, True)
    coarse = _ranges(start, end, strong)
    return coarse, _ranges(start, end, strong | comma) if comma else coarse


class _Masked:
    """Text with every gazetteer match left out, so "United States" or "Security Council" carry no tone."""

    def __init__(self, text: str, matches: list[Match]) -> None:
        self.text = text
        self.matches = matches
        self.starts = [m.start for m in matches]

    def between(self, start: int, end: int) -> str:
        matches = self.matches
        first = bisect_right(self.starts, start) - 1
        after = first + 1
        if (first < 0 or matches[first].end <= start) and (after == len(matches) or matches[after].start >= end):
            return self.text[start:end]  # no match inside: nothing to mask
        parts = []
        cursor = start
        for index in range(max(0, first), len(matches)):
            match = matches[index]  # indexing, not slicing: a slice would copy the rest of the list every call
            if match.start >= end:
                break
            if match.end <= cursor:
                continue
            if match.start > cursor:
                parts.append(self.text[cursor : match.start])
            cursor = max(cursor, match.end)
        if cursor < end:
            parts.append(self.text[cursor:end])
        return " ".join(parts)


def _clause_tone(
    tone: ToneModel, text: str, config: DyadConfig, memo: dict[str, float], has_event: bool | None = None
) -> float:
    """`has_event`: whether the text uses diplomatic vocabulary, when the caller already knows."""
    if config.require_event and not (tone.has_event(text) if has_event is None else has_event):
        return 0.0
    score = memo.get(text)
    if score is None:
        score = memo[text] = tone.score(text)
    magnitude = abs(score)
    if magnitude <= config.dead_zone:
        return 0.0
    return (magnitude - config.dead_zone) / (1.0 - config.dead_zone) * (1 if score > 0 else -1)


def _clause_of(ranges: list[tuple[int, int]], mentions: list[Mention]) -> list[int]:
    """For each mention, which of the contiguous `ranges` holds its start (the last one if none does)."""
    if len(ranges) == 1:
        return [0] * len(mentions)
    starts = [a for a, _ in ranges]
    last = len(ranges) - 1
    found: list[int] = []
    for mention in mentions:
        index = bisect_right(starts, mention.start) - 1
        found.append(last if index < 0 or mention.start >= ranges[index][1] else index)
    return found


def attribute(tagged: Tagged, tone: ToneModel, config: DyadConfig | None = None) -> list[Dyad]:
    """One Dyad per unordered pair of countries that take part in the article (dateline-only ones excluded)."""
    config = config or DyadConfig()
    countries = sorted({m.country for m in tagged.mentions if not m.dateline})  # dateline-only ones left out
    dyads = {pair: Dyad(*pair) for pair in combinations(countries, 2)}
    if not dyads:
        return []
    # Plain dicts (through _append) and list indices rather than defaultdicts and id(mention) keys: this loop runs
    # for every sentence naming two countries, and the compiled build looks plain dicts up directly.
    by_sentence: dict[int, list[Mention]] = {}
    for mention in tagged.mentions:
        if not mention.dateline:
            _append(by_sentence, mention.sentence, mention)
    text = tagged.text
    masked = _Masked(text, tagged.matches)
    memo: dict[str, float] = {}  # the same clause often relates several pairs
    snippets: dict[tuple[int, int], str] = {}
    scores: dict[tuple[str, str], list[tuple[float, float]]] = {}
    directed: dict[tuple[str, str], dict[tuple[str, str], list[tuple[float, float]]]] = {}
    for sentence, mentions in sorted(by_sentence.items()):
        mentions = mentions[: config.max_sentence_mentions]
        in_sentence = sorted({m.country for m in mentions})
        if not 2 <= len(in_sentence) <= config.max_sentence_countries:
            continue
        s_start, s_end = _sentence_bounds(tagged, sentence)
        weight = config.title_weight if s_start < tagged.title_end else 1.0
        strong, fine = clause_levels(text, s_start, s_end, split_words=config.split_clause_words)
        strong_of = _clause_of(strong, mentions)
        fine_of = strong_of if fine is strong else _clause_of(fine, mentions)
        of_country: dict[str, list[int]] = {}  # country -> indices of its mentions in `mentions`
        for index, mention in enumerate(mentions):
            _append(of_country, mention.country, index)
        for a, b in combinations(in_sentence, 2):
            pair = (a, b)
            dyad = dyads[pair]
            dyad.sentences += 1
            candidates = _mention_pairs(of_country[a], of_country[b], mentions, strong_of)
            if not candidates:
                continue  # named in different clauses: no tone either way
            score, left, right, way = _pair_tone(tone, config, masked, candidates, fine, mentions, fine_of, memo)
            _append(scores, pair, (score, weight))
            if way is not None:
                ways = directed.get(pair)
                if ways is None:
                    ways = directed[pair] = {}
                for source, target in directions(mentions[left].country, mentions[right].country, way):
                    _append(ways, (source, target), (score, weight))
            if len(dyad.evidence) < config.max_evidence:
                span = strong[strong_of[left]]
                evidence = snippets.get(span)
                if evidence is None:
                    evidence = snippets[span] = plain_snippet(text[span[0] : span[1]])
                dyad.evidence.append({"sentence": sentence, "score": round(score, 4), "text": evidence})
    for pair, scored in scores.items():
        dyads[pair].sentiment = _weighted(scored)
    for pair, ways in directed.items():
        dyads[pair].directed = {way: (_weighted(scored), len(scored)) for way, scored in ways.items()}
    return list(dyads.values())


def _append(groups: dict[K, list[V]], key: K, value: V) -> None:
    """groups[key].append(value), starting the list when the key is new."""
    group = groups.get(key)
    if group is None:
        groups[key] = [value]
    else:
        group.append(value)


def _weighted(scored: list[tuple[float, float]]) -> float:
    total = sum(w for _, w in scored)
    return max(-1.0, min(1.0, sum(s * w for s, w in scored) / total))


def _sentence_bounds(tagged: Tagged, sentence: int) -> tuple[int, int]:
    starts = tagged.sentence_starts
    start = starts[sentence]
    if start >= tagged.title_end:
        start = max(start, tagged.dateline_end)
    end = starts[sentence + 1] if sentence + 1 < len(starts) else len(tagged.text)
    return start, end


def _mention_pairs(
    of_a: list[int], of_b: list[int], mentions: list[Mention], clause_of: list[int]
) -> list[tuple[int, int]]:
    """(left, right) pairs of mentions (indices into `mentions`) of the two countries within one clause, nearest
    first, ties in the order found."""
    found: list[tuple[int, int, int, int, int]] = []
    for ia in of_a:
        ma = mentions[ia]
        clause = clause_of[ia]
        for ib in of_b:
            if clause_of[ib] == clause:
                mb = mentions[ib]
                if ma.start < mb.start:
                    found.append((mb.start - ma.end, ma.start, len(found), ia, ib))
                else:
                    found.append((ma.start - mb.end, mb.start, len(found), ib, ia))
    found.sort()
    return [(left, right) for _, _, _, left, right in found]


def _words(text: str) -> list[str]:
    return [w.strip(_EDGE_PUNCT).lower() or w for w in text.split()]


def _pair_tone(
    tone: ToneModel,
    config: DyadConfig,
    masked: _Masked,
    candidates: list[tuple[int, int]],
    fine: list[tuple[int, int]],
    mentions: list[Mention],
    fine_of: list[int],
    memo: dict[str, float],
) -> tuple[float, int, int, str | None]:
    """Tone of what lies between two mentions of the pair (nearest first; the first with cooperation or conflict
    vocabulary wins); else the whole clause when they are coordinated ("India and Pakistan signed ...") or the
    only two countries of the clause; else neutral. Also which way the tone goes (see `way_of`), None if neither.
    `left` and `right` are indices into `mentions`."""
    for left, right in candidates:
        between = masked.between(mentions[left].end, mentions[right].start)
        if len(between.split()) > config.max_gap:
            break
        if tone.has_event(between):
            return _clause_tone(tone, between, config, memo, True), left, right, way_of(_words(between))
    left, right = candidates[0]
    clause = fine_of[left]
    between = masked.between(mentions[left].end, mentions[right].start)
    if fine_of[right] != clause or len(between.split()) > config.max_gap:
        return 0.0, left, right, None
    in_clause = {mentions[index].country for index, of in enumerate(fine_of) if of == clause}
    words = _words(between)
    coordinated = all(word in COORDINATION or word in TITLES for word in words)
    if coordinated or len(in_clause) == 2:
        c_start, c_end = fine[clause]
        return _clause_tone(tone, masked.between(c_start, c_end), config, memo), left, right, way_of(words)
    return 0.0, left, right, None
