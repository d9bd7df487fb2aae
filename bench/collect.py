"""Gather one `make bench` run's parts (bench/parts/*.json, written afresh by each benchmark) into bench/results.json,
whole, with the commit, the time and the build of the run: nothing from an earlier run survives.

    .venv-compiled/bin/python bench/collect.py [--started ISO]
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("tag", "hostile", "e2e", "faust_floor", "broker_growth")


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--started", help="when the run began (ISO 8601)")
    parser.add_argument("--parts", type=Path, default=ROOT / "bench" / "parts")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    missing = [name for name in PARTS if not (args.parts / f"{name}.json").exists()]
    if missing:
        print(f"bench/collect.py: no result from {', '.join(missing)} in this run; results.json not written",
              file=sys.stderr)  # fmt: skip
        return 1
    from dyadwatch.processors import is_compiled

    results: dict = {
        "run": {
            "commit": git("rev-parse", "HEAD"),
            "uncommitted_changes": bool(git("status", "--porcelain", "--untracked-files=no")),
            "started_at": args.started,
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "build": "compiled (mypyc)" if is_compiled() else "pure-Python source",
            "python": platform.python_version(),
            "machine": platform.machine(),
        }
    }
    for name in PARTS:
        results[name] = json.loads((args.parts / f"{name}.json").read_text())
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.out} (commit {results['run']['commit'][:10]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
