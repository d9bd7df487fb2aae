"""The layers: processors/ (domain code) and schemas/ never import streams/; processors/ imports no Kafka client, no
Faust and no asyncio, so it stays testable in microseconds."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

FORBIDDEN = {  # module name prefixes a layer must not import
    "processors": {"dyadwatch.streams", "faust", "aiokafka", "kafka", "confluent_kafka", "mode", "asyncio"},
    "schemas": {"dyadwatch.streams"},
}


def imported(source: str) -> set[str]:
    """Every module a source imports (dotted names), wherever the import is."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)  # and what it takes from it, which may be a module: from dyadwatch import streams
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def forbidden(names: set[str], prefixes: set[str]) -> set[str]:
    return {name for name in names if any(name == p or name.startswith(p + ".") for p in prefixes)}


def violations(layer: str) -> list[str]:
    found = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        bad = forbidden(imported(path.read_text(encoding="utf-8")), FORBIDDEN[layer])
        found += [f"{path.relative_to(ROOT)} imports {name}" for name in sorted(bad)]
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer):
    assert violations(layer) == []


def test_the_check_sees_a_bad_import(tmp_path: Path):
    names = imported("import asyncio\nfrom dyadwatch.streams.app import create_app\nfrom dyadwatch import streams\n")
    assert forbidden(names, FORBIDDEN["processors"]) == {
        "asyncio",
        "dyadwatch.streams.app",
        "dyadwatch.streams.app.create_app",
        "dyadwatch.streams",
    }
    assert "kafka.admin" in imported("def f():\n    from kafka.admin import KafkaAdminClient\n")  # in a function
    assert forbidden({"kafkaesque", "dyadwatch.streamsy"}, FORBIDDEN["processors"]) == set()
