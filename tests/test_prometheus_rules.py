"""deploy/prometheus: rules pass `promtool check` and their unit tests; the worker's metrics pass the linter."""

import subprocess
from pathlib import Path

import pytest

from dyadwatch.streams import metrics
from tests.conftest import require_binary

PROMETHEUS = Path(__file__).resolve().parent.parent / "deploy" / "prometheus"


@pytest.fixture(scope="module")
def promtool() -> str:
    return require_binary("promtool")


def run(promtool: str, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([promtool, *args], cwd=PROMETHEUS, input=stdin, capture_output=True, timeout=60)


def test_rules_are_valid(promtool):
    result = run(promtool, "check", "rules", "rules.yml")
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def test_rule_unit_tests_pass(promtool):
    result = run(promtool, "test", "rules", "rules_test.yml")
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def test_scrape_config_is_valid(promtool):
    result = run(promtool, "check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def test_worker_metrics_pass_the_linter(promtool):
    result = run(promtool, "check", "metrics", stdin=metrics.exposition())
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
