"""Disputed territories resolve by the chosen policy file, never by a hard-coded choice."""

from __future__ import annotations

import pytest

from dyadwatch.processors.analysis import Analyzer
from dyadwatch.processors.territories import available_policies, load_policy, load_territories
from tests.conftest import make_article

ANALYZERS = {name: Analyzer(territory_policy=name) for name in available_policies()}


def tagged(policy: str, body: str, published_at: str = "2015-03-01T00:00:00Z") -> dict[str, str]:
    result = ANALYZERS[policy].analyze(make_article(body, published_at))
    assert result["versions"]["territory_policy"].startswith(policy + ":")
    return {m["text"]: m["country"] for m in result["mentions"]}


def test_the_shipped_policies_cover_every_territory() -> None:
    assert {"un-recognition", "un-membership", "de-facto-control", "ignore"} <= set(available_policies())
    keys = {t.key for t in load_territories()}
    for name in available_policies():
        assert keys <= set(load_policy(name).rows), name


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("un-recognition", {"Crimea": "UKR", "Golan Heights": "SYR", "Taiwan": "TWN", "Kosovo": "XKX"}),
        ("un-membership", {"Crimea": "UKR", "Golan Heights": "SYR", "Taiwan": "CHN", "Kosovo": "SRB"}),
        ("de-facto-control", {"Crimea": "RUS", "Golan Heights": "ISR", "Taiwan": "TWN", "Kosovo": "XKX"}),
        ("ignore", {"Taiwan": "TWN", "Kosovo": "XKX"}),
    ],
)
def test_each_policy_resolves_territories_its_own_way(policy: str, expected: dict[str, str]) -> None:
    body = "Officials from Taiwan and Kosovo discussed Crimea and the Golan Heights on Monday."
    assert tagged(policy, body) == expected


def test_de_facto_control_follows_the_date() -> None:
    body = "Protests spread across Crimea."
    assert tagged("de-facto-control", body, "2010-05-01T00:00:00Z") == {"Crimea": "UKR"}
    assert tagged("de-facto-control", body, "2015-05-01T00:00:00Z") == {"Crimea": "RUS"}
    karabakh = "Refugees left Nagorno-Karabakh."
    assert tagged("de-facto-control", karabakh, "2020-10-01T00:00:00Z") == {}
    assert tagged("de-facto-control", karabakh, "2024-01-01T00:00:00Z") == {"Nagorno-Karabakh": "AZE"}


def test_kashmir_alone_names_no_side_but_its_administered_parts_can() -> None:
    body = "Troops patrolled Kashmir, and Azad Kashmir reported shelling."
    assert tagged("un-recognition", body) == {}
    assert tagged("de-facto-control", body) == {"Azad Kashmir": "PAK"}


def test_the_mention_rule_names_the_policy() -> None:
    result = ANALYZERS["un-recognition"].analyze(make_article("Gaza was quiet.", "2010-01-01T00:00:00Z"))
    assert [m["rule"] for m in result["mentions"]] == ["territory:Gaza@un-recognition"]


def test_a_custom_policy_file_is_checked(tmp_path) -> None:
    bad = tmp_path / "mine.tsv"
    bad.write_text("territory\tcountry\tfrom\tto\tbasis\ncrimea\tXXX\t\t\t\n")
    with pytest.raises(ValueError, match="unknown country 'XXX'"):
        load_policy(str(bad))
    partial = tmp_path / "partial.tsv"
    partial.write_text("territory\tcountry\tfrom\tto\tbasis\ncrimea\tRUS\t\t\t\n")
    with pytest.raises(ValueError, match="no rule for"):
        load_policy(str(partial))
    with pytest.raises(ValueError, match="unknown territory policy 'nope'"):
        load_policy("nope")
