"""The `dyadwatch` commands that measure quality: eval, eval-external, eval-lexicon, train."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import orjson
import typer


def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold JSON lines (the development set's format).")],
    corpus: Annotated[Path, typer.Option(help="The AG News CSV the gold rows point into.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the figures as one JSON object.")] = False,
    errors: Annotated[bool, typer.Option("--errors", help="Also list every article with a wrong answer.")] = False,
    folds: Annotated[
        int, typer.Option(help="Out of fold: refit the pair-tone model without each of N folds of the gold rows.")
    ] = 0,
    train_dir: Annotated[
        Path | None, typer.Option(help="With --folds: the training files (*.jsonl) fitted beside the other folds.")
    ] = None,
    dev_share: Annotated[
        float,
        typer.Option(
            min=0.0, max=1.0, help="With --folds: fit on only this share of the other folds' rows (a learning curve)."
        ),
    ] = 1.0,
) -> None:
    """Score country and dyad tagging and pair tone against hand-labelled gold.

    Without --folds the shipped model scores every row: in sample for rows it was trained on. With --folds N
    each fold is scored by a model fitted on the training files and the other folds (what `dyadwatch train` does),
    and the in-sample figures are printed beside the out-of-fold ones. --dev-share below 1 shows what fewer
    labelled rows of the gold's own style would give, and so roughly what more would buy.
    """
    from dyadwatch.processors.analysis import default_analyzer
    from dyadwatch.processors.evaluation import read_agnews, read_gold, score

    for path in (gold, corpus, *([train_dir] if train_dir else [])):
        if not path.exists():
            typer.echo(f"error: {path} does not exist", err=True)
            raise typer.Exit(2)
    if folds:
        from dyadwatch.processors.tone_training import folded_figures

        train_files = sorted(train_dir.glob("*.jsonl")) if train_dir else []
        figures = folded_figures(gold, corpus, train_files, folds, dev_share)
        report_errors: list[dict[str, Any]] = []
    else:
        report = score(read_gold(gold), read_agnews(corpus), default_analyzer().analyze)
        figures, report_errors = report.as_dict(), report.errors
    if json_out:
        typer.echo(orjson.dumps(figures).decode())
    else:
        _print_figures(f"dyadwatch eval: {gold.name}", figures)
    if errors:
        for error in report_errors:
            typer.echo(orjson.dumps(error).decode(), err=True)


def _print_figures(title: str, figures: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in figures.items():
        table.add_row(key, f"{value:.3f}" if isinstance(value, float) else str(value))
    Console().print(table)


def train(
    data: Annotated[Path, typer.Option(help="The shared data folder (eval/, corpora/, train/, lexicons/).")] = Path(
        "../shared"
    ),
    out: Annotated[Path | None, typer.Option(help="Where to write the model (default: the shipped one).")] = None,
) -> None:
    """Fit the pair-tone model on the labelled pairs (training files and development rows) with a fixed seed, and
    rebuild the CAMEO verb table it reads. Needs the `train` extra (scikit-learn)."""
    from dyadwatch.processors.tone_training import train_model

    try:
        train_model(data, out, progress=lambda line: typer.echo(line, err=True))
    except (FileNotFoundError, ImportError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def evaluate_external(
    folder: Annotated[Path, typer.Argument(help="Folder holding plover_gsr/ and conflibert_codebook/.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the figures as one JSON object.")] = False,
) -> None:
    """Tone on sentences coded by event-data coders elsewhere, beside the rules alone and a VADER-per-sentence
    baseline on the same pairs."""
    from dyadwatch.processors.external_eval import external_figures

    if not folder.is_dir():
        typer.echo(f"error: {folder} is not a folder", err=True)
        raise typer.Exit(2)
    figures = external_figures(folder)
    if json_out:
        typer.echo(orjson.dumps(figures).decode())
        return
    for name, rows in figures.items():
        for scorer, row in rows.items():
            _print_figures(f"{name}: {scorer}", row)


def evaluate_lexicon(
    ground_truth: Annotated[Path, typer.Argument(help="VADER ground truth: id<TAB>mean rating<TAB>text per line.")],
) -> None:
    """Correlation of VADER, with and without the diplomatic overlay, with human sentiment ratings."""
    import statistics

    from dyadwatch.processors.sentiment import ToneModel

    rows = [line.split("\t", 2) for line in ground_truth.read_text(encoding="utf-8").splitlines() if line.strip()]
    ratings = [float(row[1]) for row in rows]
    for label, model in (("vader", ToneModel(overlay=False)), ("vader+diplomatic", ToneModel(overlay=True))):
        scores = [model.score(row[2]) for row in rows]
        typer.echo(f"{label:<18} pearson r = {statistics.correlation(ratings, scores):.4f}  (n={len(rows)})")
