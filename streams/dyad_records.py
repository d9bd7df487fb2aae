"""The values of the internal dyads topic (schemas/dyad.v1.json), defined once: the tagging stage writes them with
`score` and `watermark`, the aggregation stage reads them with `read` (which skips, with a reason, any value a
worker did not write). The definitions are schemas/contracts.py's."""

from typing import Any, get_type_hints

import orjson

from dyadwatch.schemas.contracts import DyadScore, MentionsV1, Watermark


def score(dyad: dict[str, Any], mentions: MentionsV1, arrived_at: float, source_partition: int) -> DyadScore:
    """The dyads value of one related pair of a tagged article (`mentions`: the analyzer's result, with versions)."""
    strongest = max(dyad["evidence"], key=lambda e: abs(e["score"]), default={"text": ""})
    ways = {(d["source"], d["target"]): d["sentiment"] for d in dyad.get("directed", ())}
    return {
        "pair": dyad["pair"], "a": dyad["a"], "b": dyad["b"], "sentiment": dyad["sentiment"],
        "sentences": dyad["sentences"], "published_at": mentions["published_at"], "article_id": mentions["id"],
        "arrived_at": arrived_at, "source_partition": source_partition, "evidence": strongest["text"],
        "a_to_b": ways.get((dyad["a"], dyad["b"])), "b_to_a": ways.get((dyad["b"], dyad["a"])),
        "versions": mentions["versions"],
    }  # fmt: skip


def watermark(arrival: float, source_partition: int, idle: bool = False) -> Watermark:
    marker: Watermark = {"watermark": arrival, "source_partition": source_partition}
    if idle:
        marker["idle"] = True
    return marker


class SkippedRecord(ValueError):
    """A dyads value that is not a score or a watermark; `reason` is one of metrics.INTERNAL_REASONS."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _required(definition: Any) -> dict[str, tuple[type, ...]]:
    """The fields a reader needs, with the types they may have: the definition's required keys (a float may be
    written as an int)."""
    hints = get_type_hints(definition)  # in declaration order: a bad value gets the same reason every run
    return {
        name: (int, float) if hint is float else (hint,)
        for name, hint in hints.items()
        if name in definition.__required_keys__
    }


_REQUIRED = {"score": _required(DyadScore), "watermark": _required(Watermark)}


def read(raw: bytes) -> DyadScore | Watermark:
    """A dyads value as written by a worker; SkippedRecord(reason) when it is not one."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise SkippedRecord("invalid_json", f"not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise SkippedRecord("not_an_object", f"a JSON {type(value).__name__}, not an object")
    for name, types in _REQUIRED["score" if "pair" in value else "watermark"].items():
        if name not in value:
            raise SkippedRecord("missing_field", f"field {name!r} is missing")
        if not isinstance(value[name], types) or isinstance(value[name], bool):
            raise SkippedRecord("wrong_type", f"field {name!r} is a {type(value[name]).__name__}")
    return value  # type: ignore[return-value]
