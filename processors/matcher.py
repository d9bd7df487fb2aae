"""spaCy pipeline: a blank English tokenizer, a sentencizer and the ``dyadwatch_gazetteer`` PhraseMatcher component.

The component turns the gazetteer data into phrase patterns once and marks every longest match in
``doc.spans["dyadwatch"]``; the span label is the matched surface form, which :attr:`GazetteerMatcher.entries`
maps to what it may mean (a country name, a demonym, a seat of government, a leader, an organisation, or a
phrase that is explicitly *not* a country).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex

from processors.gazetteer import Gazetteer, load_gazetteer

SPAN_KEY = "dyadwatch"
# Sentence ends: the sentencizer's default punctuation plus line breaks (title / paragraph boundaries).
SENTENCE_ENDS = [".", "!", "?", "\n", "\n\n", "\n\n\n", "…", "。"]


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str  # name | demonym | capital | leader | org | block
    target: str  # ISO3 code, leader index, org key, or "" for block
    full: bool = True  # for leaders: a full name (True) or a surname-only form (False)


def _surface_entries(gaz: Gazetteer) -> dict[str, list[Entry]]:
    entries: dict[str, list[Entry]] = {}

    def add(surface: str, entry: Entry, upper: bool = False) -> None:
        forms = {surface, surface.upper()} if upper and len(surface) > 3 else {surface}
        for form in forms:
            bucket = entries.setdefault(form, [])
            if entry not in bucket:
                bucket.append(entry)

    no_plural = set(gaz.rules["possessive_without_apostrophe"]["exclude"])
    for iso3, country in gaz.countries.items():
        for name in (country.name, *country.aliases):
            add(name, Entry("name", iso3), upper=True)
        if " " not in country.name and not country.name.endswith("s") and country.name not in no_plural:
            add(country.name + "s", Entry("name", iso3))
        for demonym in country.demonyms:
            add(demonym, Entry("demonym", iso3), upper=True)
        for seat in country.seats:
            add(seat, Entry("capital", iso3), upper=True)
    for index, leader in enumerate(gaz.leaders):
        for name in leader.names:
            add(name, Entry("leader", str(index), full=True))
        for short in leader.short:
            add(short, Entry("leader", str(index), full=False))
    for org in gaz.orgs:
        for name in org.names:
            add(name, Entry("org", org.key), upper=True)
    for phrase in gaz.rules["not_country"]:
        add(phrase, Entry("block", ""))
    for surface, iso3 in gaz.rules["hyphen_only"].items():
        if not surface.startswith("_"):
            add(surface, Entry("name", iso3))
    return entries


class GazetteerMatcher:
    """Marks gazetteer phrases in a Doc (longest match wins, left to right)."""

    def __init__(self, nlp: Language, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.entries = _surface_entries(gazetteer)
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        surfaces = sorted(self.entries)
        for surface, pattern in zip(surfaces, nlp.tokenizer.pipe(surfaces), strict=True):
            self.matcher.add(surface, [pattern])

    def __call__(self, doc: Doc) -> Doc:
        matches = self.matcher(doc)
        # Longest first, then leftmost; keep those that do not overlap a kept one.
        matches.sort(key=lambda m: (m[1] - m[2], m[1]))
        taken = bytearray(len(doc))
        kept = []
        for match_id, start, end in matches:
            if any(taken[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
            kept.append((start, end, match_id))
        kept.sort()
        doc.spans[SPAN_KEY] = [Span(doc, start, end, label=match_id) for start, end, match_id in kept]
        return doc


@Language.factory("dyadwatch_gazetteer")
def make_gazetteer_matcher(nlp: Language, name: str) -> GazetteerMatcher:
    return GazetteerMatcher(nlp, load_gazetteer())


@cache
def build_pipeline() -> Language:
    """spacy.blank("en") + sentencizer + dyadwatch_gazetteer; built once per process."""
    nlp = spacy.blank("en")
    # Split "U.S.-backed" into "U.S." "-" "backed" like "India-Pakistan" already is.
    infixes = [*nlp.Defaults.infixes, r"(?<=[A-Za-z]\.)-(?=[A-Za-z])"]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    nlp.add_pipe("sentencizer", config={"punct_chars": SENTENCE_ENDS})
    nlp.add_pipe("dyadwatch_gazetteer")
    return nlp
