from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from dyadwatch.streams.broker import EmbeddedBroker
from tests.integration.harness import ROOT

sys.path.insert(0, str(ROOT / "samples"))
from generate_feed import generate


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("broker") / "tansu.log"
    with EmbeddedBroker(log=log) as embedded:
        yield embedded.url


def feed(count: int, days: int = 4, seed: int = 3) -> list[tuple[bytes | None, bytes, int | None]]:
    """(key, value, timestamp_ms) of the project's synthetic stories, arriving when published."""
    stories = generate(count, days, seed, False, datetime(2026, 11, 1, tzinfo=UTC))
    records = []
    for story in stories:
        stamp = int(datetime.fromisoformat(story["published_at"].replace("Z", "+00:00")).timestamp() * 1000)
        records.append((story["id"].encode(), orjson.dumps(story), stamp))
    return records


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path
