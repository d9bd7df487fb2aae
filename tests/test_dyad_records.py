"""The dyads topic's values: a batch's scores grouped by partition as Kafka's partitioner would place their pairs,
kept under the size limit, read back as written; dyad.v1 values still read; anything else skipped with a reason."""

from __future__ import annotations

import json

import orjson
import pytest
from aiokafka.partitioner import DefaultPartitioner
from jsonschema import Draft202012Validator

from dyadwatch.streams import metrics
from dyadwatch.streams.dyad_records import ScoreBatch, encode, partition_of, read, watermark
from dyadwatch.streams.skipped import SkippedRecord
from tests.conftest import ROOT

V2 = Draft202012Validator(json.loads((ROOT / "schemas" / "dyad.v2.json").read_text()))
VERSIONS = {"gazetteer": "g1", "code": "c1"}
PAIRS = ["IND-PAK", "ARG-BRA", "CHN-USA", "FRA-DEU", "ISR-PSE", "JPN-KOR", "KEN-SOM", "RUS-UKR", "IRN-USA"]


def score(pair: str, article: str = "a", source: int = 0) -> dict:
    a, b = pair.split("-")
    return {"pair": pair, "a": a, "b": b, "sentiment": -0.5, "sentences": 1, "published_at": "2026-11-01T00:00:00Z",
            "article_id": article, "arrived_at": 1.0, "source_partition": source, "evidence": "x" * 200,
            "a_to_b": None, "b_to_a": -0.2}  # fmt: skip


def test_a_pair_goes_where_kafkas_default_partitioner_puts_its_key():
    partitioner = DefaultPartitioner()
    for partitions in (1, 3, 8, 12):
        for pair in PAIRS:
            expected = partitioner(pair.encode(), list(range(partitions)), list(range(partitions)))
            assert partition_of(pair, partitions) == expected


def test_a_batch_makes_one_record_per_partition_with_the_watermarks_on_the_last():
    batch = ScoreBatch(8, max_bytes=256 * 1024)
    for index, pair in enumerate(PAIRS * 3):
        batch.add_article(index % 2, 100.0 + index)
        batch.add(score(pair, f"a{index}", index % 2), VERSIONS)
    marks = [watermark(126.0, 0), watermark(125.0, 1)]
    records = batch.take(marks)
    partitions = [partition for partition, _ in records]
    assert sorted(partitions) == sorted({partition_of(pair, 8) for pair in PAIRS})  # one each
    scores = []
    for partition, raw in records:
        value = orjson.loads(raw)
        V2.validate(value)
        assert read(raw) == value  # what is written is what the reader accepts
        assert value["watermarks"] == marks and value["versions"] == VERSIONS
        assert {partition_of(item["pair"], 8) for item in value["scores"]} == {partition}
        scores += [item["article_id"] for item in value["scores"]]
    assert sorted(scores) == sorted(f"a{index}" for index in range(len(PAIRS) * 3))
    assert batch.take([]) == [] and batch.articles == 0 and not batch.arrivals


def test_a_group_near_the_size_limit_is_closed_and_a_new_one_started():
    batch = ScoreBatch(1, max_bytes=2_000)
    for index in range(20):
        batch.add(score("IND-PAK", f"a{index}"), VERSIONS)
    records = batch.take([watermark(5.0, 0)])
    assert len(records) > 1 and all(len(raw) <= 2_000 + 300 for _, raw in records)
    values = [orjson.loads(raw) for _, raw in records]
    assert [v["watermarks"] for v in values] == [[]] * (len(values) - 1) + [[watermark(5.0, 0)]]  # last one only
    assert [item["article_id"] for v in values for item in v["scores"]] == [f"a{index}" for index in range(20)]


def test_a_versions_change_within_a_batch_starts_new_records():
    batch = ScoreBatch(1, max_bytes=256 * 1024)
    batch.add(score("IND-PAK", "a1"), VERSIONS)
    batch.add(score("IND-PAK", "a2"), {**VERSIONS, "gazetteer": "g2"})
    values = [orjson.loads(raw) for _, raw in batch.take([])]
    assert [(v["versions"]["gazetteer"], [s["article_id"] for s in v["scores"]]) for v in values] == [
        ("g1", ["a1"]),
        ("g2", ["a2"]),
    ]


def test_a_record_of_watermarks_only_validates():
    raw = encode([], [watermark(5.0, 1, idle=True)], None)
    V2.validate(orjson.loads(raw))
    assert read(raw) == {"scores": [], "watermarks": [{"watermark": 5.0, "source_partition": 1, "idle": True}]}


def test_dyad_v1_values_are_read_as_a_batch_of_one():
    assert read(b'{"watermark": 5, "source_partition": 1, "idle": true}')["watermarks"][0]["idle"] is True
    old = {**score("IND-PAK"), "versions": VERSIONS}
    assert read(orjson.dumps(old)) == {"scores": [score("IND-PAK")], "watermarks": [], "versions": VERSIONS}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{broken", "invalid_json"),
        (b"[1, 2]", "not_an_object"),
        (b'{"watermark": 5}', "missing_field"),
        (b'{"watermark": "soon", "source_partition": 0}', "wrong_type"),
        (b'{"pair": "IND-PAK", "source_partition": 0}', "missing_field"),
        (orjson.dumps({**score("IND-PAK"), "sentiment": "bad"}), "wrong_type"),
        (b'{"watermark": 5, "source_partition": true}', "wrong_type"),
        (b'{"scores": [], "watermarks": 3}', "wrong_type"),
        (b'{"scores": {}}', "wrong_type"),
        (b'{"scores": [7], "watermarks": []}', "not_an_object"),
        (orjson.dumps({"scores": [score("IND-PAK"), {"pair": "IND-PAK"}], "watermarks": []}), "missing_field"),
        (orjson.dumps({"scores": [], "watermarks": [{"watermark": 5}]}), "missing_field"),
    ],
)
def test_unreadable_dyads_values_are_skipped_with_a_reason(raw, reason):
    with pytest.raises(SkippedRecord) as caught:
        read(raw)
    assert caught.value.reason == reason and reason in metrics.INTERNAL_REASONS
