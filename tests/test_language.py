"""Language identification as the decoder applies it: English news is never refused, other languages are.

The English sets are read by path from ../shared (AG News World development rows 950-1899, VADER's NYT editorial
snippets); the non-English sample is the project's own (samples/non_english.jsonl: 15 languages, short and long).
"""

from __future__ import annotations

from collections import Counter

import orjson
import pytest

from dyadwatch.processors.article import ArticleError, parse_article
from dyadwatch.processors.evaluation import read_agnews
from dyadwatch.processors.language import judge
from tests.conftest import ROOT, shared_path

PUBLISHED = "2004-11-01T00:00:00Z"


def refusal(title: str, body: str) -> str | None:
    try:
        parse_article({"id": "t", "title": title, "body": body, "published_at": PUBLISHED})
    except ArticleError as exc:
        return exc.reason
    return None


def test_no_development_row_of_ag_news_world_is_refused():
    rows = read_agnews(shared_path("corpora", "ag_news_world", "test_world.csv"))[950:1900]
    assert len(rows) == 950
    refused = [(950 + n, title) for n, (title, body) in enumerate(rows) if refusal(title, body)]
    assert refused == []


def test_no_nyt_editorial_snippet_is_refused():
    path = shared_path("corpora", "vader_groundtruth", "nytEditorialSnippets_GroundTruth.txt")
    snippets = [line.split("\t", 2)[2].strip() for line in path.read_text().splitlines() if line.count("\t") >= 2]
    assert len(snippets) == 5190
    assert [text for text in snippets if refusal("", text)] == []


def non_english_sample() -> list[dict]:
    return [orjson.loads(line) for line in (ROOT / "samples" / "non_english.jsonl").read_bytes().splitlines()]


def test_the_non_english_sample_is_refused():
    sample = non_english_sample()
    assert len({item["language"] for item in sample}) >= 10
    assert Counter(item["length"] for item in sample) == {"short": 45, "long": 45}
    passed = [item["text"] for item in sample if refusal("", item["text"]) is None]
    assert len(passed) <= 0.05 * len(sample), passed


@pytest.mark.parametrize(
    "text",
    [
        "Sure.",  # too short to judge
        "RICHARD GRAYSON  Davie, Fla., Jan. 9, 2000",  # names, places and dates
        "UK cannot hold suspects indefinitely (OfficialWire) -- 12/16/04 -- Britain's highest court ruled Thursday",
        "Putin, Erdogan in Ankara talks",
    ],
)
def test_english_edge_cases_pass(text):
    assert judge(text).english


def test_the_refusal_names_the_language_it_read():
    with pytest.raises(ArticleError, match="reads as 'fr'"):
        parse_article({"id": "t", "body": "Le gouvernement a annoncé mardi une nouvelle série de mesures.",
                       "published_at": PUBLISHED})  # fmt: skip


def test_a_declared_language_is_taken_at_its_word():
    french = "Le gouvernement a annoncé mardi une nouvelle série de mesures pour les agriculteurs."
    assert parse_article({"id": "t", "body": french, "published_at": PUBLISHED, "language": "en"}).body == french
    with pytest.raises(ArticleError, match="not supported"):
        parse_article({"id": "t", "body": "India and Pakistan held talks.", "published_at": PUBLISHED,
                       "language": "de"})  # fmt: skip


def test_headlines_alone_pass_but_the_french_one():
    titles = [title for title, _ in read_agnews(shared_path("corpora", "ag_news_world", "test_world.csv"))[950:1900]]
    refused = [title for title in titles if refusal("", title)]
    assert [title[:20] for title in refused] == ["Chercher dans toute "]  # a French site's label scraped as a title
