"""Scoring against hand-labelled gold: country and dyad precision/recall/F1, tone and sign accuracy.

Scored the way the blind set is scored: each AG News item is title + description published 2004-11-01; a predicted
dyad's tone is -1 below -0.05, +1 above 0.05, else 0; tone accuracy is over pairs found in both gold and output
(3-class), sign accuracy over those of them whose gold tone is ±1.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from dyadwatch.processors.article import Article, parse_article

EVAL_PUBLISHED_AT = "2004-11-01T00:00:00Z"
TONE_THRESHOLD = 0.05


def tone_class(sentiment: float) -> int:
    if sentiment < -TONE_THRESHOLD:
        return -1
    if sentiment > TONE_THRESHOLD:
        return 1
    return 0


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, gold: set, predicted: set) -> None:
        self.tp += len(gold & predicted)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    def merge(self, other: PRF) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


@dataclass
class Report:
    articles: int = 0
    countries: PRF = field(default_factory=PRF)
    dyads: PRF = field(default_factory=PRF)
    tone_total: int = 0
    tone_correct: int = 0
    sign_total: int = 0
    sign_correct: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def merge(self, other: Report) -> None:
        """Add another report's counts (e.g. one fold's) to these."""
        self.articles += other.articles
        self.countries.merge(other.countries)
        self.dyads.merge(other.dyads)
        self.tone_total += other.tone_total
        self.tone_correct += other.tone_correct
        self.sign_total += other.sign_total
        self.sign_correct += other.sign_correct
        self.errors.extend(other.errors)

    @property
    def tone_accuracy(self) -> float:
        return self.tone_correct / self.tone_total if self.tone_total else 0.0

    @property
    def sign_accuracy(self) -> float:
        return self.sign_correct / self.sign_total if self.sign_total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "country_precision": round(self.countries.precision, 4),
            "country_recall": round(self.countries.recall, 4),
            "country_f1": round(self.countries.f1, 4),
            "dyad_precision": round(self.dyads.precision, 4),
            "dyad_recall": round(self.dyads.recall, 4),
            "dyad_f1": round(self.dyads.f1, 4),
            "tone_accuracy": round(self.tone_accuracy, 4),
            "tone_pairs": self.tone_total,
            "sign_accuracy": round(self.sign_accuracy, 4),
            "sign_pairs": self.sign_total,
        }


def read_gold(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as fh:
        for line in fh:
            if line.strip():
                yield orjson.loads(line)


def read_agnews(path: Path) -> list[tuple[str, str]]:
    """(title, description) per row of an AG News CSV (class, title, description; no header)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [(row[1], row[2]) for row in csv.reader(fh)]


def gold_article(gold: dict[str, Any], corpus: list[tuple[str, str]]) -> Article:
    title, description = corpus[int(gold["row"])]
    return parse_article(
        {"id": gold["id"], "title": title, "body": description, "published_at": EVAL_PUBLISHED_AT},
        check_language=False,
    )


def score(
    gold_rows: Iterable[dict[str, Any]],
    corpus: list[tuple[str, str]],
    analyze: Callable[[Article], Mapping[str, Any]],
) -> Report:
    report = Report()
    for gold in gold_rows:
        result = analyze(gold_article(gold, corpus))
        report.articles += 1
        gold_countries = set(gold["countries"])
        predicted_countries = set(result["countries"])
        report.countries.add(gold_countries, predicted_countries)
        gold_pairs = {(p["a"], p["b"]): int(p["tone"]) for p in gold["pairs"]}
        predicted_pairs = {(d["a"], d["b"]): tone_class(d["sentiment"]) for d in result["dyads"]}
        report.dyads.add(set(gold_pairs), set(predicted_pairs))
        wrong_tone = []
        for pair in gold_pairs.keys() & predicted_pairs.keys():
            report.tone_total += 1
            ok = gold_pairs[pair] == predicted_pairs[pair]
            report.tone_correct += ok
            if gold_pairs[pair] != 0:
                report.sign_total += 1
                report.sign_correct += ok
            if not ok:
                wrong_tone.append(f"{pair[0]}-{pair[1]} gold {gold_pairs[pair]:+d} got {predicted_pairs[pair]:+d}")
        if gold_countries != predicted_countries or set(gold_pairs) != set(predicted_pairs) or wrong_tone:
            report.errors.append(
                {
                    "id": gold["id"],
                    "missing": sorted(gold_countries - predicted_countries),
                    "extra": sorted(predicted_countries - gold_countries),
                    "missing_pairs": sorted(f"{a}-{b}" for a, b in set(gold_pairs) - set(predicted_pairs)),
                    "extra_pairs": sorted(f"{a}-{b}" for a, b in set(predicted_pairs) - set(gold_pairs)),
                    "tone": wrong_tone,
                }
            )
    return report
