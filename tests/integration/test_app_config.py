"""The Faust app takes its client settings from dyadwatch's Settings."""

import pytest

from streams.app import create_app
from streams.kafka_io import ensure_topics
from streams.settings import Settings

pytestmark = pytest.mark.integration


def test_producer_batches_hold_many_mentions_records(broker: str, tmp_path) -> None:
    settings = Settings.from_env({}, broker=broker, workdir=tmp_path, topic_prefix="config", app_id="config-test")
    ensure_topics(settings)
    app = create_app(settings)
    assert app.conf.producer_max_batch_size == settings.producer_max_batch_size == 262_144
    assert app.conf.producer_linger == settings.producer_linger
    tuned = Settings.from_env({"DYADWATCH_PRODUCER_MAX_BATCH_SIZE": "65536"}, broker=broker, workdir=tmp_path)
    assert tuned.producer_max_batch_size == 65_536
