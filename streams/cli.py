"""The `dyadwatch` command line."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import orjson
import typer

app = typer.Typer(
    name="dyadwatch",
    help="Live country-pair (dyad) tone from news: tag articles, evaluate, run the streaming pipeline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _records(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(line number, raw record) from JSON lines, a JSON array, or one (possibly pretty-printed) JSON object."""
    data = stream.read()
    stripped = data.lstrip()
    if stripped.startswith(b"["):
        try:
            items = orjson.loads(data)
        except orjson.JSONDecodeError:
            yield 1, data
            return
        for index, item in enumerate(items if isinstance(items, list) else [items], start=1):
            yield index, orjson.dumps(item)
        return
    lines = data.splitlines()
    first = next((line for line in lines if line.strip()), b"")
    if stripped.startswith(b"{") and not _parses(first):
        yield 1, data  # a single pretty-printed document
        return
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield number, line


def _parses(raw: bytes) -> bool:
    try:
        orjson.loads(raw)
    except orjson.JSONDecodeError:
        return False
    return True


@app.command()
def tag(
    file: Annotated[
        Path | None, typer.Argument(help="JSON lines, a JSON array or one JSON article; '-' or none: stdin")
    ] = None,
    pretty: Annotated[bool, typer.Option("--pretty", help="Print a readable table instead of JSON lines.")] = False,
    max_bytes: Annotated[int, typer.Option(help="Largest title+body accepted, in bytes.")] = 256 * 1024,
) -> None:
    """Tag articles: countries, leaders, organisations and the tone of every country pair.

    Prints one JSON line per article, in input order. A bad record gets a one-line error on stderr naming its line;
    the rest is still processed, and the exit status is 1 if any record failed.
    """
    from processors.analysis import default_analyzer
    from processors.article import ArticleError, decode_article, utcnow

    analyzer = default_analyzer()
    failures = 0
    now = utcnow()
    stream: BinaryIO = sys.stdin.buffer if file is None or str(file) == "-" else file.open("rb")
    table_rows: list[dict[str, Any]] = []
    with stream:
        for number, raw in _records(stream):
            try:
                article = decode_article(raw, max_bytes=max_bytes, now=now)
                result = analyzer.analyze(article)
            except ArticleError as exc:
                failures += 1
                typer.echo(f"line {number}: {exc.reason}: {exc.message}", err=True)
                continue
            if pretty:
                table_rows.append(result)
            else:
                sys.stdout.buffer.write(orjson.dumps(result) + b"\n")
    if pretty:
        _print_table(table_rows)
    sys.stdout.flush()
    if failures:
        raise typer.Exit(1)


def _print_table(results: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for result in results:
        countries = ", ".join(
            f"{code}×{info['mentions']}" + (" (dateline)" if info.get("dateline_only") else "")
            for code, info in result["countries"].items()
        )
        table = Table(title=f"{result['id']}  [dim]{result['published_at']}[/dim]", title_justify="left")
        table.add_column("pair")
        table.add_column("tone", justify="right")
        table.add_column("sentences", justify="right")
        table.add_column("strongest evidence")
        for dyad in sorted(result["dyads"], key=lambda d: d["sentiment"]):
            tone = dyad["sentiment"]
            colour = "red" if tone < -0.05 else "green" if tone > 0.05 else "white"
            evidence = max(dyad["evidence"], key=lambda e: abs(e["score"]), default=None)
            table.add_row(
                dyad["pair"],
                f"[{colour}]{tone:+.2f}[/{colour}]",
                str(dyad["sentences"]),
                (evidence["text"][:90] if evidence else ""),
            )
        console.print(
            f"[bold]countries[/bold] {countries or '-'}   [bold]orgs[/bold] {', '.join(result['orgs']) or '-'}"
        )
        console.print(table)


@app.command("eval")
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold JSON lines (see ../shared/eval/README.md for the format).")],
    corpus: Annotated[Path, typer.Option(help="The AG News CSV the gold rows point into.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the figures as one JSON object.")] = False,
    errors: Annotated[bool, typer.Option("--errors", help="Also list every article with a wrong answer.")] = False,
) -> None:
    """Score country and dyad tagging and pair tone against hand-labelled gold."""
    from processors.analysis import default_analyzer
    from processors.evaluation import read_agnews, read_gold, score

    for path in (gold, corpus):
        if not path.exists():
            typer.echo(f"error: {path} does not exist", err=True)
            raise typer.Exit(2)
    report = score(read_gold(gold), read_agnews(corpus), default_analyzer().analyze)
    figures = report.as_dict()
    if json_out:
        typer.echo(orjson.dumps(figures).decode())
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"dyadwatch eval: {gold.name} ({report.articles} articles)", title_justify="left")
        table.add_column("measure")
        table.add_column("value", justify="right")
        for key, value in figures.items():
            table.add_row(key, f"{value:.3f}" if isinstance(value, float) else str(value))
        Console().print(table)
    if errors:
        for error in report.errors:
            typer.echo(orjson.dumps(error).decode(), err=True)


@app.command("eval-lexicon")
def evaluate_lexicon(
    ground_truth: Annotated[Path, typer.Argument(help="VADER ground truth: id<TAB>mean rating<TAB>text per line.")],
) -> None:
    """Correlation of VADER, with and without the diplomatic overlay, with human sentiment ratings."""
    import statistics

    from processors.sentiment import ToneModel

    rows = [line.split("\t", 2) for line in ground_truth.read_text(encoding="utf-8").splitlines() if line.strip()]
    ratings = [float(row[1]) for row in rows]
    for label, model in (("vader", ToneModel(overlay=False)), ("vader+diplomatic", ToneModel(overlay=True))):
        scores = [model.score(row[2]) for row in rows]
        typer.echo(f"{label:<18} pearson r = {statistics.correlation(ratings, scores):.4f}  (n={len(rows)})")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
