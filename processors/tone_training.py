"""Fitting the pair-tone model (pair_tone.PairToneModel) and measuring it out of fold.

Training data: labelled pairs in the dev set's JSON-lines format (`pairs`: {"a", "b", "tone"}), from three kinds
of file — AG News development rows (`row` into the AG News CSV), AG News items of other sections (`title`,
`description`) and event summaries (`text`, `topic`, `date`). Each item is tagged by the product's own tagger and
rules; every labelled pair that a sentence names together becomes one example of its features.

scikit-learn fits the model (the `train` extra); the worker only reads the weights it writes.
"""

from __future__ import annotations

import csv
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from dyadwatch.processors.analysis import Analyzer
from dyadwatch.processors.article import Article, parse_article
from dyadwatch.processors.dyads import attribute
from dyadwatch.processors.evaluation import EVAL_PUBLISHED_AT, Report, gold_article, read_agnews, read_gold, score
from dyadwatch.processors.pair_tone import CLASSES, PairFeatures, PairTokens, PairToneModel

SEED = 0
FOLDS = 5
C = 0.03  # inverse L2 strength when there are no development pairs to choose it by (choose_settings)
DEV_WEIGHT = 3.0  # a development pair counts as this many training pairs: it is the product's own news style
MIN_COUNT = 2  # features seen in fewer training pairs are dropped


@dataclass(slots=True)
class Item:
    source: str  # dev | agnews-other | events
    row: int  # the AG News row of a dev item, else -1
    article: Article
    pairs: dict[tuple[str, str], int]
    gold: dict[str, Any]


def fold_of(row: int, folds: int = FOLDS) -> int:
    """Dev rows are split into folds by row number."""
    return row % folds


def read_items(dev: Path, corpus: Path, train_files: Iterable[Path]) -> list[Item]:
    """The dev items (text from the AG News CSV) and every training file's items."""
    rows = read_agnews(corpus)
    items = [Item("dev", int(gold["row"]), gold_article(gold, rows), _pairs(gold), gold) for gold in read_gold(dev)]
    for path in train_files:
        for gold in read_gold(path):
            if "description" in gold:  # AG News items of the other sections
                items.append(_item("agnews-other", gold, gold["title"], gold["description"], EVAL_PUBLISHED_AT))
            else:  # event summaries: the portal's topic is part of the text the labels were given on
                topic = gold.get("topic") or ""
                title = topic if topic not in gold["text"] else ""
                items.append(_item("events", gold, title, gold["text"], gold["date"] + "T12:00:00Z"))
    return items


def _item(source: str, gold: dict[str, Any], title: str, body: str, published: str) -> Item:
    """A training file's item (not a dev row, so no row number)."""
    article = parse_article({"id": gold["id"], "title": title, "body": body, "published_at": published},
                            check_language=False)  # fmt: skip
    return Item(source, -1, article, _pairs(gold), gold)


def _pairs(gold: dict[str, Any]) -> dict[tuple[str, str], int]:
    return {(p["a"], p["b"]): int(p["tone"]) for p in gold["pairs"]}


@dataclass(slots=True)
class Example:
    features: dict[str, float]
    tone: int
    source: str
    row: int


def examples(items: Iterable[Item], analyzer: Analyzer, features: PairFeatures) -> list[Example]:
    """One example per labelled pair that a sentence of its item names together (the pairs the model scores)."""
    found = []
    for item in items:
        tagged = analyzer.tagger.tag(item.article)
        tokens = PairTokens(tagged)
        for dyad in attribute(tagged, analyzer.tone, analyzer.config):
            tone = item.pairs.get((dyad.a, dyad.b))
            if tone is None or not tokens.shared_sentences(dyad.a, dyad.b):
                continue
            found.append(Example(features(tokens, dyad.a, dyad.b, dyad.sentiment), tone, item.source, item.row))
    return found


def fit(train: list[Example], dev_weight: float = DEV_WEIGHT) -> dict[str, Any]:
    """The model file's content: {"weights": {feature: [w(-1), w(0), w(+1)]}, "intercepts": [...],
    "neutral_bias": ..., "c": ...}; C and the neutral bias are chosen by cross-validation over the development
    pairs among `train` alone (choose_settings), so no held-out row takes part in any choice."""
    c, neutral_bias = choose_settings(train, dev_weight)
    vectorizer, model = _fit(train, c, dev_weight)
    order = [list(model.classes_).index(k) for k in CLASSES]
    coef = model.coef_
    return {
        "classes": list(CLASSES),
        "intercepts": [round(float(model.intercept_[k]), 6) for k in order],
        "neutral_bias": neutral_bias,
        "weights": {
            name: [round(float(coef[k, column]), 6) for k in order]
            for name, column in sorted(vectorizer.vocabulary_.items())
        },
        "trained_on": _census(train),
        "c": c,
        "dev_weight": dev_weight,
    }


def _fit(train: list[Example], c: float, dev_weight: float) -> tuple[Any, Any]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    counts: dict[str, int] = {}
    for example in train:
        for name in example.features:
            counts[name] = counts.get(name, 0) + 1
    kept = {name for name, n in counts.items() if n >= MIN_COUNT}
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform([{k: v for k, v in e.features.items() if k in kept} for e in train])
    weights = [dev_weight if e.source == "dev" else 1.0 for e in train]
    model = LogisticRegression(C=c, max_iter=5000, random_state=SEED)
    model.fit(matrix, [e.tone for e in train], sample_weight=weights)
    return vectorizer, model


# The product's goals for tone (3-class, and sign on friendly/hostile pairs): the neutral bias is chosen to come
# closest to both at once.
TARGET_ACCURACY = 0.70
TARGET_SIGN_ACCURACY = 0.78
NEUTRAL_BIASES = tuple(round(0.1 * k, 1) for k in range(16))


C_GRID = (0.01, 0.03, 0.1)


def choose_settings(train: list[Example], dev_weight: float = DEV_WEIGHT) -> tuple[float, float]:
    """(C, neutral bias) from C_GRID x NEUTRAL_BIASES whose 3-class and sign accuracy come closest to their targets
    (the larger of the two shortfalls, as a fraction of the target, is smallest) on the development pairs of
    `train`, each scored by a model fitted without its fold. The bias is subtracted from the neutral class's logit.
    Without development pairs: (C, 0)."""
    import numpy as np

    dev = [e for e in train if e.source == "dev"]
    if not dev:
        return C, 0.0
    truth = np.array([e.tone for fold in _folds(dev) for e in dev if fold_of(e.row) == fold])
    polar = truth != 0
    best, best_score = (C, 0.0), -1.0
    for c in C_GRID:
        scores = []
        for fold in _folds(dev):
            vectorizer, model = _fit([e for e in train if e.source != "dev" or fold_of(e.row) != fold], c, dev_weight)
            held_out = [e for e in dev if fold_of(e.row) == fold]
            columns = [list(model.classes_).index(k) for k in CLASSES]
            scores.append(model.predict_log_proba(vectorizer.transform([e.features for e in held_out]))[:, columns])
        logits = np.vstack(scores)
        for bias in NEUTRAL_BIASES:
            shifted = logits.copy()
            shifted[:, 1] -= bias
            predicted = np.array(CLASSES)[shifted.argmax(axis=1)]
            accuracy = (predicted == truth).mean()
            sign = (predicted[polar] == truth[polar]).mean()
            score = min(accuracy / TARGET_ACCURACY, sign / TARGET_SIGN_ACCURACY)
            if score > best_score + 1e-9:
                best, best_score = (c, bias), float(score)
    return best


def _folds(dev: list[Example]) -> list[int]:
    return sorted({fold_of(e.row) for e in dev})


def _census(train: list[Example]) -> dict[str, int]:
    census: dict[str, int] = {}
    for example in train:
        census[example.source] = census.get(example.source, 0) + 1
    return census


def save_model(model: dict[str, Any], path: Path) -> None:
    path.write_bytes(orjson.dumps(model, option=orjson.OPT_SORT_KEYS) + b"\n")


@dataclass(slots=True)
class FoldedReport:
    out_of_fold: Report
    in_sample: Report
    folds: int
    training_pairs: dict[str, int]


def dev_rows_kept(rows: Iterable[int], share: float) -> set[int]:
    """A fixed `share` of the development rows, drawn with the fixed seed; a smaller share's rows are all among a
    larger share's, so a learning curve adds rows rather than swapping them."""
    ranked = sorted(rows)
    random.Random(SEED).shuffle(ranked)
    return set(ranked[: round(share * len(ranked))])


def cross_validate(
    items: list[Item],
    analyzer_for: Callable[[PairToneModel | None], Analyzer],
    features: PairFeatures,
    folds: int = FOLDS,
    progress: Callable[[str], None] = lambda _: None,
    dev_share: float = 1.0,
) -> FoldedReport:
    """Each dev fold scored by a model fitted on the training items and the other dev folds, through the whole
    analyzer; and all dev rows scored by a model fitted on everything (in sample). With `dev_share` below 1 the
    models see only that share of the other folds' rows (dev_rows_kept): every fold is still scored in full."""
    every = examples(items, analyzer_for(None), features)
    dev = [item for item in items if item.source == "dev"]
    kept = dev_rows_kept((item.row for item in dev), dev_share)
    out_of_fold = Report()
    for fold in range(folds):
        started = time.monotonic()
        train = [e for e in every if e.source != "dev" or (fold_of(e.row, folds) != fold and e.row in kept)]
        model = PairToneModel(fit(train) | {"version": f"fold-{fold}"}, features)
        held_out = [item for item in dev if fold_of(item.row, folds) == fold]
        out_of_fold.merge(_score(held_out, analyzer_for(model)))
        progress(f"fold {fold + 1}/{folds}: {len(train)} training pairs, {time.monotonic() - started:.0f} s")
    model = PairToneModel(fit(every) | {"version": "all"}, features)
    return FoldedReport(out_of_fold, _score(dev, analyzer_for(model)), folds, _census(every))


def _score(items: list[Item], analyzer: Analyzer) -> Report:
    corpus = [(item.article.title, item.article.body) for item in items]
    return score([item.gold | {"row": n} for n, item in enumerate(items)], corpus, analyzer.analyze)


# -- the CAMEO verb table the features read ---------------------------------------------------------------------

CAMEO_NOTICE = """\
# CAMEO verb phrases (stemmed) with the Goldstein score and quad class of their event code.
# Derived from PETRARCH2's CAMEO.2.0.txt verb dictionary (Open Event Data Alliance) joined with the ICEWS
# CAMEO -> Goldstein table, by `dyadwatch train` (processors/tone_training.py).
# The MIT License (MIT). Copyright (c) 2014 Open Event Data. Permission is hereby granted, free of charge, to any
# person obtaining a copy of this software and associated documentation files (the "Software"), to deal in the
# Software without restriction, including without limitation the rights to use, copy, modify, merge, publish,
# distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
# furnished to do so, subject to the following conditions: The above copyright notice and this permission notice
# shall be included in all copies or substantial portions of the Software. THE SOFTWARE IS PROVIDED "AS IS",
# WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
# MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
# COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
# OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def write_cameo_table(flat_table: Path, out: Path, longest: int = 3) -> int:
    """The shipped table from PETRARCH2's flattened verb/pattern table: phrases of plain words only, at most
    `longest` words, stemmed as the features stem; the first code given for a phrase wins. Returns the row count."""
    from dyadwatch.processors.pair_tone import Stemmer

    stem = Stemmer()
    table: dict[str, tuple[str, str]] = {}
    with flat_table.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            words = row["phrase"].lower().split()
            if not words or len(words) > longest or not all(w.replace("-", "").isalpha() for w in words):
                continue
            table.setdefault(" ".join(stem(w) for w in words), (row["goldstein"], row["quadclass"]))
    with out.open("w", encoding="utf-8") as fh:
        fh.write(CAMEO_NOTICE)
        fh.write("stems\tgoldstein\tquadclass\n")
        for stems, (goldstein, quadclass) in sorted(table.items()):
            fh.write(f"{stems}\t{goldstein}\t{quadclass}\n")
    return len(table)


# -- the commands' work (dyadwatch train, dyadwatch eval --folds) ----------------------------------------------


@dataclass(frozen=True, slots=True)
class SharedData:
    """Where the labelled data sits in the shared data folder."""

    root: Path

    @property
    def dev(self) -> Path:
        return self.root / "eval" / "dev-agnews-world.v2.jsonl"

    @property
    def corpus(self) -> Path:
        return self.root / "corpora" / "ag_news_world" / "test_world.csv"

    @property
    def train_files(self) -> list[Path]:
        return sorted((self.root / "train").glob("*.jsonl"))

    @property
    def cameo(self) -> Path:
        return self.root / "lexicons" / "petrarch2" / "cameo_verbs_goldstein.tsv"

    def check(self) -> None:
        for path in (self.dev, self.corpus, self.cameo):
            if not path.exists():
                raise FileNotFoundError(f"{path} does not exist (is --data the shared data folder?)")
        if not self.train_files:
            raise FileNotFoundError(f"no training files (*.jsonl) in {self.root / 'train'}")


def train_model(
    root: Path,
    out: Path | None = None,
    cameo_out: Path | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Rebuild the CAMEO table and fit the model on every labelled pair (`make train`); by default both are
    written over the shipped files."""
    from dyadwatch.processors.pair_tone import CAMEO_PATH, MODEL_PATH, load_cameo

    data = SharedData(root)
    data.check()
    started = time.monotonic()
    cameo_out = cameo_out or CAMEO_PATH
    progress(f"CAMEO verb table: {write_cameo_table(data.cameo, cameo_out)} phrases -> {cameo_out}")
    items = read_items(data.dev, data.corpus, data.train_files)
    every = examples(items, _analyzer_with(None), PairFeatures(cameo=load_cameo(cameo_out)))
    progress(f"{len(every)} labelled pairs from {len(items)} items: {_census(every)}; fitting")
    model = fit(every)
    target = out or MODEL_PATH
    save_model(model, target)
    progress(f"{len(model['weights'])} features, neutral bias {model['neutral_bias']} -> {target} "
             f"({time.monotonic() - started:.0f} s)")  # fmt: skip
    return model


def folded_figures(
    dev: Path, corpus: Path, train_files: list[Path], folds: int = FOLDS, dev_share: float = 1.0
) -> dict[str, Any]:
    """`dyadwatch eval --folds`: out-of-fold and in-sample figures, side by side."""
    items = read_items(dev, corpus, train_files)
    report = cross_validate(items, _analyzer_with, PairFeatures(), folds=folds, dev_share=dev_share)
    figures: dict[str, Any] = {f"{key}_out_of_fold": v for key, v in report.out_of_fold.as_dict().items()}
    figures.update({f"{key}_in_sample": v for key, v in report.in_sample.as_dict().items() if "tone" in key or
                    "sign" in key})  # fmt: skip
    figures["folds"] = folds
    if dev_share < 1:
        figures["dev_share"] = dev_share
    figures["training_pairs"] = report.training_pairs
    return figures


def _analyzer_with(model: PairToneModel | None) -> Analyzer:
    """An analyzer whose pair tone is `model`'s, or the rules' alone when it is None."""
    return Analyzer(pair_tone=model if model is not None else False)
