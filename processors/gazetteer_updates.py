"""Changes to the gazetteer while the pipeline runs: new leader terms, ended terms, aliases and blocked phrases.

Updates are JSON objects, each with an `id` (the Kafka key on the `dyadwatch.gazetteer` topic, so a compacted
topic keeps the latest version of each and a null value withdraws it) and an `op`:

- `{"op": "leader", "iso3": "GBR", "role": "hog", "names": ["Jane Doe"], "short": ["Doe"], "start": "2026-12-01"}`
  adds a term (`end` optional; a short form starting with "~" needs a title before it, as in leaders.tsv);
- `{"op": "end_term", "iso3": "GBR", "name": "Keir Starmer", "end": "2026-12-01"}` ends that person's term that
  is open (or runs past `end`) on that date;
- `{"op": "alias", "iso3": "TUR", "kind": "name" | "demonym" | "capital", "text": "Türkiye Cumhuriyeti"}`;
- `{"op": "block", "text": "Jordan Peterson"}`: a phrase that never names a country.

`apply_updates` is pure: the base gazetteer plus the updates in order, validated, with a version that says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date
from typing import Any

import orjson

from dyadwatch.processors.gazetteer import Country, Gazetteer, Leader

OPS = ("leader", "end_term", "alias", "block")
ALIAS_FIELDS = {"name": "aliases", "demonym": "demonyms", "capital": "seats"}


class GazetteerUpdateError(ValueError):
    """An update that cannot be applied; the message names the update id and what is wrong."""


def _text(update: dict[str, Any], name: str, where: str) -> str:
    value = update.get(name)
    if not isinstance(value, str) or not value.strip():
        raise GazetteerUpdateError(f"{where}: '{name}' must be a non-empty string")
    return value.strip()


def _date(update: dict[str, Any], name: str, where: str, required: bool = True) -> date | None:
    value = update.get(name)
    if value in (None, "") and not required:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise GazetteerUpdateError(f"{where}: '{name}' must be an ISO date, got {value!r}") from None


def _country(gaz: Gazetteer, update: dict[str, Any], where: str) -> str:
    iso3 = _text(update, "iso3", where)
    if iso3 not in gaz.countries:
        raise GazetteerUpdateError(f"{where}: unknown country {iso3!r}")
    return iso3


def _names(update: dict[str, Any], name: str, where: str, required: bool) -> tuple[str, ...]:
    value = update.get(name, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise GazetteerUpdateError(f"{where}: '{name}' must be a list of non-empty strings")
    if required and not value:
        raise GazetteerUpdateError(f"{where}: '{name}' is empty")
    return tuple(v.strip() for v in value)


def apply_update(gaz: Gazetteer, update: dict[str, Any]) -> Gazetteer:
    """The gazetteer with one update applied."""
    if not isinstance(update, dict):
        raise GazetteerUpdateError("an update must be a JSON object")
    where = f"update {update.get('id', '?')!r}"
    op = update.get("op")
    if op == "leader":
        iso3 = _country(gaz, update, where)
        names = _names(update, "names", where, required=True)
        short = _names(update, "short", where, required=False)
        start = _date(update, "start", where)
        end = _date(update, "end", where, required=False)
        assert start is not None
        if end is not None and end < start:
            raise GazetteerUpdateError(f"{where}: the term ends before it starts")
        leader = Leader.from_forms(iso3, str(update.get("role", "")), names, short, start, end)
        return replace(gaz, leaders=(*gaz.leaders, leader))
    if op == "end_term":
        iso3 = _country(gaz, update, where)
        name = _text(update, "name", where)
        end = _date(update, "end", where)
        assert end is not None
        leaders = list(gaz.leaders)
        for index, leader in enumerate(leaders):
            if (
                leader.iso3 == iso3
                and name in leader.names
                and leader.start < end
                and (leader.end is None or leader.end > end)
            ):
                leaders[index] = replace(leader, end=end)
                return replace(gaz, leaders=tuple(leaders))
        raise GazetteerUpdateError(f"{where}: no term of {name!r} ({iso3}) is open on {end.isoformat()}")
    if op == "alias":
        iso3 = _country(gaz, update, where)
        kind = update.get("kind", "name")
        if kind not in ALIAS_FIELDS:
            raise GazetteerUpdateError(f"{where}: 'kind' must be one of {', '.join(ALIAS_FIELDS)}")
        text = _text(update, "text", where)
        country: Country = gaz.countries[iso3]
        attribute = ALIAS_FIELDS[kind]
        extended: dict[str, Any] = {attribute: (*getattr(country, attribute), text)}
        changed = replace(country, **extended)
        return replace(gaz, countries={**gaz.countries, iso3: changed})
    if op == "block":
        text = _text(update, "text", where)
        rules = {**gaz.rules, "not_country": [*gaz.rules["not_country"], text]}
        return replace(gaz, rules=rules)
    raise GazetteerUpdateError(f"{where}: 'op' must be one of {', '.join(OPS)}, got {op!r}")


def apply_updates(gaz: Gazetteer, updates: list[dict[str, Any]]) -> Gazetteer:
    """The base gazetteer with every update applied in order; its version records which updates those were."""
    for update in updates:
        gaz = apply_update(gaz, update)
    if not updates:
        return gaz
    digest = hashlib.blake2b(orjson.dumps(updates, option=orjson.OPT_SORT_KEYS), digest_size=6).hexdigest()
    return replace(gaz, versions={**gaz.versions, "updates": f"{len(updates)}-{digest}"})
