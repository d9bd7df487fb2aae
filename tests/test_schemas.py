"""Topic contracts: every schema parses, and each Faust record has exactly its schema's fields."""

import pytest

from processors.analysis import default_analyzer
from processors.windows import WindowAggregate
from schemas import load_schema
from schemas.records import RECORDS
from streams.settings import Settings
from tests.conftest import make_article


def properties(schema: dict) -> set[str]:
    if "oneOf" in schema:
        return set(schema["oneOf"][0]["properties"])
    return set(schema["properties"])


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_records_match_their_schemas(name):
    assert set(RECORDS[name]._options.fields) == properties(load_schema(name))


def test_article_schema_requires_what_the_decoder_requires():
    assert set(load_schema("article.v1")["required"]) == {"id", "body", "published_at"}


def test_outputs_have_the_schema_fields():
    result = default_analyzer().analyze(make_article("India and Pakistan signed an accord."))
    assert set(result) == properties(load_schema("mentions.v1")) - {"truncated"}  # only on cut articles
    aggregate = WindowAggregate("IND-PAK", 3600, 0)
    aggregate.add("a", 0.5, 1, 10, 20)
    assert set(aggregate.record()) == properties(load_schema("window.v1"))


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
    assert "password" not in repr(Settings(sasl_password="s3cret")).lower() or "s3cret" not in repr(Settings())
