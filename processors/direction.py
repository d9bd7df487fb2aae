"""Which way tone goes between two countries in a clause, from word order alone (no parser needed).

English news prose is mostly subject-verb-object: in "India has expressed strong concerns over Turkish support"
the earlier country speaks or acts and the later one is the target. Two patterns turn that around or cancel it:
a passive agent ("Pakistan was attacked by India": the country after "by" acts) and coordination ("India and
Pakistan signed", "talks between Ankara and Islamabad", "India-Pakistan conflict"), where both act alike.
The words are the text between the two mentions, lower-cased, with other countries' names masked out.
"""

from __future__ import annotations

from typing import Final

COORDINATION: Final = frozenset({",", "and", "-", "–", "'s", "’s", "or", "&", "both", "of", "between", "with"})
TITLES: Final = frozenset(
    {"president", "prime", "minister", "premier", "chancellor", "king", "queen", "foreign", "secretary", "leader",
     "counterpart", "mr", "mr.", "general", "gen.", "sheikh", "emir", "pm", "state", "of", "the"}
)  # fmt: skip
PASSIVE_AUXILIARIES: Final = frozenset({"was", "were", "is", "are", "been", "being", "be", "get", "got", "gets"})


def way_of(words: list[str]) -> str:
    """ "forward" (left acts on right), "backward" (right acts on left) or "both"."""
    if all(word in COORDINATION or word in TITLES for word in words):
        return "both"
    if words and words[-1] == "by" and any(word in PASSIVE_AUXILIARIES or word.endswith("ed") for word in words):
        return "backward"
    return "forward"


def directions(left: str, right: str, way: str) -> list[tuple[str, str]]:
    """(source, target) country pairs that one scored clause speaks for."""
    if way == "both":
        return [(left, right), (right, left)]
    if way == "backward":
        return [(right, left)]
    return [(left, right)]
