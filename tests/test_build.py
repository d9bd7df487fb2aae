"""The two builds of dyadwatch (setup.py): the pure-Python source and the mypyc-compiled modules.

`make test` builds the compiled one in .venv-compiled, runs the unit tests there too (with DYADWATCH_EXPECT_COMPILED=1)
and, from the source checkout, checks that both builds tag the same articles byte for byte.
"""

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from dyadwatch.processors import is_compiled
from samples.generate_feed import generate
from tests.conftest import ROOT

COMPILED_PYTHON = ROOT / ".venv-compiled" / "bin" / "python"


def test_this_run_tests_the_build_it_expects():
    # A stray compiled module in the checkout would shadow its edited source; a compiled run must not test the source.
    assert is_compiled() == (os.environ.get("DYADWATCH_EXPECT_COMPILED") == "1")


@pytest.mark.skipif(is_compiled(), reason="compares the compiled build with the source, from the source")
def test_the_compiled_build_tags_exactly_like_the_source(tmp_path: Path):
    if not COMPILED_PYTHON.exists():
        if os.environ.get("CI"):
            pytest.fail("the compiled build is missing: `make test` builds it first (make compiled)")
        pytest.skip("no compiled build (make compiled)")
    stories = generate(300, 12, 23, True, datetime(2026, 11, 1, tzinfo=UTC))
    feed = tmp_path / "feed.jsonl"
    samples = (ROOT / "samples" / "articles.jsonl").read_bytes()
    feed.write_bytes(b"".join(orjson.dumps(story) + b"\n" for story in stories) + samples)
    probe = "import dyadwatch.processors as p; assert p.is_compiled(), p.__file__"
    subprocess.run([COMPILED_PYTHON, "-c", probe], cwd=tmp_path, check=True)
    builds = {}
    for name, python in (("compiled", COMPILED_PYTHON), ("source", Path(sys.executable))):
        run = subprocess.run(
            [python, "-m", "dyadwatch.streams.cli", "tag", str(feed)], cwd=tmp_path, capture_output=True, timeout=300
        )
        assert run.returncode == 0, run.stderr.decode()[-2000:]
        builds[name] = run.stdout.splitlines()
    assert len(builds["source"]) == len(stories) + 360
    for compiled, source in zip(builds["compiled"], builds["source"], strict=True):
        # A stale .venv-compiled (sources edited since it was built) fails here: `make compiled` rebuilds it.
        assert compiled == source, orjson.loads(source)["id"]
