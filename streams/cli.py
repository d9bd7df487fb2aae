"""The `dyadwatch` command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import orjson
import typer

from dyadwatch.streams import cli_quality

app = typer.Typer(
    name="dyadwatch",
    help="Live country-pair (dyad) tone from news: tag articles, evaluate, run the streaming pipeline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def tag(
    file: Annotated[
        Path | None, typer.Argument(help="JSON lines, a JSON array or one JSON article; '-' or none: stdin")
    ] = None,
    pretty: Annotated[bool, typer.Option("--pretty", help="Print a readable table instead of JSON lines.")] = False,
    max_bytes: Annotated[int, typer.Option(help="Largest title+body accepted, in bytes.")] = 256 * 1024,
    territory_policy: Annotated[
        str,
        typer.Option(
            envvar="DYADWATCH_TERRITORY_POLICY",
            help="How disputed territories resolve: un-recognition, un-membership, de-facto-control, ignore, "
            "or the path of a policy .tsv",
        ),
    ] = "un-recognition",
) -> None:
    """Tag articles: countries, leaders, organisations and the tone of every country pair.

    Prints one JSON line per article, in input order. A bad record gets a one-line error on stderr naming its line;
    the rest is still processed, and the exit status is 1 if any record failed.
    """
    from dyadwatch.processors.analysis import default_analyzer
    from dyadwatch.processors.article import ArticleError, decode_article, split_records, utcnow

    try:
        analyzer = default_analyzer(None, territory_policy)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    failures = 0
    now = utcnow()
    stream: BinaryIO = sys.stdin.buffer if file is None or str(file) == "-" else file.open("rb")
    table_rows: list[Any] = []
    with stream:
        for number, raw in split_records(stream.read()):
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


app.command("eval")(cli_quality.evaluate)
app.command("eval-external")(cli_quality.evaluate_external)
app.command("eval-lexicon")(cli_quality.evaluate_lexicon)
app.command("train")(cli_quality.train)


# -- the streaming pipeline -------------------------------------------------------------------------------------

BrokerOpt = Annotated[
    str | None, typer.Option("--broker", help="Kafka bootstrap servers, host:port[,host:port] [env: DYADWATCH_BROKER]")
]


def _settings(**overrides: Any):
    from dyadwatch.streams.settings import Settings

    try:
        return Settings.from_env(**overrides)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def broker(
    port: Annotated[int | None, typer.Option(help="Port on 127.0.0.1 (default: a free one).")] = None,
) -> None:
    """Run the embedded Kafka-compatible broker (Tansu, in memory) in the foreground; Ctrl-C stops it."""
    import signal
    import threading

    from dyadwatch.streams.broker import EmbeddedBroker

    embedded = EmbeddedBroker(port=port)
    url = embedded.start()
    typer.echo(f"broker ready at {url}   (export DYADWATCH_BROKER={url})", err=True)
    typer.echo(url)
    sys.stdout.flush()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.is_set() and embedded.process and embedded.process.poll() is None:
            stop.wait(0.5)
    finally:
        embedded.stop()


@app.command()
def worker(
    broker_url: BrokerOpt = None,
    web_port: Annotated[int | None, typer.Option("--web-port", help="Port of the worker's HTTP server.")] = None,
    workdir: Annotated[Path | None, typer.Option(help="Directory for the worker's local state.")] = None,
    loglevel: Annotated[str, typer.Option(help="debug, info, warning, error")] = "info",
) -> None:
    """Run a pipeline worker: creates the topics if needed, then tags articles and aggregates dyad windows."""
    import faust

    from dyadwatch.streams.app import create_app
    from dyadwatch.streams.heap import fix_allocator
    from dyadwatch.streams.kafka_io import BrokerUnavailable, check_partitions, ensure_topics

    fix_allocator()  # before any client starts a thread
    settings = _settings(broker=broker_url, web_port=web_port, workdir=workdir)
    settings.workdir.mkdir(parents=True, exist_ok=True)
    try:
        created = ensure_topics(settings)
        check_partitions(settings)
    except (BrokerUnavailable, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if created:
        typer.echo(f"created topics: {', '.join(created)}", err=True)
    pipeline = create_app(settings)
    faust.Worker(pipeline, loglevel=loglevel, workdir=str(settings.workdir)).execute_from_commandline()


@app.command()
def produce(
    files: Annotated[list[Path], typer.Argument(help="JSON lines (.jsonl/.json) or CSV (.csv) files of articles.")],
    broker_url: BrokerOpt = None,
    rate: Annotated[float | None, typer.Option(help="Articles per second (default: as fast as possible).")] = None,
    timestamp: Annotated[
        str, typer.Option(help="Record timestamp = arrival time: 'now', or 'published' to replay history.")
    ] = "now",
    published_at: Annotated[
        str | None, typer.Option(help="published_at for CSV rows without one (e.g. AG News: 2004-11-01).")
    ] = None,
) -> None:
    """Publish articles to the input topic, as they are (bad records included: the worker dead-letters them)."""
    from dyadwatch.streams.kafka_io import BrokerUnavailable, ensure_topics
    from dyadwatch.streams.producing import publish

    if timestamp not in {"now", "published"}:
        typer.echo("error: --timestamp must be 'now' or 'published'", err=True)
        raise typer.Exit(2)
    settings = _settings(broker=broker_url)
    try:
        ensure_topics(settings)
        sent = publish(settings, files, rate=rate, timestamp=timestamp, published_at=published_at)
    except (BrokerUnavailable, FileNotFoundError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"sent {sent} records to {settings.topic('articles')}", err=True)


@app.command()
def consume(
    topic: Annotated[str, typer.Argument(help="Topic, with or without the prefix: dyads.windows, articles.dlq ...")],
    broker_url: BrokerOpt = None,
    from_beginning: Annotated[bool, typer.Option("--from-beginning", help="Start at the oldest record.")] = False,
    idle_timeout: Annotated[float, typer.Option(help="Exit after this many seconds without a record.")] = 10.0,
    meta: Annotated[bool, typer.Option("--meta", help="Wrap each value with topic/partition/offset/key.")] = False,
) -> None:
    """Print a topic's records as JSON lines; exits after --idle-timeout seconds without a new record.

    TOPIC is read as named when it exists (e.g. a replay's review-1.mentions), else with the configured prefix
    (mentions -> dyadwatch.mentions). A topic that does not exist is an error; consume never creates one."""
    import base64

    from dyadwatch.streams.kafka_io import BrokerUnavailable, consumer, existing_topics, resolve_topic

    settings = _settings(broker=broker_url)
    try:
        existing = existing_topics(settings)
        name = resolve_topic(topic, settings, existing)
        if name is None:
            tried = " or ".join(sorted({topic, settings.topic(topic)}))
            typer.echo(f"error: no topic {tried} on the broker (it has: {', '.join(sorted(existing)) or 'none'})",
                       err=True)  # fmt: skip
            raise typer.Exit(2)
        records = consumer(settings, name, from_beginning=from_beginning, idle_timeout=idle_timeout)
    except BrokerUnavailable as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    out = sys.stdout.buffer
    try:
        for record in records:
            try:
                value: Any = orjson.loads(record.value) if record.value is not None else None
            except orjson.JSONDecodeError:
                value = {"value_b64": base64.b64encode(record.value).decode()}
            if meta:
                key = record.key.decode("utf-8", "replace") if record.key is not None else None
                value = {"topic": record.topic, "partition": record.partition, "offset": record.offset,
                         "timestamp": record.timestamp / 1000, "key": key, "value": value}  # fmt: skip
            out.write(orjson.dumps(value) + b"\n")
            out.flush()
    except KeyboardInterrupt:
        pass
    finally:
        records.close()


@app.command("update-gazetteer")
def update_gazetteer(
    files: Annotated[
        list[Path], typer.Argument(help="JSON lines of gazetteer updates (see processors/gazetteer_updates.py).")
    ],
    broker_url: BrokerOpt = None,
    withdraw: Annotated[list[str] | None, typer.Option(help="Withdraw the update with this id (repeatable).")] = None,
) -> None:
    """Publish gazetteer updates (new or ended leader terms, aliases, blocked phrases); running workers apply them
    within a second, without a restart. Every update is checked first; nothing is sent if one is invalid."""
    from dyadwatch.processors.article import split_records
    from dyadwatch.processors.gazetteer import load_gazetteer
    from dyadwatch.processors.gazetteer_updates import GazetteerUpdateError, apply_updates
    from dyadwatch.streams.kafka_io import BrokerUnavailable, ensure_topics, producer, read_to_end

    settings = _settings(broker=broker_url)
    topic = settings.gazetteer_topic or settings.topic("gazetteer")
    try:
        updates = [orjson.loads(raw) for path in files for _, raw in split_records(path.read_bytes())]
        for update in updates:
            if not isinstance(update, dict) or not update.get("id"):
                raise GazetteerUpdateError(f"every update needs an 'id': {str(update)[:80]}")
        ensure_topics(settings)
        current = {r.key.decode(): orjson.loads(r.value) for r in read_to_end(settings, topic, full_name=True)
                   if r.key and r.value}  # fmt: skip
        for update in updates:
            current.pop(update["id"], None)
            current[update["id"]] = update
        for update_id in withdraw or []:
            current.pop(update_id, None)
        apply_updates(load_gazetteer(), list(current.values()))
        sender = producer(settings)
        for update in updates:
            sender.send(topic, key=update["id"].encode(), value=orjson.dumps(update))
        for update_id in withdraw or []:
            sender.send(topic, key=update_id.encode(), value=None)
        sender.flush()
        sender.close()
    except (GazetteerUpdateError, orjson.JSONDecodeError, FileNotFoundError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except BrokerUnavailable as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"published {len(updates)} update(s), withdrew {len(withdraw or [])} on {topic}", err=True)


@app.command()
def replay(
    to_prefix: Annotated[str, typer.Option("--to-prefix", help="Topic prefix of the fresh outputs, e.g. review-1.")],
    since: Annotated[
        str,
        typer.Option(
            "--from",
            help="First input record to reprocess, by Kafka timestamp: ISO "
            "8601 (2026-11-01T00:00:00Z) or epoch seconds.",
        ),
    ],
    broker_url: BrokerOpt = None,
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds.")] = 1800,
) -> None:
    """Reprocess retained input with the current code and dictionaries into a fresh set of output topics
    (<to-prefix>.mentions, .dyads.windows ...), to compare side by side with the live output."""
    from dyadwatch.streams.kafka_io import BrokerUnavailable
    from dyadwatch.streams.replay import ReplayError, parse_since
    from dyadwatch.streams.replay import replay as run_replay

    settings = _settings(broker=broker_url)
    try:
        summary = run_replay(settings, to_prefix, parse_since(since), timeout=timeout)
    except (ReplayError, BrokerUnavailable, TimeoutError, RuntimeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(orjson.dumps(summary).decode())


@app.command()
def demo(
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep the broker and worker running after the replay.")
    ] = False,
    rate: Annotated[float, typer.Option(help="Articles per second to replay.")] = 12.0,
) -> None:
    """Start an embedded broker and a worker, replay the sample feed with a live table of dyads, then summarise."""
    from dyadwatch.streams.demo import run_demo

    raise typer.Exit(run_demo(follow=follow, rate=rate))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
