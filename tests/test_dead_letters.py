"""The dead-letter path with a fake topic: bounded values, the minimal fallback, and never an exception."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from types import SimpleNamespace

import orjson
import pytest
from jsonschema import Draft202012Validator

from dyadwatch.streams.dead_letters import CONFIRMED_BYTES, DeadLetters, size_of
from dyadwatch.streams.settings import Settings
from tests.conftest import ROOT, counted

SCHEMA = Draft202012Validator(json.loads((ROOT / "schemas" / "dead-letter.v1.json").read_text()))
MESSAGE = SimpleNamespace(topic="dyadwatch.articles", partition=3, offset=41, timestamp=1.5, key=b"k")


class FakeTopic:
    """Records what is sent; refuses values over `limit` bytes, as a producer (`at_send`) or the broker would."""

    def __init__(self, limit: int = 10**9, at_send: bool = False) -> None:
        self.limit, self.at_send = limit, at_send
        self.sent: list[dict] = []

    async def send(self, key: bytes | None, value: bytes) -> asyncio.Future:
        if self.at_send and len(value) > self.limit:
            raise RuntimeError("MessageSizeTooLargeError")
        delivered: asyncio.Future = asyncio.get_running_loop().create_future()
        if len(value) > self.limit:
            delivered.set_exception(RuntimeError("broker: record too large"))
        else:
            self.sent.append(orjson.loads(value))
            delivered.set_result(None)
        return delivered


def refuse(topic: FakeTopic, raw: bytes, keep: int = 1000) -> dict:
    asyncio.run(DeadLetters(topic, keep).send(MESSAGE, raw, ValueError("x"), "too_large", "too big"))
    assert len(topic.sent) == 1
    SCHEMA.validate(topic.sent[0])
    return topic.sent[0]


def test_a_small_original_is_kept_whole():
    raw = orjson.dumps({"id": "a1", "body": "short"})
    value = refuse(FakeTopic(), raw)
    assert base64.b64decode(value["original_b64"]) == raw and value["truncated"] is False
    assert value["article_id"] == "a1" and value["original_bytes"] == len(raw)
    assert value["original_sha256"] == hashlib.sha256(raw).hexdigest()
    assert (value["topic"], value["partition"], value["offset"]) == ("dyadwatch.articles", 3, 41)


def test_a_large_original_keeps_its_head_length_and_hash():
    raw = b"x" * 5000
    value = refuse(FakeTopic(), raw)
    assert base64.b64decode(value["original_b64"]) == raw[:1000] and value["truncated"] is True
    assert value["original_bytes"] == 5000 and value["original_sha256"] == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize("at_send", [True, False], ids=["producer-refuses", "broker-refuses"])
def test_a_refused_dead_letter_is_replaced_by_its_minimal_form(at_send):
    raw = b"y" * (2 * CONFIRMED_BYTES)
    before = counted("dyadwatch_dead_letters_minimal_total")
    dead = counted("dyadwatch_articles_dead_lettered_total", reason="too_large")
    value = refuse(FakeTopic(limit=CONFIRMED_BYTES, at_send=at_send), raw, keep=2 * CONFIRMED_BYTES)
    assert value["original_b64"] == "" and value["truncated"] is True and value["reason"] == "too_large"
    assert value["original_bytes"] == len(raw) and value["original_sha256"] == hashlib.sha256(raw).hexdigest()
    assert counted("dyadwatch_dead_letters_minimal_total") == before + 1
    assert counted("dyadwatch_articles_dead_lettered_total", reason="too_large") == dead + 1


def test_a_dead_letter_that_cannot_be_sent_at_all_is_counted_not_raised():
    before = counted("dyadwatch_dead_letters_failed_total")
    topic = FakeTopic(limit=10, at_send=True)
    asyncio.run(DeadLetters(topic, 1000).send(MESSAGE, b"z" * 100, ValueError("x"), "too_large", "too big"))
    assert topic.sent == [] and counted("dyadwatch_dead_letters_failed_total") == before + 1


def test_the_largest_dead_letter_fits_a_record():
    settings = Settings()
    value = orjson.dumps(
        {**refuse(FakeTopic(), b"\xff" * 300_000, settings.dead_letter_original_bytes), "message": "m" * 1000}
    )
    assert len(value) <= size_of(settings.dead_letter_original_bytes) <= settings.max_record_bytes
    with pytest.raises(ValueError, match="DEAD_LETTER_ORIGINAL_BYTES"):
        Settings.from_env({"DYADWATCH_DEAD_LETTER_ORIGINAL_BYTES": str(settings.max_record_bytes)})
