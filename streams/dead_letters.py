"""The dead-letter path: an input record that cannot be tagged becomes one value on <prefix>.articles.dlq
(schemas/dead-letter.v1.json), of bounded size, and never crashes the agent that refuses it.

A value keeps the original whole when it is at most `keep_bytes` long, otherwise its first `keep_bytes` bytes,
flagged `truncated`; either way it names the original's length and SHA-256. If the broker still refuses the value,
a minimal one (reason, error, where the record was, its length and hash, no original bytes) is sent instead.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from dataclasses import dataclass
from typing import Any, Final

import orjson

from dyadwatch.processors.instants import now_instant
from dyadwatch.schemas.contracts import DeadLetterV1
from dyadwatch.streams import metrics

log = logging.getLogger("dyadwatch")

ENVELOPE_BYTES: Final = 8192  # a dead letter's fields besides the original, at most (message and id are capped)
# Larger dead letters wait for the broker's acknowledgement, so that one refused (by a broker whose record size limit
# is lower than ours) is replaced by its minimal form; smaller ones are not held up by the round trip.
CONFIRMED_BYTES: Final = 64 * 1024


def size_of(keep_bytes: int) -> int:
    """The largest dead-letter value that keeps `keep_bytes` of the original (base64 grows it by a third)."""
    return 4 * -(-keep_bytes // 3) + ENVELOPE_BYTES


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a refused record was read."""

    topic: str
    partition: int
    offset: int
    timestamp: float | None
    key: bytes | None

    @classmethod
    def of(cls, message: Any) -> Origin:
        key = message.key if isinstance(message.key, bytes) else None
        return cls(message.topic, message.partition, message.offset, message.timestamp, key)


def _article_id(raw: bytes) -> str | None:
    try:
        decoded = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if isinstance(decoded, dict) and isinstance(decoded.get("id"), str):
        return decoded["id"][:512]
    return None


def minimal(origin: Origin, raw: bytes, error: str, reason: str, message: str) -> DeadLetterV1:
    """The fields every dead letter has: what was wrong, where the record was, and what it was (length, hash)."""
    return {
        "schema": "dead-letter.v1",
        "reason": reason,
        "error": error,
        "message": message[:1000],
        "topic": origin.topic,
        "partition": origin.partition,
        "offset": origin.offset,
        "timestamp": origin.timestamp,
        "original_bytes": len(raw),
        "original_sha256": hashlib.sha256(raw).hexdigest(),
        "key_b64": None,
        "original_b64": "",
        "truncated": True,
        "article_id": None,
        "failed_at": now_instant(),
    }


def dead_letter(origin: Origin, raw: bytes, error: str, reason: str, message: str, keep_bytes: int) -> DeadLetterV1:
    """The full dead letter: the minimal fields plus the key, the article id when readable, and the original (its
    first `keep_bytes` bytes when longer)."""
    kept = raw[:keep_bytes]
    return {
        **minimal(origin, raw, error, reason, message),
        "key_b64": base64.b64encode(origin.key).decode() if origin.key is not None else None,
        "original_b64": base64.b64encode(kept).decode(),
        "truncated": len(kept) < len(raw),
        "article_id": _article_id(raw) if len(raw) <= keep_bytes else None,
    }


class DeadLetters:
    """Sends dead letters to one topic and counts them once the broker has them."""

    def __init__(self, topic: Any, keep_bytes: int) -> None:
        self.topic = topic
        self.keep_bytes = keep_bytes

    async def send(self, message: Any, raw: bytes | None, error: Exception, reason: str, text: str) -> None:
        origin, data = Origin.of(message), raw or b""
        full = dead_letter(origin, data, type(error).__name__, reason, text, self.keep_bytes)
        try:
            await self._deliver(origin, full)
        except Exception as exc:  # the broker refused the value (a lower size limit there, say): keep the identity
            log.warning("dead letter of %s/%s refused (%s); sending its minimal form", origin.partition,
                        origin.offset, exc)  # fmt: skip
            try:
                await self._deliver(origin, minimal(origin, data, type(error).__name__, reason, text))
            except Exception:
                metrics.DEAD_LETTERS_FAILED.inc()
                log.exception("dead letter of %s/%s could not be sent", origin.partition, origin.offset)
                return
            metrics.DEAD_LETTERS_MINIMAL.inc()
        metrics.ARTICLES_DEAD_LETTERED.labels(reason).inc()

    async def _deliver(self, origin: Origin, value: DeadLetterV1) -> None:
        data = orjson.dumps(value)
        pending = await self.topic.send(key=origin.key, value=data)  # raises when over the producer's own limit
        metrics.RECORDS_PRODUCED.inc()
        if len(data) > CONFIRMED_BYTES:
            await pending  # the broker's acknowledgement: its refusal raises here
