"""The whole pipeline over TLS and over SASL/SCRAM + TLS, the ways a secured connection fails, and secrets.

The embedded broker cannot serve TLS or SASL here (see tests/integration/secure.py), so a TLS- and
SASL-terminating proxy sits on loopback in front of it and the broker advertises the proxy's address.
Everything the clients do is real: the Faust worker (aiokafka) and the CLI (kafka-python) make TLS
handshakes against a certificate from a CA generated in the test and run SCRAM exchanges.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from dyadwatch.streams.broker import EmbeddedBroker, free_port
from tests.integration.conftest import feed
from tests.integration.harness import Pipeline, cli
from tests.integration.secure import Pki, SecureProxy, make_pki

pytestmark = pytest.mark.integration

PASSWORD = "pw-9c41-correct-horse-battery"  # distinctive, so a leak anywhere is found by grep
USER = "dyadwatch-worker"
ARTICLES = 60


@dataclass
class Secured:
    url: str
    pki: Pki
    proxy: SecureProxy


def _secured(tmp: Path, users: dict[str, str] | None) -> Iterator[Secured]:
    pki = make_pki(tmp)
    port = free_port()
    with EmbeddedBroker(advertised=f"127.0.0.1:{port}", log=tmp / "tansu.log") as embedded:
        with SecureProxy(("127.0.0.1", embedded.port), port, pki=pki, users=users) as proxy:
            yield Secured(proxy.url, pki, proxy)


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secured]:
    yield from _secured(tmp_path_factory.mktemp("tls"), users=None)


@pytest.fixture(scope="module")
def sasl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secured]:
    yield from _secured(tmp_path_factory.mktemp("sasl"), users={USER: PASSWORD})


def _feed_file(tmp: Path) -> Path:
    path = tmp / "feed.jsonl"
    path.write_bytes(b"\n".join(value for _, value, _ in feed(ARTICLES, days=2, seed=11)) + b"\n")
    return path


def _run_pipeline(pipeline: Pipeline, tmp: Path) -> tuple[list[dict], str]:
    """Produce with `dyadwatch produce`, process with a worker, read back with `dyadwatch consume`."""
    worker = pipeline.start_worker()
    pipeline.wait_ready(worker)
    produced = cli(pipeline.env, "produce", str(_feed_file(tmp)), "--timestamp", "published")
    assert produced.returncode == 0, produced.stderr
    pipeline.wait_settled(ARTICLES)
    consumed = cli(pipeline.env, "consume", "dyads.windows", "--from-beginning", "--idle-timeout", "3")
    assert consumed.returncode == 0, consumed.stderr
    windows = [orjson.loads(line) for line in consumed.stdout.splitlines()]
    return windows, produced.stderr + consumed.stderr


def test_pipeline_over_tls(tls: Secured, tmp_path: Path) -> None:
    pipeline = Pipeline(tls.url, "tls", tmp_path, security_protocol="SSL", ssl_cafile=str(tls.pki.ca))
    try:
        windows, _ = _run_pipeline(pipeline, tmp_path)
        assert windows and {w["window"] for w in windows} == {"1h", "1d"}
        assert pipeline.accounted() == ARTICLES
    finally:
        pipeline.stop()


def test_pipeline_over_sasl_scram_and_tls_leaks_no_secret(sasl: Secured, tmp_path: Path) -> None:
    secret = tmp_path / "sasl-password"
    secret.write_text(PASSWORD + "\n")
    pipeline = Pipeline(
        sasl.url, "sasl", tmp_path, security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-512",
        sasl_username=USER, sasl_password_file=str(secret), ssl_cafile=str(sasl.pki.ca),
    )  # fmt: skip
    refused_before = sasl.proxy.refused
    try:
        windows, cli_output = _run_pipeline(pipeline, tmp_path)
        assert windows and pipeline.accounted() == ARTICLES
        assert sasl.proxy.refused == refused_before, "a client was refused although its credentials are right"
        exposed = {
            "worker log": pipeline.log_text(),
            "CLI output": cli_output,
            "/metrics": pipeline.metrics(),
            "--help": "".join(cli(pipeline.env, *cmd, "--help").stdout for cmd in ([], ["worker"], ["produce"])),
        }
        for where, text in exposed.items():
            assert PASSWORD not in text, f"the SASL password appears in the {where}"
        assert "Traceback" not in exposed["worker log"]  # every client of the worker connected, Faust's and ours
    finally:
        pipeline.stop()


def _env(url: str, **settings: str) -> dict[str, str]:
    return {
        **os.environ,
        "DYADWATCH_BROKER": url,
        "DYADWATCH_TOPIC_PREFIX": "t-fail",
        "DYADWATCH_CONNECT_TIMEOUT": "4",
        **{f"DYADWATCH_{key.upper()}": value for key, value in settings.items()},
    }


def _fails_clearly(env: dict[str, str], expected: str, tmp: Path) -> None:
    for command in (["produce", str(_feed_file(tmp))], ["consume", "articles", "--idle-timeout", "1"], ["worker"]):
        result = cli(env, *command, timeout=60)
        assert result.returncode != 0, f"{command[0]} succeeded"
        assert expected in result.stderr, f"{command[0]}: {result.stderr[-800:]}"
        assert "Traceback" not in result.stderr, result.stderr[-2000:]
        assert PASSWORD not in result.stderr + result.stdout


def test_wrong_password_fails_fast_and_clearly(sasl: Secured, tmp_path: Path) -> None:
    env = _env(sasl.url, security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-256", sasl_username=USER,
               sasl_password=PASSWORD + "-wrong", ssl_cafile=str(sasl.pki.ca))  # fmt: skip
    _fails_clearly(env, "refused SASL SCRAM-SHA-256 authentication", tmp_path)


def test_untrusted_certificate_fails_fast_and_clearly(tls: Secured, tmp_path: Path) -> None:
    env = _env(tls.url, security_protocol="SSL", ssl_cafile=str(tls.pki.other_ca))
    _fails_clearly(env, "is not trusted by the CA file", tmp_path)


def test_plaintext_client_on_a_tls_listener_is_told_so(tls: Secured, tmp_path: Path) -> None:
    _fails_clearly(_env(tls.url), "DYADWATCH_SECURITY_PROTOCOL", tmp_path)


def test_unreachable_broker_fails_fast_and_clearly(tmp_path: Path) -> None:
    _fails_clearly(_env(f"127.0.0.1:{free_port()}"), "no Kafka broker answered", tmp_path)


def test_inconsistent_security_settings_are_refused_before_connecting(tmp_path: Path) -> None:
    env = _env("127.0.0.1:9", security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-256", sasl_username=USER)
    result = cli(env, "consume", "articles")
    assert result.returncode == 2 and "DYADWATCH_SASL_PASSWORD" in result.stderr
    env = _env("127.0.0.1:9", security_protocol="TLS")
    result = cli(env, "consume", "articles")
    assert result.returncode == 2 and "use one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL" in result.stderr
