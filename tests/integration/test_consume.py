"""`dyadwatch consume` reads the topic it is given: a replay's own topics as named, the pipeline's by short name,
and says so (creating nothing) when a topic does not exist."""

from __future__ import annotations

import os

import orjson

from dyadwatch.streams.kafka_io import existing_topics, producer
from dyadwatch.streams.settings import Settings
from tests.integration.harness import cli


def test_consume_reads_a_named_topic_and_never_creates_one(broker: str) -> None:
    settings = Settings.from_env({"DYADWATCH_BROKER": broker, "DYADWATCH_TOPIC_PREFIX": "t-consume"})
    send = producer(settings)
    send.send("review-9.mentions", key=b"a", value=orjson.dumps({"id": "a"}))
    send.send("t-consume.mentions", key=b"b", value=orjson.dumps({"id": "b"}))
    send.flush()
    send.close()
    env = {**os.environ, "DYADWATCH_BROKER": broker, "DYADWATCH_TOPIC_PREFIX": "t-consume"}

    def consume(topic: str) -> tuple[int, list[dict], str]:
        result = cli(env, "consume", topic, "--from-beginning", "--idle-timeout", "2")
        return result.returncode, [orjson.loads(line) for line in result.stdout.splitlines()], result.stderr

    assert consume("review-9.mentions")[:2] == (0, [{"id": "a"}])  # as named: a replay's output
    assert consume("mentions")[:2] == (0, [{"id": "b"}])  # the short form still gets the prefix
    assert consume("t-consume.mentions")[:2] == (0, [{"id": "b"}])
    code, records, stderr = consume("review-9.nothing")
    assert code == 2 and not records and "no topic review-9.nothing or t-consume.review-9.nothing" in stderr
    assert not {"review-9.nothing", "t-consume.review-9.nothing"} & existing_topics(settings)
