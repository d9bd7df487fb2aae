"""Property-based tests (hypothesis) over what strangers control: the raw record and the article text.

Whatever the input, the decoder either returns an Article or raises the documented ArticleError with
one of its fixed reasons; tagging never raises; every text that leaves in an evidence field is one
plain line without control characters and within its length cap.
"""

from __future__ import annotations

import os
import re

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dyadwatch.processors.analysis import Analyzer
from dyadwatch.processors.article import REASONS, Article, ArticleError, decode_article, parse_article
from dyadwatch.processors.instants import parse_instant
from dyadwatch.processors.limits import TextLimits
from dyadwatch.processors.text import clean_text, plain_snippet

# Deadlines off: tests never judge wall-clock time (`make fuzz` and bench/bench_hostile.py do). More examples:
# DYADWATCH_PROPERTY_EXAMPLES=5000 make test
EXAMPLES = int(os.environ.get("DYADWATCH_PROPERTY_EXAMPLES", "300"))
PROPERTY_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
CLEANED_AWAY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u2028\u2029\ufeff]")  # clean_text keeps \t \n \r

# Words the tagger reacts to, mixed with arbitrary text, so examples reach the deep paths.
VOCABULARY = [
    "Turkey", "Turkiye's", "Pakistan", "India-Pakistan", "Indian", "Erdogan", "Sharif", "Bush", "Blair", "Washington",
    "the Kremlin", "Georgia", "Jordan", "Chad", "Niger", "UN", "NATO", "said", "condemned", "praised", "talks", "war",
    "killed", "signed", "accord", "not", "but", "Mr.", "U.S.", ".", ",", "!", "?", "\n", "\n\n", " ", "—", "'s", '"',
    "<b>", "</p>", "&amp;", "#39;", "quot;", "\\", "\x00", "\u200b", "\ufeff", "ISLAMABAD (Reuters) -", "(AP)",
]  # fmt: skip
words = st.one_of(st.sampled_from(VOCABULARY), st.text(max_size=12))
prose = st.lists(words, max_size=120).map(" ".join)
json_integers = st.integers(-(2**63), 2**64 - 1)  # what JSON encoders emit; larger ones are tested as raw bytes
json_scalars = st.one_of(st.none(), st.booleans(), json_integers, st.floats(allow_nan=False), st.text(max_size=30))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=10), inner, max_size=4), max_leaves=12)  # fmt: skip
field_values = st.one_of(json_values, prose, st.sampled_from(["2004-11-01T00:00:00Z", "2025-05-10", "yesterday", ""]))
records = st.fixed_dictionaries(
    {},
    optional={name: field_values for name in ("id", "title", "body", "published_at", "source", "url", "language")},
)


def _decodes_or_refuses(raw: bytes) -> Article | None:
    """Refused with a documented reason, or decoded into exactly what the record says, cleaned."""
    try:
        article = decode_article(raw)
    except ArticleError as exc:
        assert exc.reason in REASONS and exc.message
        return None
    record = orjson.loads(raw)
    assert isinstance(record, dict)
    assert article.id == record["id"] and article.id.strip()
    assert article.body == clean_text(record["body"]) and article.body
    assert article.title == clean_text(record.get("title") or "")
    assert article.published_at == parse_instant(record["published_at"]) and article.published_at.tzinfo is not None
    assert (article.source, article.url, article.language) == tuple(map(record.get, ("source", "url", "language")))
    assert not CLEANED_AWAY.search(article.title) and not CLEANED_AWAY.search(article.body)
    return article


@PROPERTY_SETTINGS
@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_are_refused_with_a_reason(raw: bytes) -> None:
    _decodes_or_refuses(raw)


@PROPERTY_SETTINGS
@given(json_values)
def test_any_json_value_decodes_or_is_refused_with_a_reason(value: object) -> None:
    _decodes_or_refuses(orjson.dumps(value))


@PROPERTY_SETTINGS
@given(records)
def test_any_mix_of_field_types_decodes_or_is_refused_with_a_reason(record: dict) -> None:
    _decodes_or_refuses(orjson.dumps(record))


well_formed = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=40), "body": prose,
     "published_at": st.sampled_from(["2004-11-01T00:00:00Z", "2025-05-10", "2026-01-01T12:30:00+05:30"])},
    optional={"title": prose, "source": st.text(max_size=20), "url": st.text(max_size=40), "language": st.just("en")},
)  # fmt: skip


@PROPERTY_SETTINGS
@given(well_formed)
def test_a_well_formed_record_decodes_to_what_it_says(record: dict) -> None:
    article = _decodes_or_refuses(orjson.dumps(record))
    if record.get("language") == "en" and record["id"].strip() and clean_text(record["body"]):
        assert article is not None  # a declared English record with an id and a body is never refused


ANALYZER = Analyzer(limits=TextLimits(max_chars=4_000, max_sentences=40))


@PROPERTY_SETTINGS
@given(title=prose, body=prose, year=st.integers(1990, 2030))
def test_tagging_any_text_never_raises_and_outputs_plain_bounded_evidence(title: str, body: str, year: int) -> None:
    try:
        article = parse_article(
            {"id": "p", "title": title, "body": body, "published_at": f"{year}-06-01T00:00:00Z"}, check_language=False
        )
    except ArticleError as exc:
        assert exc.reason in REASONS
        return
    result = ANALYZER.analyze(article)
    orjson.dumps(result)
    text = article.text if "truncated" not in result else None
    for mention in result["mentions"]:
        assert len(mention["country"]) == 3 and mention["start"] < mention["end"]
        if text is not None:
            assert text[mention["start"] : mention["end"]] == mention["text"]
    for dyad in result["dyads"]:
        assert dyad["a"] < dyad["b"] and -1 <= dyad["sentiment"] <= 1
        for evidence in dyad["evidence"]:
            assert len(evidence["text"]) <= 300 and not CONTROL.search(evidence["text"])


@PROPERTY_SETTINGS
@given(st.text(max_size=2000), st.integers(2, 400))
def test_snippets_are_one_plain_line_within_their_cap(text: str, limit: int) -> None:
    snippet = plain_snippet(text, limit)
    assert len(snippet) <= limit and not CONTROL.search(snippet)


@PROPERTY_SETTINGS
@given(st.text(max_size=2000))
def test_cleaned_text_has_no_control_characters_or_markup_tags(text: str) -> None:
    cleaned = clean_text(text)
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", cleaned)
    assert not re.search(r"<[a-zA-Z/][^<>]{0,100}>", cleaned)
