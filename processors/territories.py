"""Disputed and occupied territories, resolved by a named policy file rather than a hard-coded choice.

`processors/data/territories.tsv` lists the territories and their names; each policy in
`processors/data/territory-policies/<name>.tsv` maps every territory (and, optionally, a non-member entity such as
TWN) to a country or to none, optionally per date range. DYADWATCH_TERRITORY_POLICY picks one by name or by path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from dyadwatch.processors.gazetteer import DATA_DIR, _parse_date, _read_tsv, _split, load_gazetteer

POLICY_DIR = DATA_DIR / "territory-policies"
DEFAULT_POLICY = "un-recognition"


@dataclass(frozen=True, slots=True)
class Territory:
    key: str
    names: tuple[str, ...]
    note: str


@dataclass(frozen=True, slots=True)
class _Row:
    country: str | None  # None: the territory tags no country
    start: date | None
    end: date | None
    basis: str

    def covers(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class TerritoryPolicy:
    name: str
    version: str
    rows: dict[str, tuple[_Row, ...]] = field(default_factory=dict)

    def country(self, key: str, day: date) -> str | None:
        """The country a territory (or entity) counts as on `day` under this policy; None for no country."""
        for row in self.rows.get(key, ()):
            if row.covers(day):
                return row.country
        return None

    def remaps(self, iso3: str) -> bool:
        """Whether this policy folds an entity of the gazetteer (e.g. TWN) into another state."""
        return iso3 in self.rows

    @property
    def label(self) -> str:
        return f"{self.name}:{self.version}"


@cache
def load_territories(path: Path = DATA_DIR / "territories.tsv") -> tuple[Territory, ...]:
    rows, _ = _read_tsv(path)
    return tuple(Territory(row["key"], _split(row["names"]), row["note"]) for row in rows)


def available_policies() -> list[str]:
    return sorted(path.stem for path in POLICY_DIR.glob("*.tsv"))


@cache
def load_policy(name_or_path: str = DEFAULT_POLICY) -> TerritoryPolicy:
    """A policy by name (a file in territory-policies/) or by path to a TSV file in the same format."""
    path = Path(name_or_path)
    if not (path.suffix == ".tsv" and path.is_file()):
        path = POLICY_DIR / f"{name_or_path}.tsv"
        if not path.is_file():
            raise ValueError(
                f"unknown territory policy {name_or_path!r}; use one of {', '.join(available_policies())} "
                "or the path of a policy .tsv file"
            )
    rows, version = _read_tsv(path)
    known = load_gazetteer().countries
    territories = {t.key for t in load_territories()}
    table: dict[str, list[_Row]] = {}
    for lineno, row in enumerate(rows, start=2):
        where = f"{path.name} row {lineno}"
        key, country = row["territory"], (row["country"] or "").strip()
        if key not in territories and key not in known:
            raise ValueError(f"{where}: {key!r} is neither a territory in territories.tsv nor a gazetteer entity")
        if country != "-" and country not in known:
            raise ValueError(f"{where}: unknown country {country!r} (use an ISO3 code of countries.tsv, or -)")
        start = _parse_date(row["from"], where) if row.get("from") else None
        end = _parse_date(row["to"], where) if row.get("to") else None
        table.setdefault(key, []).append(_Row(None if country == "-" else country, start, end, row.get("basis") or ""))
    missing = territories - set(table)
    if missing:
        raise ValueError(f"{path.name}: no rule for {', '.join(sorted(missing))} (use - for no country)")
    return TerritoryPolicy(path.stem, version, {k: tuple(v) for k, v in table.items()})
