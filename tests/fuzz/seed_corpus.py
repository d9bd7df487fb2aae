"""Write a small seed corpus for the fuzzer from the project's own sample feed (samples/articles.jsonl)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    lines = (ROOT / "samples" / "articles.jsonl").read_bytes().splitlines()
    for index, line in enumerate(lines[:40]):
        (target / f"sample-{index:02d}").write_bytes(b"\x00" + line)  # first byte 0: the raw-record mode
    (target / "broken").write_bytes(b'\x00{"id": "x", "body": "unterminated')


if __name__ == "__main__":
    main(Path(sys.argv[1]))
