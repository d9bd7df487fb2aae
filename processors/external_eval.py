"""Tone on sentence sets coded by event-data coders elsewhere (checks only: never trained on, text never shipped).

Two sets, read from their own files: PLOVER's gold-standard records (source and target actors with ISO-3 codes,
an event type) and ConfliBERT's CAMEO-class test sentences (statement / verbal or material cooperation / verbal or
material conflict). Cooperation is +1, conflict −1, a statement 0. Each sentence is tagged as a one-sentence
article; a PLOVER record's pair is its source and target countries, a ConfliBERT sentence's pairs are every pair
the tagger finds in it. Sign accuracy is over pairs with a ±1 label that the scorer found.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from dyadwatch.processors.article import Article, parse_article
from dyadwatch.processors.evaluation import tone_class

PLOVER_COOPERATION = frozenset({"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"})
PLOVER_CONFLICT = frozenset({"DEMAND", "REJECT", "THREATEN", "PROTEST", "COERCE", "FIGHT", "DISAPPROVE", "ASSAULT",
                             "SANCTION", "INVESTIGATE", "MOBILIZE"})  # fmt: skip
CONFLIBERT_TONE = {"0": 0, "1": 1, "2": 1, "3": -1, "4": -1}
PUBLISHED_AT = "2000-01-01T00:00:00Z"  # the sets' sentences span decades; no leader needs resolving by date


@dataclass(frozen=True, slots=True)
class Coded:
    text: str
    tone: int
    pair: tuple[str, str] | None  # the coded source and target, when the set names them


def plover(path: Path) -> Iterator[Coded]:
    """PLOVER records whose source and target include two distinct countries and whose event has a tone."""
    for record in orjson.loads(path.read_bytes()):
        event = record.get("event", "")
        tone = 1 if event in PLOVER_COOPERATION else -1 if event in PLOVER_CONFLICT else None
        if tone is None or "text" not in record:
            continue
        sources, targets = _codes(record.get("source")), _codes(record.get("target"))
        pairs = {tuple(sorted((s, t))) for s in sources for t in targets if _iso3(s) and _iso3(t) and s != t}
        if len(pairs) == 1:
            yield Coded(record["text"], tone, pairs.pop())  # type: ignore[arg-type]


def conflibert(path: Path) -> Iterator[Coded]:
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) == 2 and row[1].strip() in CONFLIBERT_TONE:
                yield Coded(row[0], CONFLIBERT_TONE[row[1].strip()], None)


def _codes(actors: object) -> set[str]:
    """The actor codes of a record's source or target (a list of actors; some records leave it empty or text)."""
    if not isinstance(actors, list):
        return set()
    return {str(actor.get("code", "")) for actor in actors if isinstance(actor, dict)}


def _iso3(code: str) -> bool:
    return len(code) == 3 and code.isalpha() and code.isupper()


@dataclass(slots=True)
class SignReport:
    sentences: int = 0
    pairs: int = 0  # labelled pairs the scorer found
    polar: int = 0
    sign_correct: int = 0
    correct: int = 0

    @property
    def sign_accuracy(self) -> float:
        return self.sign_correct / self.polar if self.polar else 0.0

    @property
    def accuracy(self) -> float:
        return self.correct / self.pairs if self.pairs else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"sentences": self.sentences, "pairs": self.pairs, "accuracy": round(self.accuracy, 4),
                "polar_pairs": self.polar, "sign_accuracy": round(self.sign_accuracy, 4)}  # fmt: skip


# a scorer: one sentence as an article -> {(a, b): sentiment} for the pairs it finds
PairScorer = Callable[[Article], dict[tuple[str, str], float]]


def check(coded: Iterator[Coded], scorer: PairScorer) -> SignReport:
    report = SignReport()
    for number, item in enumerate(coded):
        report.sentences += 1
        article = parse_article(
            {"id": f"external:{number}", "title": "", "body": item.text, "published_at": PUBLISHED_AT},
            check_language=False,
        )
        found = scorer(article)
        pairs = [item.pair] if item.pair is not None else list(found)
        for pair in pairs:
            if pair not in found:
                continue
            predicted = tone_class(found[pair])
            report.pairs += 1
            report.correct += predicted == item.tone
            if item.tone != 0:
                report.polar += 1
                report.sign_correct += predicted == item.tone
    return report


def external_figures(folder: Path) -> dict[str, dict[str, dict[str, float | int]]]:
    """{set: {scorer: figures}} for the sets found in `folder`: the shipped model, the rules alone, and VADER's
    compound score of the whole sentence given to every pair the tagger finds (a naive baseline)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from dyadwatch.processors.analysis import Analyzer

    model, rules = Analyzer(), Analyzer(pair_tone=False)
    vader = SentimentIntensityAnalyzer()

    def pairs_of(analyzer: Analyzer) -> PairScorer:
        return lambda article: {(d["a"], d["b"]): d["sentiment"] for d in analyzer.analyze(article)["dyads"]}

    def naive(article: Article) -> dict[tuple[str, str], float]:
        score = vader.polarity_scores(article.body)["compound"]
        return {pair: score for pair in pairs_of(rules)(article)}

    scorers: dict[str, PairScorer] = {"dyadwatch": pairs_of(model), "rules only": pairs_of(rules),
                                      "vader per sentence": naive}  # fmt: skip
    sets = {"plover_gsr": (folder / "plover_gsr" / "PLOVER_GSR_CAMEO.json", plover),
            "conflibert_codebook": (folder / "conflibert_codebook" / "test.tsv", conflibert)}  # fmt: skip
    figures = {}
    for name, (path, reader) in sets.items():
        if path.exists():
            figures[name] = {scorer: check(reader(path), run).as_dict() for scorer, run in scorers.items()}
    return figures
