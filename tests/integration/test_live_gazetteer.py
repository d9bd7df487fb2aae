"""Through the real broker: a head of government swapped mid-stream by a gazetteer update, no restart; then a
replay of the same input into fresh topics, which differs from the live output exactly where the change applies."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.integration.conftest import feed
from tests.integration.harness import Pipeline, cli, wait_until

pytestmark = pytest.mark.integration

SWAP = [
    {"id": "gbr-pm-end", "op": "end_term", "iso3": "GBR", "name": "Keir Starmer", "end": "2026-11-15"},
    {"id": "gbr-pm-new", "op": "leader", "iso3": "GBR", "role": "hog", "names": ["Amelia Hart"], "short": ["~Hart"],
     "start": "2026-11-15"},
]  # fmt: skip
PUBLISHED = "2026-11-20T09:00:00Z"
STAMP_MS = 1_795_165_200_000  # PUBLISHED, in ms


def special(prefix: str) -> list[tuple[bytes, bytes, int]]:
    """Articles whose tagging depends on who is prime minister on 2026-11-20."""
    bodies = {
        "hart": "Prime Minister Amelia Hart praised France for its support and signed a defence accord with Paris.",
        "starmer": "Keir Starmer condemned Russia over the attack and warned Moscow of new sanctions.",
    }
    records = []
    for name, body in bodies.items():
        for n in range(2):
            article = {"id": f"{prefix}-{name}-{n}", "title": "", "body": body, "published_at": PUBLISHED}
            records.append((article["id"].encode(), orjson.dumps(article), STAMP_MS + n))
    return records


def by_id(pipeline: Pipeline) -> dict[str, dict]:
    return {value["id"]: value for value in pipeline.values("mentions")}


def gbr_in(result: dict) -> bool:
    return "GBR" in result["countries"]


def test_leader_swap_mid_stream_then_replay_changes_exactly_the_affected_dyads(broker: str, tmp_path: Path) -> None:
    pipeline = Pipeline(broker, "live", tmp_path)
    stories = feed(60, days=3, seed=21)
    try:
        pipeline.wait_ready(pipeline.start_worker())
        pipeline.produce(stories + special("before"))
        pipeline.wait_settled(len(stories) + 4)

        updates = tmp_path / "swap.jsonl"
        updates.write_bytes(b"\n".join(orjson.dumps(u) for u in SWAP))
        published = cli(pipeline.env, "update-gazetteer", str(updates), timeout=300)
        assert published.returncode == 0, published.stderr
        wait_until(lambda: "dyadwatch_gazetteer_updates_active 2.0" in pipeline.metrics(), 30, "the worker to apply")
        pipeline.produce(special("after"))
        pipeline.wait_settled(len(stories) + 8)

        live = by_id(pipeline)
        for n in range(2):  # before the update: Hart unknown, Starmer in office; after: the other way round
            assert not gbr_in(live[f"before-hart-{n}"]) and gbr_in(live[f"before-starmer-{n}"])
            assert gbr_in(live[f"after-hart-{n}"]) and not gbr_in(live[f"after-starmer-{n}"])
        assert "updates:2-" in live["after-hart-0"]["versions"]["gazetteer"]
        assert "updates" not in live["before-hart-0"]["versions"]["gazetteer"]
        assert next(m["rule"] for m in live["after-hart-0"]["mentions"] if m["country"] == "GBR").startswith("leader")

        # A bad update is refused by the CLI before anything is sent.
        bad = tmp_path / "bad.jsonl"
        bad.write_text('{"id": "oops", "op": "leader", "iso3": "GBR", "names": ["X Y"], "start": "someday"}\n')
        refused = cli(pipeline.env, "update-gazetteer", str(bad), timeout=300)
        assert refused.returncode == 2 and "must be an ISO date" in refused.stderr

        replayed = cli(
            pipeline.env, "replay", "--from", "2026-10-01T00:00:00Z", "--to-prefix", "t-live-replay", timeout=300
        )
        assert replayed.returncode == 0, replayed.stderr
        assert orjson.loads(replayed.stdout)["copied"] == len(stories) + 8
        again_into_same = cli(
            pipeline.env, "replay", "--from", "2026-10-01T00:00:00Z", "--to-prefix", "t-live-replay", timeout=300
        )
        assert again_into_same.returncode == 1 and "already hold data" in again_into_same.stderr
        replay = Pipeline(broker, "live-replay", tmp_path)
        again = by_id(replay)
        assert set(again) == set(live)
        changed = {key for key in live if live[key]["countries"] != again[key]["countries"]}
        assert changed == {"before-hart-0", "before-hart-1", "before-starmer-0", "before-starmer-1"}
        assert all("updates:2-" in value["versions"]["gazetteer"] for value in again.values())
        consumed = cli(pipeline.env, "consume", "t-live-replay.mentions", "--from-beginning", "--idle-timeout", "2")
        assert consumed.returncode == 0, consumed.stderr  # the replay's topic as named, not under the live prefix
        assert {orjson.loads(line)["id"] for line in consumed.stdout.splitlines()} == set(again)

        old, new = pipeline.final_windows(), replay.final_windows()
        differing = {key for key in set(old) | set(new) if _tone(old.get(key)) != _tone(new.get(key))}
        assert differing and all("GBR" in key.split("|")[0] for key in differing), sorted(differing)[:5]
    finally:
        pipeline.stop()


def _tone(window: dict | None) -> tuple | None:
    if window is None:
        return None
    return window["articles"], window["mean"], window["a_to_b_mean"], window["b_to_a_mean"]
