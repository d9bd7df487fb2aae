"""`dyadwatch tag` end to end through the real console script."""

import json
import subprocess
import sys

from tests.conftest import ROOT

GOOD = {
    "id": "a",
    "title": "Accord",
    "body": "India and Pakistan signed an accord.",
    "published_at": "2025-06-01",
}


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dyadwatch.streams.cli", *args], input=stdin, capture_output=True, cwd=ROOT, timeout=120
    )


def test_json_lines_in_order_with_a_bad_line_reported():
    lines = [json.dumps({**GOOD, "id": "first"}), "{broken", json.dumps({**GOOD, "id": "third"})]
    proc = run("tag", stdin="\n".join(lines).encode())
    assert proc.returncode == 1
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["id"] for r in out] == ["first", "third"]
    assert out[0]["dyads"][0]["pair"] == "IND-PAK"
    assert proc.stderr.decode().strip().splitlines() == [proc.stderr.decode().strip()]
    assert proc.stderr.decode().startswith("line 2: invalid_json:")


def test_one_pretty_printed_document_and_exit_zero():
    proc = run("tag", stdin=json.dumps(GOOD, indent=2).encode())
    assert proc.returncode == 0, proc.stderr
    (result,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert set(result["countries"]) == {"IND", "PAK"}
    assert {"gazetteer", "lexicon"} <= set(result["versions"])


def test_a_json_array_and_the_pretty_table(tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps([GOOD, {**GOOD, "id": "b"}]))
    proc = run("tag", str(path), "--pretty")
    assert proc.returncode == 0, proc.stderr
    assert "IND-PAK" in proc.stdout.decode()


def test_invalid_utf8_line_is_reported_and_the_rest_processed():
    proc = run("tag", stdin=b"\xff\xfe\n" + json.dumps(GOOD).encode())
    assert proc.returncode == 1
    assert len(proc.stdout.splitlines()) == 1
    assert b"invalid_encoding" in proc.stderr


def test_eval_refuses_a_dev_share_outside_zero_to_one(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("")
    proc = run("eval", str(gold), "--corpus", str(gold), "--folds", "5", "--dev-share", "1.5")
    assert proc.returncode == 2
    assert "dev-share" in proc.stderr.decode()
