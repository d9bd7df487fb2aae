"""Dyad attribution: which clauses relate two countries, and the tone they give the pair.

A sentence naming several countries is cut into clauses (at semicolons, dashes and subordinating words such as
"after", "amid", "while"); a pair takes its tone from the clauses that name both of its countries, so in
"Erdogan received Sharif ..., just weeks after the conflict between India and Pakistan" the TUR–PAK meeting does not
inherit the India–Pakistan conflict. Pairs named in one sentence but different clauses get that sentence's tone at
a lower weight; pairs never named in one sentence are listed with no evidence and tone 0.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations, pairwise

from spacy.tokens import Doc

from processors.matcher import SPAN_KEY
from processors.sentiment import ToneModel
from processors.tagger import Mention, Tagged
from processors.text import plain_snippet

CLAUSE_PUNCT = frozenset({";", ":", "—", "–", "--"})
CLAUSE_WORDS = frozenset(
    {
        "after",
        "amid",
        "while",
        "whereas",
        "although",
        "though",
        "despite",
        "following",
        "but",
        "before",
        "since",
    }
)
COORDINATION = frozenset({",", "and", "-", "–", "'s", "’s", "or", "&", "both", "of", "between", "with"})
TITLES = frozenset(
    {
        "president",
        "prime",
        "minister",
        "premier",
        "chancellor",
        "king",
        "queen",
        "foreign",
        "secretary",
        "leader",
        "counterpart",
        "mr",
        "mr.",
        "general",
        "gen.",
        "sheikh",
        "emir",
        "pm",
        "state",
        "of",
        "the",
    }
)
CLAUSE_AFTER_COMMA = frozenset({"and", "which", "who", "as", "just", "saying", "where", "when", "a", "an"})


@dataclass(frozen=True, slots=True)
class DyadConfig:
    title_weight: float = 2.0
    dead_zone: float = 0.0  # clause scores closer to 0 than this count as neutral
    max_gap: int = 25  # mentions further apart than this many tokens do not relate the pair
    base_weight: float = 0.3  # weight of VADER's everyday words next to the diplomatic lexicon (ToneModel)
    split_clause_words: bool = True  # also cut clauses at "after", "amid", "while", ", which" ...
    require_event: bool = True  # a clause without cooperation/conflict vocabulary relates the pair neutrally
    max_evidence: int = 5


@dataclass(slots=True)
class Dyad:
    a: str
    b: str
    sentiment: float = 0.0
    sentences: int = 0
    evidence: list[dict] = field(default_factory=list)

    @property
    def pair(self) -> str:
        return f"{self.a}-{self.b}"

    def as_dict(self) -> dict:
        return {
            "pair": self.pair,
            "a": self.a,
            "b": self.b,
            "sentiment": round(self.sentiment, 4),
            "sentences": self.sentences,
            "evidence": self.evidence,
        }


def clauses(doc: Doc, start: int, end: int, split_words: bool = True) -> list[tuple[int, int]]:
    """Token ranges of the clauses of doc[start:end]."""
    cuts = [start]
    for i in range(start + 1, end):
        token = doc[i]
        text = token.text
        if text in CLAUSE_PUNCT:
            cuts.append(i)
        elif not split_words:
            continue
        elif text.lower() in CLAUSE_WORDS and not token.is_title:
            cuts.append(i)
        elif text.lower() in CLAUSE_AFTER_COMMA and doc[i - 1].text == ",":
            cuts.append(i)
    cuts.append(end)
    return [(a, b) for a, b in pairwise(cuts) if b > a]


def _scored_text(doc: Doc, start: int, end: int, masked: bytearray) -> str:
    """The text VADER sees: entity names left out, so "United States" or "Security Council" carry no tone."""
    return "".join(doc[i].text_with_ws for i in range(start, end) if not masked[i])


def _clause_tone(tone: ToneModel, text: str, config: DyadConfig) -> float:
    if config.require_event and not tone.has_event(text):
        return 0.0
    return _shrink(tone.score(text), config.dead_zone)


def _shrink(score: float, dead_zone: float) -> float:
    magnitude = abs(score)
    if magnitude <= dead_zone:
        return 0.0
    return (magnitude - dead_zone) / (1.0 - dead_zone) * (1 if score > 0 else -1)


def attribute(tagged: Tagged, tone: ToneModel, config: DyadConfig | None = None) -> list[Dyad]:
    """One Dyad per unordered pair of countries that take part in the article (dateline-only ones excluded)."""
    config = config or DyadConfig()
    countries = sorted(set(tagged.countries) - set(tagged.dateline_only))
    dyads = {pair: Dyad(*pair) for pair in combinations(countries, 2)}
    if not dyads:
        return []
    by_sentence: dict[int, list[Mention]] = defaultdict(list)
    for mention in tagged.mentions:
        if not mention.dateline:
            by_sentence[mention.sentence].append(mention)
    doc = tagged.doc
    masked = bytearray(len(doc))
    for span in doc.spans[SPAN_KEY]:
        masked[span.start : span.end] = b"\x01" * len(span)
    scores: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for sentence, mentions in sorted(by_sentence.items()):
        if len({m.country for m in mentions}) < 2:
            continue
        s_start, s_end = _sentence_bounds(tagged, sentence)
        weight = config.title_weight if s_start < tagged.title_end else 1.0
        strong = clauses(doc, s_start, s_end, split_words=False)
        fine = clauses(doc, s_start, s_end, split_words=config.split_clause_words)
        strong_of = {id(m): _clause_index(strong, m.token_start) for m in mentions}
        fine_of = {id(m): _clause_index(fine, m.token_start) for m in mentions}
        for a, b in combinations(sorted({m.country for m in mentions}), 2):
            dyad = dyads[(a, b)]
            dyad.sentences += 1
            candidates = _mention_pairs(
                [m for m in mentions if m.country == a], [m for m in mentions if m.country == b], strong_of
            )
            if not candidates:
                continue  # named on either side of a semicolon or dash: no tone either way
            score, (left, _right) = _pair_tone(tone, config, doc, masked, candidates, fine, mentions, fine_of)
            c_start, c_end = strong[strong_of[id(left)]]
            scores[(a, b)].append((score, weight))
            if len(dyad.evidence) < config.max_evidence:
                text = plain_snippet(doc[c_start:c_end].text)
                dyad.evidence.append({"sentence": sentence, "score": round(score, 4), "text": text})
    for pair, scored in scores.items():
        total = sum(w for _, w in scored)
        dyads[pair].sentiment = max(-1.0, min(1.0, sum(s * w for s, w in scored) / total))
    return list(dyads.values())


def _sentence_bounds(tagged: Tagged, sentence: int) -> tuple[int, int]:
    starts = tagged.sentence_starts
    start = starts[sentence]
    if start >= tagged.title_end:
        start = max(start, tagged.dateline_end)
    end = starts[sentence + 1] if sentence + 1 < len(starts) else len(tagged.doc)
    return start, end


def _clause_index(spans: list[tuple[int, int]], token: int) -> int:
    for index, (start, end) in enumerate(spans):
        if start <= token < end:
            return index
    return len(spans) - 1


def _mention_pairs(
    of_a: list[Mention], of_b: list[Mention], clause_of: dict[int, int]
) -> list[tuple[Mention, Mention]]:
    """(left, right) mention pairs of the two countries within one clause, nearest first."""
    found = []
    for ma in of_a:
        for mb in of_b:
            if clause_of[id(ma)] == clause_of[id(mb)]:
                left, right = (ma, mb) if ma.token_start < mb.token_start else (mb, ma)
                found.append((right.token_start - left.token_end, left, right))
    found.sort(key=lambda item: (item[0], item[1].token_start))
    return [(left, right) for _, left, right in found]


def _pair_tone(
    tone: ToneModel,
    config: DyadConfig,
    doc: Doc,
    masked: bytearray,
    candidates: list[tuple[Mention, Mention]],
    spans: list[tuple[int, int]],
    mentions: list[Mention],
    clause_of: dict[int, int],
) -> tuple[float, tuple[Mention, Mention]]:
    """Tone of what lies between two mentions of the pair (nearest first; the first with cooperation or conflict
    vocabulary wins); else the whole clause when they are coordinated ("India and Pakistan signed ...") or the
    only two countries of the clause; else neutral."""
    for left, right in candidates:
        if right.token_start - left.token_end > config.max_gap:
            break
        between = _scored_text(doc, left.token_end, right.token_start, masked)
        if tone.has_event(between):
            return _clause_tone(tone, between, config), (left, right)
    left, right = candidates[0]
    clause = clause_of[id(left)]
    if right.token_start - left.token_end > config.max_gap or clause_of[id(right)] != clause:
        return 0.0, (left, right)
    in_clause = {m.country for m in mentions if clause_of[id(m)] == clause}
    between = _scored_text(doc, left.token_end, right.token_start, masked)
    coordinated = all(word in COORDINATION or word in TITLES for word in between.lower().split())
    if coordinated or len(in_clause) == 2:
        c_start, c_end = spans[clause]
        return _clause_tone(tone, _scored_text(doc, c_start, c_end, masked), config), (left, right)
    return 0.0, (left, right)
