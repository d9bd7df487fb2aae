"""The pipeline through the real embedded broker: happy path, duplicates, late data, bad input, SIGKILL and restart,
two workers. Workers are real `dyadwatch worker` processes."""

from __future__ import annotations

import base64
import hashlib
import random
import signal
from collections import Counter
from pathlib import Path

import orjson
import pytest

from tests.integration.conftest import feed
from tests.integration.harness import Pipeline, wait_until, window_differences
from tests.integration.oracle import expected_windows, oracle_differences

pytestmark = pytest.mark.integration

DAY_MS = 86_400_000
ARTICLES = 1200
DAYS = 8  # the sample feed's planted turn (ARG-BRA hostile from day 7) falls inside


@pytest.fixture(scope="module")
def expected() -> dict[str, tuple[int, float]]:
    """The windows of the test feed computed without a worker (tests/integration/oracle.py)."""
    return expected_windows(feed(ARTICLES, days=DAYS))


@pytest.fixture(scope="module")
def reference(broker: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Final windows of one uninterrupted worker over the test feed (compared against below)."""
    pipeline = Pipeline(broker, "reference", tmp_path_factory.mktemp("reference"))
    try:
        pipeline.wait_ready(pipeline.start_worker())
        pipeline.produce(feed(ARTICLES, days=DAYS))
        pipeline.wait_settled(ARTICLES)
        return pipeline.final_windows()
    finally:
        pipeline.stop()


def test_happy_path(broker: str, reference: dict[str, dict], expected: dict) -> None:
    differences = oracle_differences(reference, expected)  # every window's count and mean, from the input alone
    assert not differences, differences
    by_pair = Counter(value["pair"] for value in reference.values() if value["window"] == "1d")
    assert len(by_pair) >= 20
    for value in reference.values():
        assert value["a"] < value["b"] and value["articles"] >= 1 and -1 <= value["mean"] <= 1
        assert value["positive"] + value["negative"] + value["neutral"] == value["articles"]
        assert 0 <= value["a_to_b_articles"] <= value["articles"] and 0 <= value["b_to_a_articles"] <= value["articles"]
        assert {"gazetteer", "lexicon", "territory_policy", "code"} <= set(value["versions"])  # provenance
    directed = [v for v in reference.values() if v["a_to_b_articles"] or v["b_to_a_articles"]]
    assert len(directed) > len(reference) / 2, "directed tone missing from most windows"
    # The planted turn in the sample feed: ARG-BRA is friendly for six days and hostile from the seventh.
    days = {v["window_start"][:10]: v["mean"] for v in reference.values() if v["key"].startswith("ARG-BRA|1d|")}
    before, after = (
        [days[d] for d in sorted(days) if d < "2026-11-07"],
        [days[d] for d in sorted(days) if d >= "2026-11-07"],
    )
    assert before and after and min(before) > 0 and max(after) < 0, days


def test_duplicates_and_redelivered_ids_count_once(broker: str, tmp_path: Path) -> None:
    pipeline = Pipeline(broker, "dupes", tmp_path)
    records = feed(150, seed=5)
    try:
        pipeline.wait_ready(pipeline.start_worker())
        pipeline.produce(records + records[:60])  # the same articles produced twice
        wait_until(lambda: len(pipeline.read("mentions", idle=1.0)) >= 210, 90, "all mentions")
        pipeline.wait_settled(150)
        once = Pipeline(broker, "dupes-once", tmp_path)
        try:
            once.wait_ready(once.start_worker())
            once.produce(records)
            once.wait_settled(150)
            twice, single = pipeline.final_windows(), once.final_windows()
            diff = {k: (twice.get(k), single.get(k)) for k in set(twice) | set(single) if twice.get(k) != single.get(k)}
            assert not diff, [(k, a, b) for k, (a, b) in diff.items() if a and b][:2] or list(diff)[:5]
        finally:
            once.stop()
    finally:
        pipeline.stop()


def test_sigkill_mid_stream_then_restart_ends_identical(broker: str, reference: dict, tmp_path: Path) -> None:
    pipeline = Pipeline(broker, "sigkill", tmp_path)
    try:
        first = pipeline.start_worker()
        pipeline.wait_ready(first)
        records = feed(ARTICLES, days=DAYS)
        pipeline.produce(records[: ARTICLES // 2])
        wait_until(lambda: len(pipeline.read("mentions", idle=0.5)) >= ARTICLES // 8, 60, "processing under way")
        pipeline.kill(first, signal.SIGKILL)  # mid-stream: tables, commits and outputs are cut wherever they are
        pipeline.produce(records[ARTICLES // 2 :])
        second = pipeline.start_worker()
        pipeline.wait_ready(second, timeout=120)
        pipeline.wait_settled(ARTICLES, timeout=180, after_sigkill=True)
        differences = window_differences(pipeline.final_windows(), reference)
        assert not differences, differences
        assert not oracle_differences(pipeline.final_windows(), expected_windows(records))  # the input's own count
    finally:
        pipeline.stop()


def test_two_workers_split_partitions_and_match_one(broker: str, reference: dict, tmp_path: Path) -> None:
    pipeline = Pipeline(broker, "two", tmp_path)
    try:
        workers = [pipeline.start_worker(), pipeline.start_worker()]
        for worker in workers:
            pipeline.wait_ready(worker, timeout=120)
        pipeline.produce(feed(ARTICLES, days=DAYS))
        pipeline.wait_settled(ARTICLES, timeout=180)
        differences = window_differences(pipeline.final_windows(), reference)
        assert not differences, differences
        assert all(worker.poll() is None for worker in workers)
        assert pipeline.log_text().count("Worker]: Ready") >= 2
    finally:
        pipeline.stop()


def test_late_articles_inside_lateness_count_older_ones_are_dead_lettered(broker: str, tmp_path: Path) -> None:
    pipeline = Pipeline(broker, "late", tmp_path, lateness="6h")
    base = feed(40, days=2, seed=9)
    late_ok, too_late = base[:5], base[5:10]
    records = [(k, v, t + 3_600_000) for k, v, t in late_ok]  # arrived an hour after publication: counted
    records += [(k, v, t + 2 * DAY_MS) for k, v, t in too_late]  # two days after: too late
    records += base[10:]
    try:
        pipeline.wait_ready(pipeline.start_worker())
        pipeline.produce(records)
        pipeline.wait_settled(len(records))
        dead = pipeline.values("articles.dlq")
        assert sorted(v["article_id"] for v in dead) == sorted(orjson.loads(v)["id"] for _, v, _ in too_late)
        assert {v["reason"] for v in dead} == {"too_late"}
        assert 'dyadwatch_articles_dead_lettered_total{reason="too_late"} 5.0' in pipeline.metrics()
        tagged = {r.key for r in pipeline.read("mentions")}
        assert {k for k, _, _ in late_ok} <= tagged
    finally:
        pipeline.stop()


@pytest.mark.parametrize("idle_timeout", ["0", "2"])
def test_a_silent_input_partition_holds_windows_open_unless_idle_timeout(
    broker: str, tmp_path: Path, idle_timeout: str
) -> None:
    pipeline = Pipeline(broker, f"idle{idle_timeout}", tmp_path, idle_timeout=idle_timeout)
    records = feed(160, days=4, seed=13)
    try:
        pipeline.wait_ready(pipeline.start_worker())
        pipeline.produce(records, partition=0)  # partitions 1-3 get nothing
        pipeline.wait_settled(len(records))
        finals = [v for v in pipeline.final_windows().values() if v["final"]]
        if idle_timeout == "0":
            assert not finals  # the silent partitions' progress stays at 0: no window can close
            return
        assert len(finals) >= 10, "windows did not close while partitions 1-3 were idle"
        assert "idle for" in pipeline.log_text()
        # A partition that sends again counts again: its articles are tagged and their windows updated.
        _, newest, stamp = max(records, key=lambda record: record[2] or 0)
        published = orjson.loads(newest)["published_at"]  # arriving with the newest: inside still-open windows
        resumed = [(b"resumed-" + k, orjson.dumps({**orjson.loads(v), "id": f"resumed-{k.decode()}",
                    "published_at": published}), stamp) for k, v, _ in feed(8, days=1, seed=14)]  # fmt: skip
        before = sum(v["articles"] for v in pipeline.final_windows().values())
        pipeline.produce(resumed, partition=2)
        pipeline.wait_settled(len(records) + len(resumed))
        assert sum(v["articles"] for v in pipeline.final_windows().values()) > before
    finally:
        pipeline.stop()


def bad_records() -> list[tuple[bytes, str]]:
    """(value, expected reason): at least twenty kinds of bad input."""
    good = {"id": "x", "title": "Talks", "body": "India and Pakistan held talks on trade and water.",
            "published_at": "2026-11-02T10:00:00Z"}  # fmt: skip

    def with_(**changes: object) -> bytes:
        record = {**good, **changes, "id": changes.get("id", f"bad-{len(changes)}-{random.random()}")}
        return orjson.dumps({k: v for k, v in record.items() if v is not ...})

    return [
        (b"{not json", "invalid_json"),
        (b"", "invalid_json"),
        (b"\xff\xfe\xfd invalid utf-8", "invalid_encoding"),
        (b"\x80\x81" + bytes(random.Random(1).randrange(256) for _ in range(200)), "invalid_encoding"),
        (b"[1, 2, 3]", "not_an_object"),
        (b'"just a string"', "not_an_object"),
        (b"null", "not_an_object"),
        (b"42", "not_an_object"),
        (with_(id=...), "missing_field"),
        (with_(body=...), "missing_field"),
        (with_(published_at=...), "missing_field"),
        (orjson.dumps({**good, "id": 12345}), "wrong_type"),
        (with_(body=["a", "list"]), "wrong_type"),
        (with_(title={"an": "object"}), "wrong_type"),
        (with_(published_at=1762077600), "wrong_type"),
        (with_(id=""), "missing_field"),
        (with_(body=""), "empty_text"),
        (with_(body="  \n\t  "), "empty_text"),
        (with_(body="<p></p><br/>"), "empty_text"),
        (with_(body="India and Pakistan. " * 20000), "too_large"),
        (with_(published_at="yesterday"), "bad_date"),
        (with_(published_at="2026-02-30T00:00:00Z"), "bad_date"),
        (with_(published_at="2031-01-01T00:00:00Z"), "future_date"),
        (
            with_(
                body="La reunión entre los dos gobiernos terminó sin acuerdo y los ministros volverán a reunirse "
                "la próxima semana en la capital para seguir con las negociaciones."
            ),
            "non_english",
        ),
        (with_(language="fr"), "non_english"),
        (with_(body="Президенты двух стран встретились в столице и подписали соглашение о торговле."), "non_english"),
    ]


def test_bad_input_is_dead_lettered_with_reasons_and_nothing_is_lost(broker: str, tmp_path: Path) -> None:
    pipeline = Pipeline(broker, "bad", tmp_path)
    bad = bad_records()
    assert len({reason for _, reason in bad}) >= 10 and len(bad) >= 20
    arrival = 1_793_613_600_000  # 2026-11-02T10:00Z, when the well-formed records were published
    good = feed(30, seed=11)
    endless = {
        "id": "endless",
        "title": "Turkey and Pakistan",
        "published_at": "2026-11-02T09:00:00Z",
        "body": "Turkey praised Pakistan for its help. " * 1500,
    }  # under the byte limit, over the sentence cap
    good.append((b"endless", orjson.dumps(endless), arrival))
    records = [(None, value, arrival) for value, _ in bad] + good
    random.Random(2).shuffle(records)
    try:
        worker = pipeline.start_worker()
        pipeline.wait_ready(worker)
        pipeline.produce(records)
        pipeline.wait_settled(len(records))
        dead = pipeline.values("articles.dlq")
        assert Counter(v["reason"] for v in dead) == Counter(reason for _, reason in bad)
        originals = {v["original_sha256"]: v for v in dead}
        for value, reason in bad:
            letter = originals[hashlib.sha256(value).hexdigest()]
            assert letter["reason"] == reason and letter["original_bytes"] == len(value)
            assert base64.b64decode(letter["original_b64"]) == value[: pipeline.settings.dead_letter_original_bytes]
        tagged = {r.key for r in pipeline.read("mentions")}
        assert len(tagged) == len(good)
        assert pipeline.accounted() == len(records)  # articles in = tagged + dead-lettered
        assert worker.poll() is None, "the worker stopped"
        for value in dead:
            assert value["message"] and value["topic"].endswith(".articles") and value["schema"] == "dead-letter.v1"
        exposition = pipeline.metrics()
        assert f"dyadwatch_articles_received_total {float(len(records))}" in exposition
        assert f"dyadwatch_articles_tagged_total {float(len(good))}" in exposition
        assert 'dyadwatch_articles_dead_lettered_total{reason="too_large"} 1.0' in exposition
        assert 'dyadwatch_articles_truncated_total{limit="sentences"} 1.0' in exposition
        cut = [orjson.loads(r.value) for r in pipeline.read("mentions") if r.key == b"endless"]
        assert cut and cut[0]["truncated"] == "sentences" and cut[0]["countries"].keys() == {"PAK", "TUR"}
    finally:
        pipeline.stop()
