from __future__ import annotations

import os
import shutil
from functools import cache
from pathlib import Path

import pytest

from dyadwatch.processors.analysis import Analyzer, default_analyzer
from dyadwatch.processors.article import Article, parse_article
from dyadwatch.streams import metrics

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def require_binary(name: str) -> str:
    """Path of a Debian tool the test needs; skipped locally when missing, a failure under CI (which installs it)."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: .ci/run installs Debian's prometheus package")
        pytest.skip(f"{name} not installed (apt-get install prometheus)")
    return path


def shared_path(*parts: str) -> Path:
    """A file of the shared data beside the checkout: skipped locally when absent, a failure under CI (which has it),
    so the quality checks cannot silently drop out of a CI run."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI runs with the shared data beside the checkout")
        pytest.skip(f"{path} is not available (../shared is optional)")
    return path


def make_article(body: str, published_at: str = "2004-11-01T00:00:00Z", title: str = "", **extra) -> Article:
    return parse_article(
        {"id": extra.pop("id", "t"), "title": title, "body": body, "published_at": published_at, **extra},
        check_language=False,
    )


def countries(body: str, published_at: str = "2004-11-01T00:00:00Z", title: str = "") -> set[str]:
    return set(default_analyzer().analyze(make_article(body, published_at, title))["countries"])


def dyads(body: str, published_at: str = "2004-11-01T00:00:00Z", title: str = "") -> dict[str, float]:
    result = default_analyzer().analyze(make_article(body, published_at, title))
    return {d["pair"]: d["sentiment"] for d in result["dyads"]}


@cache
def _rules_analyzer() -> Analyzer:
    return Analyzer(pair_tone=False)


def rule_dyads(body: str, published_at: str = "2004-11-01T00:00:00Z", title: str = "") -> dict[str, float]:
    """Pair tone from the attribution rules alone (the pair-tone model's `rule` feature)."""
    result = _rules_analyzer().analyze(make_article(body, published_at, title))
    return {d["pair"]: d["sentiment"] for d in result["dyads"]}


def counted(name: str, **labels: str) -> float:
    """A sample of the worker's metrics registry (0 before the labels were first used)."""
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0
