"""Oversize articles end on the dead-letter topic, truncated with their length and hash, and the worker keeps going:
in = tagged + dead-lettered holds on the topics, and the topic's count equals the dead-letter metric."""

from __future__ import annotations

import base64
import hashlib
import json

import orjson
from jsonschema import Draft202012Validator
from kafka import KafkaProducer

from dyadwatch.streams.kafka_io import connect
from tests.integration.conftest import feed
from tests.integration.harness import ROOT, Pipeline, cli

KEEP = 64 * 1024  # the dead letters' original kept, at most (set below the default to keep the test light)


def article_of_size(size: int, name: str) -> bytes:
    """A well-formed article whose JSON value is exactly `size` bytes."""
    head = orjson.dumps({"id": name, "title": "Big", "published_at": "2026-11-02T09:00:00Z", "body": ""})
    filler = "India and Pakistan held talks. "
    body = (filler * (size // len(filler) + 1))[: size - len(head)]
    value = orjson.dumps({"id": name, "title": "Big", "published_at": "2026-11-02T09:00:00Z", "body": body})
    assert len(value) == size
    return value


def test_oversize_articles_are_dead_lettered_truncated_and_nothing_is_lost(broker: str, tmp_path) -> None:
    pipeline = Pipeline(broker, "oversize", tmp_path, dead_letter_original_bytes=str(KEEP))
    largest = pipeline.settings.max_record_bytes - 512  # what the producer's size limit lets through
    big = {
        "big-300k": article_of_size(300_000, "big-300k"),
        "big-1m": article_of_size(1_040_126, "big-1m"),
        "big-largest": article_of_size(largest, "big-largest"),
    }
    huge = article_of_size(4 * 1024 * 1024, "big-4m")  # over the limit of our producer, not of every broker's
    good = feed(20, seed=5)
    try:
        worker = pipeline.start_worker()
        pipeline.wait_ready(worker)
        pipeline.produce(good[:10])
        feed_file = tmp_path / "big.jsonl"
        feed_file.write_bytes(b"\n".join(big.values()) + b"\n")
        produced = cli(pipeline.env, "produce", str(feed_file))
        assert produced.returncode == 0, produced.stderr
        sender = connect(pipeline.settings, KafkaProducer, max_request_size=8 * 1024 * 1024)
        sender.send(pipeline.settings.topic("articles"), key=b"big-4m", value=huge).get(timeout=30)
        sender.close()
        pipeline.produce(good[10:])
        total = len(good) + len(big) + 1
        pipeline.wait_settled(total)

        assert pipeline.accounted() == total  # on the topics: every record in is tagged or dead-lettered
        assert worker.poll() is None, "the worker stopped"
        assert "Crashed" not in pipeline.log_text()
        dead = pipeline.values("articles.dlq")
        schema = json.loads((ROOT / "schemas" / "dead-letter.v1.json").read_text())
        for value in dead:
            Draft202012Validator(schema).validate(value)
        originals = {**big, "big-4m": huge}
        assert sorted(v["original_bytes"] for v in dead) == sorted(map(len, originals.values()))
        for value in dead:
            original = next(o for o in originals.values() if len(o) == value["original_bytes"])
            assert value["reason"] == "too_large" and value["truncated"] is True
            assert value["original_sha256"] == hashlib.sha256(original).hexdigest()
            assert base64.b64decode(value["original_b64"]) == original[:KEEP]
        exposition = pipeline.metrics()
        assert f'dyadwatch_articles_dead_lettered_total{{reason="too_large"}} {float(len(dead))}' in exposition
        assert "dyadwatch_dead_letters_minimal_total 0.0" in exposition
    finally:
        pipeline.stop()


def test_unreadable_internal_records_are_skipped_counted_and_the_worker_goes_on(broker: str, tmp_path) -> None:
    pipeline = Pipeline(broker, "internal", tmp_path)
    poison_dyads = [b"{broken", b"[1]", b'{"watermark": 1}', b'{"pair": "IND-PAK", "source_partition": 0}']
    poison_gazetteer = [b"{broken", b"42"]
    good = feed(12, seed=8)
    try:
        worker = pipeline.start_worker()
        pipeline.wait_ready(worker)
        sender = connect(pipeline.settings, KafkaProducer)
        for value in poison_dyads:
            sender.send(pipeline.settings.topic("dyads"), value=value, partition=0)
        for value in poison_gazetteer:
            sender.send(pipeline.settings.topic("gazetteer"), key=b"bad", value=value)
        sender.flush()
        sender.close()
        pipeline.produce(good)
        pipeline.wait_settled(len(good))
        assert worker.poll() is None, "the worker stopped"
        assert len({r.key for r in pipeline.read("mentions")}) == len(good)
        assert pipeline.final_windows(), "no window came out"
        exposition = pipeline.metrics()
        expected = {("dyads", "invalid_json"): 1, ("dyads", "not_an_object"): 1, ("dyads", "missing_field"): 2,
                    ("gazetteer", "invalid_json"): 1, ("gazetteer", "not_an_object"): 1}  # fmt: skip
        for (topic, reason), count in expected.items():
            sample = f'dyadwatch_internal_records_skipped_total{{reason="{reason}",topic="{topic}"}} {float(count)}'
            assert sample in exposition, sample
    finally:
        pipeline.stop()
