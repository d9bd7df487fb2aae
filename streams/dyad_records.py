"""The values of the internal dyads topic (schemas/dyad.v2.json), defined once: the tagging stage groups a batch's
scores by partition with `ScoreBatch` and `watermark`, the aggregation stage reads them with `read` (which also reads
dyad.v1 values, and skips, with a reason, any value a worker did not write). The definitions are
schemas/contracts.py's."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, get_type_hints

import orjson

from dyadwatch.schemas.contracts import DyadScore, DyadsV2, MentionsV1, Watermark
from dyadwatch.streams.partitioning import partition_for
from dyadwatch.streams.skipped import SkippedRecord


def score(dyad: dict[str, Any], mentions: MentionsV1, arrived_at: float, source_partition: int) -> DyadScore:
    """The score of one related pair of a tagged article (`mentions`: the analyzer's result)."""
    strongest = max(dyad["evidence"], key=lambda e: abs(e["score"]), default={"text": ""})
    ways = {(d["source"], d["target"]): d["sentiment"] for d in dyad.get("directed", ())}
    return {
        "pair": dyad["pair"], "a": dyad["a"], "b": dyad["b"], "sentiment": dyad["sentiment"],
        "sentences": dyad["sentences"], "published_at": mentions["published_at"], "article_id": mentions["id"],
        "arrived_at": arrived_at, "source_partition": source_partition, "evidence": strongest["text"],
        "a_to_b": ways.get((dyad["a"], dyad["b"])), "b_to_a": ways.get((dyad["b"], dyad["a"])),
    }  # fmt: skip


def watermark(arrival: float, source_partition: int, idle: bool = False) -> Watermark:
    marker: Watermark = {"watermark": arrival, "source_partition": source_partition}
    if idle:
        marker["idle"] = True
    return marker


@lru_cache(maxsize=1 << 16)  # about 40,000 pairs exist
def partition_of(pair: str, partitions: int) -> int:
    """The dyads partition of a pair: where Kafka's default partitioner puts the key `pair` (and so where dyad.v1
    workers put it: a pair's windows stay on their partition across the upgrade)."""
    return partition_for(pair.encode(), partitions)


def encode(scores: list[bytes], watermarks: list[Watermark], versions: dict[str, str] | None) -> bytes:
    """A dyad.v2 value from scores already encoded one by one."""
    tail = b"" if versions is None else b',"versions":' + orjson.dumps(versions)
    return b'{"scores":[' + b",".join(scores) + b'],"watermarks":' + orjson.dumps(watermarks) + tail + b"}"


class ScoreBatch:
    """The scores of the articles tagged since the last `take`, grouped by the partition their pair hashes to and
    encoded as they come. A group whose scores would pass `max_bytes`, or whose versions change (a live gazetteer
    update), is closed and a new one started; `max_bytes` leaves room for the envelope (versions, watermarks) under
    the producer's record limit."""

    def __init__(self, partitions: int, max_bytes: int) -> None:
        self.partitions = partitions
        self.max_bytes = max_bytes
        self.groups: dict[int, list[bytes]] = {}  # partition -> encoded scores
        self.sizes: dict[int, int] = {}  # partition -> bytes of its group so far
        self.versions: dict[str, str] | None = None  # of every score in the open groups
        self.closed: list[tuple[int, bytes]] = []  # (partition, value), in the order they were closed
        self.arrivals: dict[int, float] = {}  # input partition -> latest arrival of an article in the batch
        self.articles = 0

    def add_article(self, source_partition: int, arrived_at: float) -> None:
        self.articles += 1
        self.arrivals[source_partition] = max(self.arrivals.get(source_partition, 0.0), arrived_at)

    def add(self, value: DyadScore, versions: dict[str, str]) -> None:
        if versions != self.versions:
            self._close_all()
            self.versions = versions
        partition = partition_of(value["pair"], self.partitions)
        encoded = orjson.dumps(value)
        if self.sizes.get(partition, 0) + len(encoded) + 1 > self.max_bytes:
            self._close(partition)
        self.groups.setdefault(partition, []).append(encoded)
        self.sizes[partition] = self.sizes.get(partition, 0) + len(encoded) + 1

    def take(self, watermarks: list[Watermark]) -> list[tuple[int, bytes]]:
        """Every record of the batch, (partition, value) in the order to send them, the last one of each partition
        carrying `watermarks`; the batch is empty afterwards."""
        for partition, scores in self.groups.items():
            self.closed.append((partition, encode(scores, watermarks, self.versions)))
        records, self.closed = self.closed, []
        self.groups.clear()
        self.sizes.clear()
        self.arrivals.clear()
        self.articles = 0
        return records

    def _close(self, partition: int) -> None:
        self.closed.append((partition, encode(self.groups.pop(partition), [], self.versions)))
        del self.sizes[partition]

    def _close_all(self) -> None:
        for partition in list(self.groups):
            self._close(partition)


def _required(definition: Any) -> dict[str, tuple[type, ...]]:
    """The fields a reader needs, with the types they may have: the definition's required keys (a float may be
    written as an int)."""
    hints = get_type_hints(definition)  # in declaration order: a bad value gets the same reason every run
    return {
        name: (int, float) if hint is float else (list,) if getattr(hint, "__origin__", None) is list else (hint,)
        for name, hint in hints.items()
        if name in definition.__required_keys__
    }


_REQUIRED = {"batch": _required(DyadsV2), "score": _required(DyadScore), "watermark": _required(Watermark)}


def _check(value: Any, kind: str, where: str = "") -> None:
    if not isinstance(value, dict):
        raise SkippedRecord("not_an_object", f"{where}a JSON {type(value).__name__}, not an object")
    for name, types in _REQUIRED[kind].items():
        if name not in value:
            raise SkippedRecord("missing_field", f"{where}field {name!r} is missing")
        if not isinstance(value[name], types) or isinstance(value[name], bool):
            raise SkippedRecord("wrong_type", f"{where}field {name!r} is a {type(value[name]).__name__}")


def read(raw: bytes) -> DyadsV2:
    """A dyads value as written by a worker, a dyad.v1 score or watermark as one holding just that;
    SkippedRecord(reason) when it is none of these (the whole record is skipped: only a worker writes them)."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise SkippedRecord("invalid_json", f"not valid JSON: {exc}") from None
    if isinstance(value, dict) and "scores" in value:
        _check(value, "batch")
        for index, item in enumerate(value["scores"]):
            _check(item, "score", f"scores[{index}]: ")
        for index, item in enumerate(value["watermarks"]):
            _check(item, "watermark", f"watermarks[{index}]: ")
        return value  # type: ignore[return-value]
    kind = "score" if isinstance(value, dict) and "pair" in value else "watermark"
    _check(value, kind)
    if kind == "watermark":
        return {"scores": [], "watermarks": [value]}
    versions = value.pop("versions", None)
    single: DyadsV2 = {"scores": [value], "watermarks": []}
    if versions is not None:
        single["versions"] = versions
    return single
