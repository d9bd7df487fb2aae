"""Topic contracts: JSON Schema files (`<name>.v<N>.json`), one per topic value."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def load_schema(name: str) -> dict:
    """The JSON Schema `name` (e.g. "window.v1")."""
    return json.loads(resources.files("dyadwatch.schemas").joinpath(f"{name}.json").read_text(encoding="utf-8"))
