"""The gazetteer: countries, leaders with their terms, organisations and disambiguation rules, read from data files.

Everything here is data loading; matching lives in :mod:`processors.matcher`, resolution in :mod:`processors.tagger`.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

DATA_DIR = Path(str(resources.files("dyadwatch.processors") / "data"))


@dataclass(frozen=True, slots=True)
class Country:
    iso3: str
    status: str
    name: str
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...]
    seats: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Leader:
    iso3: str
    role: str
    name: str
    names: tuple[str, ...]
    short: tuple[str, ...]  # surname forms; "~" prefix stripped, see needs_title
    needs_title: frozenset[str]
    start: date
    end: date | None

    @classmethod
    def from_forms(
        cls, iso3: str, role: str, names: tuple[str, ...], short: tuple[str, ...], start: date, end: date | None
    ) -> Leader:
        """A term from its data-file forms: short forms with a leading "~" only count after a title."""
        return cls(
            iso3=iso3,
            role=role,
            name=names[0],
            names=names,
            short=tuple(s.lstrip("~") for s in short),
            needs_title=frozenset(s[1:] for s in short if s.startswith("~")),
            start=start,
            end=end,
        )

    def in_office(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)

    def describe(self) -> str:
        end = self.end.isoformat() if self.end else ""
        return f"{self.name} ({self.iso3} {self.role} {self.start.isoformat()}..{end})"


@dataclass(frozen=True, slots=True)
class Org:
    key: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Gazetteer:
    countries: dict[str, Country]
    leaders: tuple[Leader, ...]
    orgs: tuple[Org, ...]
    rules: dict
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return "+".join(f"{k}:{v}" for k, v in sorted(self.versions.items()))


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (cell or "").split("|") if p.strip())


def _read_tsv(path: Path) -> tuple[list[dict[str, str]], str]:
    """Rows of a '#'-commented TSV file, and the value of its '# version:' comment."""
    version = "unversioned"
    lines = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                if line.startswith("# version:"):
                    version = line.split(":", 1)[1].strip()
                continue
            if line.strip():
                lines.append(line)
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    return rows, version


def _parse_date(text: str, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{where}: bad date {text!r}") from exc


def load_countries(path: Path) -> tuple[dict[str, Country], str]:
    rows, version = _read_tsv(path)
    countries = {}
    for row in rows:
        country = Country(
            iso3=row["iso3"],
            status=row["status"],
            name=row["name"],
            aliases=_split(row["aliases"]),
            demonyms=_split(row["demonyms"]),
            seats=_split(row["seats"]),
        )
        if country.iso3 in countries:
            raise ValueError(f"{path.name}: duplicate country {country.iso3}")
        countries[country.iso3] = country
    return countries, version


def load_leaders(path: Path, known: dict[str, Country]) -> tuple[tuple[Leader, ...], str]:
    rows, version = _read_tsv(path)
    leaders = []
    for lineno, row in enumerate(rows, start=2):
        where = f"{path.name} row {lineno}"
        if row["iso3"] not in known:
            raise ValueError(f"{where}: unknown country {row['iso3']}")
        names = _split(row["names"])
        if not names:
            raise ValueError(f"{where}: no name")
        raw_short = _split(row["short"])
        start = _parse_date(row["start"], where)
        end = _parse_date(row["end"], where) if row["end"] else None
        if end is not None and end < start:
            raise ValueError(f"{where}: term ends before it starts")
        leaders.append(Leader.from_forms(row["iso3"], row["role"], names, raw_short, start, end))
    return tuple(leaders), version


def load_orgs(path: Path) -> tuple[tuple[Org, ...], str]:
    rows, version = _read_tsv(path)
    return tuple(Org(key=row["key"], names=_split(row["names"])) for row in rows), version


@cache
def load_gazetteer(data_dir: Path = DATA_DIR) -> Gazetteer:
    """Read every gazetteer file once per process."""
    countries, v_countries = load_countries(data_dir / "countries.tsv")
    leaders, v_leaders = load_leaders(data_dir / "leaders.tsv", countries)
    orgs, v_orgs = load_orgs(data_dir / "orgs.tsv")
    rules = json.loads((data_dir / "rules.json").read_text(encoding="utf-8"))
    return Gazetteer(
        countries=countries,
        leaders=leaders,
        orgs=orgs,
        rules=rules,
        versions={
            "countries": v_countries,
            "leaders": v_leaders,
            "orgs": v_orgs,
            "rules": rules.get("version", "unversioned"),
        },
    )
