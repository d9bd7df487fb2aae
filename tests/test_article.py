"""Bad input gets a documented ArticleError with a reason from a fixed set, never another exception."""

from datetime import UTC, datetime

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyadwatch.processors.article import REASONS, ArticleError, decode_article

NOW = datetime(2026, 11, 28, tzinfo=UTC)
GOOD = {
    "id": "a1",
    "title": "Talks",
    "body": "India and Pakistan held talks on trade.",
    "published_at": "2026-11-01",
}


def reason(raw) -> str:
    with pytest.raises(ArticleError) as info:
        decode_article(raw if isinstance(raw, bytes) else orjson.dumps(raw), now=NOW, max_bytes=1000)
    assert info.value.reason in REASONS
    assert info.value.message
    return info.value.reason


def test_a_good_article_decodes():
    article = decode_article(orjson.dumps(GOOD), now=NOW)
    assert article.id == "a1" and article.published_at.tzinfo is not None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"{not json", "invalid_json"),
        (b"", "invalid_json"),
        (b"\xff\xfe\x00garbage", "invalid_encoding"),
        (bytes(range(256)), "invalid_encoding"),
        ([1, 2, 3], "not_an_object"),
        ("just a string", "not_an_object"),
        ({**GOOD, "id": 7}, "wrong_type"),
        ({**GOOD, "body": ["a", "list"]}, "wrong_type"),
        ({**GOOD, "published_at": 1700000000}, "wrong_type"),
        ({k: v for k, v in GOOD.items() if k != "id"}, "missing_field"),
        ({k: v for k, v in GOOD.items() if k != "body"}, "missing_field"),
        ({k: v for k, v in GOOD.items() if k != "published_at"}, "missing_field"),
        ({**GOOD, "id": "  "}, "missing_field"),
        ({**GOOD, "body": ""}, "empty_text"),
        ({**GOOD, "body": "   \n\t "}, "empty_text"),
        ({**GOOD, "body": "<p></p>"}, "empty_text"),
        ({**GOOD, "body": "x" * 2000}, "too_large"),
        ({**GOOD, "published_at": "yesterday"}, "bad_date"),
        ({**GOOD, "published_at": "2026-13-45"}, "bad_date"),
        ({**GOOD, "published_at": "2031-01-01T00:00:00Z"}, "future_date"),
        ({**GOOD, "language": "de"}, "non_english"),
        (
            {
                **GOOD,
                "body": "La reunión entre los dos países se celebró en la capital y los ministros firmaron un acuerdo.",
            },
            "non_english",
        ),
        (
            {
                **GOOD,
                "body": "Президенты двух стран встретились в столице и подписали соглашение о торговле и о мире.",
            },
            "non_english",
        ),
    ],
)
def test_bad_records_are_refused_with_a_reason(raw, expected):
    assert reason(raw) == expected


def test_markup_and_wire_escapes_are_cleaned():
    article = decode_article(
        orjson.dumps({**GOOD, "body": "Jordan #39;s king &lt;b&gt;met&lt;/b&gt; quot;friends quot; there."}),
        now=NOW,
    )
    assert article.body == 'Jordan\'s king met "friends" there.'


def test_split_records_reads_lines_arrays_and_one_pretty_document():
    from dyadwatch.processors.article import split_records

    lines = b'{"id": "a"}\n\n{broken\n{"id": "c"}\n'
    assert list(split_records(lines)) == [(1, b'{"id": "a"}'), (3, b"{broken"), (4, b'{"id": "c"}')]
    assert [orjson.loads(raw)["id"] for _, raw in split_records(b'[{"id": "a"}, {"id": "b"}]')] == ["a", "b"]
    pretty = orjson.dumps({"id": "p", "body": "x"}, option=orjson.OPT_INDENT_2)
    assert list(split_records(pretty)) == [(1, pretty)]


@settings(max_examples=1000, deadline=None)
@given(
    st.text(alphabet=st.characters(max_codepoint=127)) | st.text("\x00\x07\t\n\r\x0b\x1f\x7f a\u200b\u2028\ufeff\u00e9")
)
def test_control_characters_are_deleted_alike_on_both_paths(text: str) -> None:
    from dyadwatch.processors.text import _DELETE_CONTROL, delete_control

    assert delete_control(text) == text.translate(_DELETE_CONTROL)
