"""Country tagging: aliases, demonyms, seats of government, leaders by date, and the classic traps."""

import pytest

from tests.conftest import countries, default_analyzer, make_article


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Türkiye and Turkiye and Turkey are one country.", {"TUR"}),
        ("Burma, now Myanmar, held elections.", {"MMR"}),
        ("Ivory Coast, or Côte d'Ivoire, exports cocoa.", {"CIV"}),
        ("The DPRK, North Korea, fired a missile.", {"PRK"}),
        ("Czechia and the Czech Republic are the same.", {"CZE"}),
        ("Eswatini was called Swaziland.", {"SWZ"}),
        ("Holland is a name for the Netherlands.", {"NLD"}),
        ("The U.S. and the U.S.A. and America and the United States of America.", {"USA"}),
        ("Turkiye's president spoke.", {"TUR"}),
        ("India-Pakistan talks resumed.", {"IND", "PAK"}),
        ("Strikes hit Pakistan-administered areas.", {"PAK"}),
        ("U.S.-backed forces advanced.", {"USA"}),
        ("Turkish, Pakistani and Emirati officials met Kiwi diplomats.", {"TUR", "PAK", "ARE", "NZL"}),
    ],
)
def test_names_aliases_possessives_hyphens_demonyms(text, expected):
    assert countries(text) == expected


@pytest.mark.parametrize(
    ("seat", "code"),
    [
        ("Ankara", "TUR"),
        ("Islamabad", "PAK"),
        ("New Delhi", "IND"),
        ("Washington", "USA"),
        ("the White House", "USA"),
        ("the Pentagon", "USA"),
        ("the Kremlin", "RUS"),
        ("Beijing", "CHN"),
        ("Downing Street", "GBR"),
        ("the Élysée", "FRA"),
    ],
)
def test_seats_of_government_stand_for_the_government(seat, code):
    assert countries(f"Officials in {seat} said the decision was final.") == {code}


def test_organisations_are_tagged_as_organisations_not_countries():
    result = default_analyzer().analyze(
        make_article("The UN, the EU, NATO, ASEAN and the IAEA met in Vienna with Austria's envoy.")
    )
    assert result["orgs"] == ["UN", "EU", "NATO", "ASEAN", "IAEA"]
    assert set(result["countries"]) == {"AUT"}


class TestLeadersByDate:
    def test_sharif_in_2025_is_pakistan(self):
        assert countries("Sharif spoke to reporters.", "2025-05-25T12:00:00Z") == {"PAK"}

    @pytest.mark.parametrize(
        ("name", "code"), [("Bush", "USA"), ("Blair", "GBR"), ("Sharon", "ISR"), ("Arafat", "PSE")]
    )
    def test_2004_surnames(self, name, code):
        assert countries(f"{name} said on Monday that talks would go on.") == {code}

    def test_term_boundaries_blair(self):
        assert countries("Blair spoke.", "2007-06-26T12:00:00Z") == {"GBR"}
        assert countries("Blair spoke.", "2007-06-28T12:00:00Z") == set()

    def test_term_boundaries_bush_and_obama(self):
        assert countries("Bush spoke.", "2009-01-19T12:00:00Z") == {"USA"}
        assert countries("Bush spoke.", "2009-01-21T12:00:00Z") == set()
        assert countries("Obama spoke.", "2009-01-19T12:00:00Z") == set()
        assert countries("Obama spoke.", "2009-01-21T12:00:00Z") == {"USA"}

    def test_erdogan_before_and_after_taking_office(self):
        assert countries("Erdogan spoke.", "2002-06-01T12:00:00Z") == set()
        assert countries("Erdogan spoke.", "2003-03-15T12:00:00Z") == {"TUR"}

    def test_shehbaz_sharif_gap_between_terms(self):
        assert countries("Shehbaz Sharif spoke.", "2023-10-01T12:00:00Z") == set()
        assert countries("Shehbaz Sharif spoke.", "2024-03-05T12:00:00Z") == {"PAK"}

    def test_another_person_with_the_same_surname(self):
        assert countries("Laura Bush visited a school.") == set()
        assert countries("Chess champion Bobby Fischer was detained.") == set()

    def test_common_surname_needs_a_title(self):
        assert countries("Brown said he would run.", "2008-06-01T12:00:00Z") == set()
        assert countries("Prime Minister Brown said he would run.", "2008-06-01T12:00:00Z") == {"GBR"}

    def test_shared_surname_resolved_by_context(self):
        assert countries("Jordan's King Abdullah met officials.") == {"JOR"}
        assert countries("Malaysia's Abdullah met Thai officials.") == {"MYS", "THA"}


class TestTraps:
    def test_georgia_the_us_state(self):
        assert countries("Atlanta, Georgia: the governor signed a state budget.") == set()
        assert countries("Georgia accused Russia of backing rebels in Abkhazia.") == {"GEO", "RUS"}

    def test_jordan_and_chad_the_people(self):
        assert countries("Michael Jordan scored 40 points.") == set()
        assert countries("The striker Chad Johnson signed a new deal.") == set()
        assert countries("Chad and Jordan signed an accord.") == {"TCD", "JOR"}

    def test_lowercase_turkey_and_thanksgiving(self):
        assert countries("We ate turkey with cranberry sauce.") == set()
        assert countries("Turkey prices rose before Thanksgiving as families bought a roast.") == set()

    def test_niger_is_not_nigeria(self):
        assert countries("Niger and Nigeria share a border.") == {"NER", "NGA"}
        assert countries("Militants in the Niger Delta attacked a pipeline.") == {"NGA"}

    def test_the_two_congos(self):
        assert countries("The Democratic Republic of Congo and the Republic of Congo met.") == {"COD", "COG"}
        assert countries("Congo's army fought rebels near Kinshasa.") == {"COD"}
        assert countries("Brazzaville said Congo would hold elections.") == {"COG"}

    def test_bare_korea(self):
        assert countries("Korea's exports rose.") == {"KOR"}
        assert countries("Pyongyang said Korea would never give up its weapons.") == {"PRK"}

    def test_washington_state_and_person(self):
        assert countries("Washington state lawmakers met in Olympia.") == set()
        assert countries("The actor Denzel Washington won an award.") == set()
        assert countries("Washington imposed sanctions.") == {"USA"}

    def test_indian_ocean_and_native_americans(self):
        assert countries("A storm formed over the Indian Ocean.") == set()
        assert countries("Native American and American Indian groups protested.") == set()

    def test_dominica_and_the_dominican_republic(self):
        assert countries("Dominica and the Dominican Republic are different countries.") == {"DMA", "DOM"}

    def test_the_guineas(self):
        text = "Guinea, Guinea-Bissau, Equatorial Guinea and Papua New Guinea sent delegates."
        assert countries(text) == {"GIN", "GNB", "GNQ", "PNG"}

    def test_languages_are_not_countries(self):
        assert countries("She speaks Polish and learned French at school.") == set()
        assert countries("The statement was published in French.") == set()
        assert countries("French troops arrived.") == {"FRA"}

    def test_news_agencies(self):
        assert countries("Rain fell all day, Agence France-Presse reported.") == set()
        assert countries("Rain fell all day (Canadian Press).") == set()

    def test_dateline_country_is_tagged_but_not_paired(self):
        result = default_analyzer().analyze(
            make_article("MEISE, Belgium, Dec 16 (AFP) - Austria warned Turkey over its EU hopes.")
        )
        assert result["countries"]["BEL"]["dateline_only"] is True
        assert [d["pair"] for d in result["dyads"]] == ["AUT-TUR"]


def test_mentions_carry_offsets_sentence_kind_and_rule():
    article = make_article("Erdogan met Sharif.\nAnkara is calm.", "2025-05-25T12:00:00Z", title="Talks")
    result = default_analyzer().analyze(article)
    for mention in result["mentions"]:
        assert article.text[mention["start"] : mention["end"]] == mention["text"]
        assert mention["kind"] in {"name", "demonym", "capital", "leader"}
        assert mention["rule"]
    assert [m["sentence"] for m in result["mentions"]] == [1, 1, 2]
