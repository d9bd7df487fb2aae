"""The layers: processors/ (domain code) and schemas/ never import streams/; processors/ imports no Kafka client, no
Faust and no asyncio, so it stays testable in microseconds."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

FORBIDDEN = {
    "processors": {"streams", "faust", "aiokafka", "kafka", "confluent_kafka", "mode", "asyncio"},
    "schemas": {"streams"},
}


def imported(source: str) -> set[str]:
    """Top-level names of every module a source imports, wherever the import is."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def violations(layer: str) -> list[str]:
    found = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        bad = imported(path.read_text(encoding="utf-8")) & FORBIDDEN[layer]
        found += [f"{path.relative_to(ROOT)} imports {name}" for name in sorted(bad)]
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer):
    assert violations(layer) == []


def test_the_check_sees_a_bad_import(tmp_path: Path):
    assert imported("import asyncio\nfrom streams.app import create_app\n") >= {"asyncio", "streams"}
    assert imported("def f():\n    from kafka import KafkaProducer\n") == {"kafka"}  # inside a function too
