"""Topic contracts: every record kind the worker's own code builds validates against its JSON Schema (every `oneOf`
branch), and the dyads topic's typed definitions are the schema's. tests/integration/test_third_party_consumer.py
validates the records read back from the broker as well."""

from __future__ import annotations

import asyncio
import hashlib
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator

from dyadwatch.processors.limits import TextLimits
from dyadwatch.processors.windows import WindowAggregate
from dyadwatch.schemas import load_schema
from dyadwatch.schemas.contracts import CONTRACTS, ITEMS
from dyadwatch.streams import dyad_records
from dyadwatch.streams.dead_letters import Origin, dead_letter, minimal
from dyadwatch.streams.live_gazetteer import LiveGazetteer
from dyadwatch.streams.settings import Settings
from dyadwatch.streams.tagging import TaggingStage
from tests.conftest import ROOT, make_article
from tests.test_stages import FakeOutbox, FakeStream, FakeTopic, stage

NAMES = sorted(path.name.removesuffix(".json") for path in (ROOT / "schemas").glob("*.json"))


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("name", NAMES)
def test_every_schema_is_valid_json_schema(name):
    Draft202012Validator.check_schema(load_schema(name))


@pytest.fixture(scope="module")
def tagged() -> list[tuple[str, dict]]:
    """(topic, value) of what the tagging stage queues for two articles: their batch, a progress announcement and an
    idle one."""
    settings = Settings(partitions=2)
    gazetteer = LiveGazetteer(settings, TextLimits(), "test")
    outbox = FakeOutbox([])
    topics = SimpleNamespace(**{name: FakeTopic(name) for name in ("articles", "mentions", "dyads")})
    tagging = TaggingStage(settings, gazetteer, outbox, None, topics)  # type: ignore[arg-type]
    tagging.stream = FakeStream([])
    for index, body in enumerate(["India and Pakistan signed a water accord; Turkey praised both.",
                                  "Brazil condemned Argentina over the border clash. " * 1100]):  # fmt: skip
        article = make_article(body, "2026-11-02T09:00:00Z", title="Talks", id=f"a{index}")
        analysed = gazetteer.analyzer.analyze(article)
        tagging.publish(article, analysed, 1_793_610_000.0, index)
    asyncio.run(tagging.flush())
    tagging.announce_progress()
    tagging._announce([dyad_records.watermark(1_793_610_000.0, 1, idle=True)])
    return [(topic, value) for topic, _, value, _ in outbox.records]


def test_mentions_records_validate(tagged):
    mentions = [value for topic, value in tagged if topic == "mentions"]
    assert len(mentions) == 2 and any("truncated" in value for value in mentions)
    for value in mentions:
        validator("mentions.v1").validate(value)


def test_every_kind_of_dyads_record_validates(tagged):
    dyads = [value for topic, value in tagged if topic == "dyads"]
    kinds = {("scores" if v["scores"] else "idle" if v["watermarks"][0].get("idle") else "watermarks") for v in dyads}
    assert kinds == {"scores", "watermarks", "idle"}
    assert {s["pair"] for v in dyads for s in v["scores"]} >= {"IND-PAK", "ARG-BRA"}
    for value in dyads:
        validator("dyad.v2").validate(value)
        assert dyad_records.read(orjson.dumps(value)) == value  # what is written is what the reader accepts


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_each_topic_has_one_typed_definition_and_it_is_the_schema(name):
    schema = load_schema(name)
    branches = schema.get("oneOf", [schema])
    assert len(branches) == len(CONTRACTS[name])
    for definition, branch in zip(CONTRACTS[name], branches, strict=True):
        assert set(definition.__annotations__) == set(branch["properties"]), definition.__name__
        assert definition.__required_keys__ == set(branch["required"]), definition.__name__


@pytest.mark.parametrize(("name", "entry"), sorted(ITEMS))
def test_each_item_definition_is_the_schemas(name, entry):
    definition, described = ITEMS[(name, entry)], load_schema(name)["$defs"][entry]
    assert set(definition.__annotations__) == set(described["properties"]), definition.__name__
    assert definition.__required_keys__ == set(described["required"]), definition.__name__


def test_every_output_topic_has_a_contract():
    written = {"mentions.v1", "dyad.v2", "window.v1", "alert.v1", "dead-letter.v1"}  # article/gazetteer: inputs
    assert set(CONTRACTS) == written | {"dyad.v1"}  # dyad.v1: read from older workers, no longer written


def test_window_updates_and_finals_validate():
    aggregate = WindowAggregate("IND-PAK", 3600, 1_793_577_600)
    aggregate.add("a", 0.5, 1, 1_793_577_610, 1_793_577_620, "India and Pakistan signed", 0.4, None, {"code": "x"})
    for final in (False, True):
        validator("window.v1").validate(aggregate.record(final))


def test_alerts_validate():
    async def run() -> list[dict]:
        aggregation, _ = stage([])
        for day, mean in enumerate([0.6, 0.6, 0.6, 0.6, -0.8]):
            window = WindowAggregate("ARG-BRA", 86400, 1_793_577_600 + day * 86400)
            for n in range(6):
                window.add(f"d{day}-{n}", mean, 1, window.start + n, window.start + n, "Brazil and Argentina", None,
                           None, {"code": "x"})  # fmt: skip
            await aggregation.check_shift(0, window.record(True), window.movers)
        return aggregation.alerts.sent

    alerts = asyncio.run(run())
    assert [alert["direction"] for alert in alerts] == ["down"]
    validator("alert.v1").validate(alerts[0])


def test_dead_letters_full_truncated_and_minimal_validate():
    origin = Origin("dyadwatch.articles", 1, 7, 1.0, b"k")
    raw = orjson.dumps({"id": "x", "body": "y" * 5000})
    values: list[dict[str, Any]] = [dead_letter(origin, raw, "ArticleError", "too_large", "big", keep)
                                    for keep in (10_000, 100)]  # fmt: skip
    values.append(minimal(origin, raw, "ArticleError", "too_large", "big"))
    for value in values:
        validator("dead-letter.v1").validate(value)
        assert value["original_sha256"] == hashlib.sha256(raw).hexdigest()
    assert [value["truncated"] for value in values] == [False, True, True]


def test_article_schema_requires_what_the_decoder_requires():
    assert set(load_schema("article.v1")["required"]) == {"id", "body", "published_at"}


def test_settings_from_env_and_flags():
    settings = Settings.from_env(
        {"DYADWATCH_BROKER": "h1:9092,h2:9092", "DYADWATCH_WINDOWS": "15m,1h", "DYADWATCH_LATENESS": "2h",
         "DYADWATCH_TOPIC_PREFIX": "news", "DYADWATCH_PARTITIONS": "4"},
        partitions=2,
    )  # fmt: skip
    assert settings.bootstrap == "h1:9092,h2:9092"
    assert settings.faust_broker == "kafka://h1:9092;kafka://h2:9092"
    assert settings.windows == (900, 3600) and settings.lateness == 7200
    assert settings.topic("dyads.windows") == "news.dyads.windows"
    assert settings.partitions == 2  # a flag beats the environment


def test_the_sasl_password_never_shows_in_settings():
    settings = Settings.from_env({"DYADWATCH_SASL_PASSWORD": "s3cret-value"})
    assert settings.sasl_password == "s3cret-value"
    assert "s3cret-value" not in repr(settings) and "s3cret-value" not in str(settings)
