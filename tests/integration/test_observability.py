"""A real Prometheus scrapes a real worker fed through the real broker; every dashboard panel's PromQL and every
recording rule must evaluate without error and return data."""

from __future__ import annotations

import json
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from dyadwatch.streams.broker import free_port
from tests.conftest import require_binary
from tests.integration.conftest import feed
from tests.integration.harness import ROOT, Pipeline, wait_until

pytestmark = pytest.mark.integration
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
DASHBOARDS = ROOT / "deploy" / "grafana" / "dashboards"


def query(port: int, expr: str) -> dict:
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def panel_queries(variables: dict[str, str]) -> list[tuple[str, str]]:
    found = []
    for board in sorted(DASHBOARDS.glob("*.json")):
        for panel in json.loads(board.read_text())["panels"]:
            for target in panel["targets"]:
                expr = target["expr"]
                for name, value in variables.items():
                    expr = expr.replace(f"${name}", value)
                found.append((f"{board.stem}: {panel['title']}", expr))
    return found


def recording_rules() -> list[str]:
    groups = yaml.safe_load((PROMETHEUS_DIR / "rules.yml").read_text())["groups"]
    return [rule["record"] for group in groups for rule in group["rules"] if "record" in rule]


@pytest.fixture
def prometheus_for(tmp_path: Path):
    processes = []

    def start(target: str) -> int:
        port = free_port()
        config = tmp_path / "prometheus.yml"
        config.write_text(yaml.safe_dump({
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(PROMETHEUS_DIR / "rules.yml")],
            "scrape_configs": [{"job_name": "dyadwatch", "static_configs": [{"targets": [target]}]}],
        }))  # fmt: skip
        log = (tmp_path / "prometheus.log").open("wb")
        process = subprocess.Popen(
            [require_binary("prometheus"), f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        processes.append(process)

        def ready() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=2) as response:
                    return response.status == 200
            except OSError:
                return False

        wait_until(ready, 60, "prometheus to be ready")
        return port

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=20)


def test_every_panel_and_recording_rule_returns_data(broker: str, tmp_path: Path, prometheus_for) -> None:
    pipeline = Pipeline(broker, "observe", tmp_path)
    try:
        worker = pipeline.start_worker()
        pipeline.wait_ready(worker)
        port = prometheus_for(f"127.0.0.1:{pipeline.web_ports[0]}")
        records = feed(360, days=12, seed=7)
        producer = threading.Thread(target=lambda: [pipeline.produce([r]) or time.sleep(0.02) for r in records])
        producer.start()
        producer.join()
        pipeline.wait_settled(len(records))
        wait_until(lambda: query(port, "up")["data"]["result"], 30, "a first scrape")
        time.sleep(6)  # a few more scrapes and rule evaluations

        pairs = query(port, 'count by (pair) (dyadwatch_dyad_sentiment{window="1d"})')["data"]["result"]
        assert pairs, "no per-pair gauges were scraped"
        pair = next(
            (r["metric"]["pair"] for r in pairs if r["metric"]["pair"] == "ARG-BRA"), pairs[0]["metric"]["pair"]
        )
        failures = []
        for name, expr in [*panel_queries({"pair": pair, "window": "1d"}), *((r, r) for r in recording_rules())]:
            answer = query(port, expr)
            if answer.get("status") != "success" or not answer["data"]["result"]:
                failures.append(f"{name}: {expr} -> {answer.get('status')} {answer.get('error', 'empty')}")
        assert not failures, "\n".join(failures)
        # The sample feed's planted turn (ARG-BRA, day 7) raises exactly one alert, and nothing else does.
        alerts = pipeline.values("alerts")
        assert [(a["pair"], a["direction"], a["window"]) for a in alerts] == [("ARG-BRA", "down", "1d")]
        assert alerts[0]["movers"] and all(len(m["evidence"]) <= 300 for m in alerts[0]["movers"])
        assert 'dyadwatch_alerts_total{direction="down"} 1.0' in pipeline.metrics()
    finally:
        pipeline.stop()
