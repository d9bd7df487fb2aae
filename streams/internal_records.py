"""Reading values of the internal dyads topic defensively: a value the worker did not write (or a bug wrote) is
skipped with a reason from metrics.INTERNAL_REASONS, counted and logged, and never stops the aggregation."""

from __future__ import annotations

from typing import Any

import orjson

# Fields a dyad score needs, and the types they must have (schemas/dyad.v1.json).
_SCORE_FIELDS: dict[str, tuple[type, ...]] = {
    "pair": (str,),
    "sentiment": (int, float),
    "sentences": (int,),
    "published_at": (str,),
    "article_id": (str,),
    "arrived_at": (int, float),
    "source_partition": (int,),
}
_WATERMARK_FIELDS: dict[str, tuple[type, ...]] = {"watermark": (int, float), "source_partition": (int,)}


class SkippedRecord(ValueError):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def read_dyads_value(raw: bytes) -> dict[str, Any]:
    """A dyads value (a score, or a watermark announcement) as a dict; SkippedRecord(reason) when it is not one."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise SkippedRecord("invalid_json", f"not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise SkippedRecord("not_an_object", f"a JSON {type(value).__name__}, not an object")
    for name, types in (_SCORE_FIELDS if "pair" in value else _WATERMARK_FIELDS).items():
        if name not in value:
            raise SkippedRecord("missing_field", f"field {name!r} is missing")
        if not isinstance(value[name], types) or isinstance(value[name], bool):
            raise SkippedRecord("wrong_type", f"field {name!r} is a {type(value[name]).__name__}")
    return value
