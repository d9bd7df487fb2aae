"""What a failed connection is explained as, from the lines kafka-python logged while it retried."""

from __future__ import annotations

import pytest

from dyadwatch.streams.kafka_io import explain
from dyadwatch.streams.settings import Settings

SASL = {
    "security_protocol": "SASL_SSL",
    "sasl_mechanism": "SCRAM-SHA-256",
    "sasl_username": "svc",
    "sasl_password": "x",
}
REFUSED_AUTH = (
    "Bootstrap connection to bootstrap-0 failed: [Error 58] SaslAuthenticationFailedError: invalid credentials"
)
HUNG_UP = "Bootstrap connection to bootstrap-0 failed: KafkaConnectionError: socket disconnected"


@pytest.mark.parametrize(
    ("settings", "lines", "expected"),
    [
        (SASL, [HUNG_UP, REFUSED_AUTH, HUNG_UP], "refused SASL SCRAM-SHA-256 authentication as user 'svc'"),
        (SASL, [HUNG_UP, HUNG_UP], "hung up during SASL_SSL SCRAM-SHA-256 authentication"),
        ({}, [HUNG_UP], "set DYADWATCH_SECURITY_PROTOCOL"),
        ({"security_protocol": "SSL"}, [HUNG_UP], "use DYADWATCH_SECURITY_PROTOCOL=SASL_SSL"),
        ({}, ["Connection failed: [Errno 111] Connection refused"], "connection refused"),
        ({}, [], "no Kafka broker answered at"),
    ],
)
def test_failed_connections_are_explained(settings: dict[str, str], lines: list[str], expected: str) -> None:
    assert expected in explain(Settings.from_env({}, broker="127.0.0.1:1", **settings), lines)
