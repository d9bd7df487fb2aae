from datetime import date

from dyadwatch.processors.gazetteer import load_gazetteer


def test_every_un_member_and_observer_plus_taiwan_and_kosovo():
    gaz = load_gazetteer()
    statuses = [c.status for c in gaz.countries.values()]
    assert statuses.count("member") == 193
    assert {"VAT", "PSE"} <= {c.iso3 for c in gaz.countries.values() if c.status == "observer"}
    assert {"TWN", "XKX"} <= set(gaz.countries)
    assert all(len(code) == 3 and code.isupper() for code in gaz.countries)


def test_leaders_are_many_dated_and_point_at_known_countries():
    gaz = load_gazetteer()
    assert len(gaz.leaders) >= 600
    for leader in gaz.leaders:
        assert leader.iso3 in gaz.countries
        assert leader.role in {"hos", "hog", "hos/hog", "fm"}
        assert leader.end is None or leader.end >= leader.start
        assert leader.end is None or leader.end >= date(2000, 1, 1), leader.describe()


def test_organisations_are_never_countries():
    gaz = load_gazetteer()
    org_names = {name for org in gaz.orgs for name in org.names}
    country_names = {n for c in gaz.countries.values() for n in (c.name, *c.aliases, *c.demonyms, *c.seats)}
    assert not org_names & country_names
    assert {"UN", "EU", "NATO", "ASEAN", "IAEA"} <= {org.key for org in gaz.orgs}


def test_data_files_carry_versions():
    versions = load_gazetteer().versions
    assert set(versions) == {"countries", "leaders", "orgs", "rules"}
    assert "unversioned" not in versions.values()
