"""`dyadwatch produce`: read article files and publish them to the input topic, records as they are."""

from __future__ import annotations

import csv
import io
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson

from dyadwatch.processors.article import split_records
from dyadwatch.processors.instants import epoch_of
from dyadwatch.streams.kafka_io import producer
from dyadwatch.streams.settings import Settings


def read_records(path: Path, published_at: str | None = None) -> Iterator[bytes]:
    """Raw article records of a file: JSON lines, a JSON array, one JSON document, or CSV (header
    id,title,body,published_at, or the headerless AG News layout class,title,description with --published-at)."""
    data = path.read_bytes()
    if path.suffix.lower() == ".csv":
        yield from _csv_records(path, data, published_at)
        return
    for _, raw in split_records(data):  # broken records are sent as they are: the worker says what is wrong
        yield raw


def _csv_records(path: Path, data: bytes, published_at: str | None) -> Iterator[bytes]:
    rows = csv.reader(io.StringIO(data.decode("utf-8", "replace")))
    header = next(rows, None)
    if header and {"id", "body"} <= set(header):
        for row in rows:
            yield orjson.dumps(dict(zip(header, row, strict=False)))
        return
    if published_at is None:
        raise ValueError(f"{path}: a CSV without an id,title,body,published_at header needs --published-at")
    for index, row in enumerate([header, *rows] if header else rows):
        if row and len(row) >= 3:
            yield orjson.dumps(
                {"id": f"{path.stem}:{index}", "title": row[1], "body": row[2], "published_at": published_at}
            )


def _key_and_time(raw: bytes) -> tuple[bytes | None, int | None]:
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None, None
    if not isinstance(obj, dict):
        return None, None
    key = obj["id"].encode()[:512] if isinstance(obj.get("id"), str) else None
    try:
        stamp = int(epoch_of(obj["published_at"]) * 1000)
    except (KeyError, TypeError, ValueError, AttributeError):
        stamp = None
    return key, stamp


def publish(
    settings: Settings,
    files: list[Path],
    *,
    rate: float | None = None,
    timestamp: str = "now",
    published_at: str | None = None,
    progress: bool | None = None,
) -> int:
    """Send every record of `files`; with timestamp="published" the record timestamp (arrival time) is the
    article's published_at, which replays a historical feed as if it arrived live. Returns the count sent."""
    for path in files:
        if not path.exists():
            raise FileNotFoundError(f"{path} does not exist")
    records = [raw for path in files for raw in read_records(path, published_at)]
    client = producer(settings)
    topic = settings.topic("articles")
    show = sys.stderr.isatty() if progress is None else progress
    started = time.monotonic()
    try:
        if show:
            from rich.progress import Progress

            with Progress(transient=True) as bar:
                task = bar.add_task(f"producing to {topic}", total=len(records))
                for index, raw in enumerate(records):
                    _send(client, topic, raw, timestamp)
                    _pace(rate, index, started)
                    bar.advance(task)
        else:
            for index, raw in enumerate(records):
                _send(client, topic, raw, timestamp)
                _pace(rate, index, started)
        client.flush()
    finally:
        client.close()
    return len(records)


def _send(client, topic: str, raw: bytes, timestamp: str) -> None:
    key, published = _key_and_time(raw)
    client.send(topic, key=key, value=raw, timestamp_ms=published if timestamp == "published" else None)


def _pace(rate: float | None, index: int, started: float) -> None:
    if rate:
        delay = started + (index + 1) / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
