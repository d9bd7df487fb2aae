"""Input articles: decoding and validation, with one documented error type and a fixed set of reasons."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from dyadwatch.processors.instants import format_instant, parse_instant
from dyadwatch.processors.language import judge
from dyadwatch.processors.text import clean_text

# Every reason an input record can be refused for; the dead-letter topic and metrics use exactly these.
REASONS = (
    "invalid_encoding",
    "invalid_json",
    "not_an_object",
    "missing_field",
    "wrong_type",
    "empty_text",
    "too_large",
    "bad_date",
    "future_date",
    "non_english",
    "too_late",
    "internal_error",
)
DEFAULT_MAX_BYTES = 256 * 1024
FUTURE_TOLERANCE = timedelta(days=1)


class ArticleError(ValueError):
    """An input record that cannot be processed; `reason` is one of REASONS, the message says what to fix."""

    def __init__(self, reason: str, message: str) -> None:
        assert reason in REASONS, reason
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    body: str
    published_at: datetime
    source: str | None = None
    url: str | None = None
    language: str | None = None

    @property
    def text(self) -> str:
        """What is tagged: the cleaned title, a blank line, the cleaned body."""
        return f"{self.title}\n\n{self.body}" if self.title else self.body


def _string_field(obj: dict[str, Any], name: str, *, required: bool) -> str | None:
    if name not in obj or obj[name] is None:
        if required:
            raise ArticleError("missing_field", f"field '{name}' is missing")
        return None
    value = obj[name]
    if not isinstance(value, str):
        raise ArticleError("wrong_type", f"field '{name}' must be a string, got {type(value).__name__}")
    return value


def parse_article(
    obj: Any,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    now: datetime | None = None,
    check_language: bool = True,
) -> Article:
    """Validate a decoded JSON value as an article; raise ArticleError with a reason otherwise."""
    if not isinstance(obj, dict):
        raise ArticleError("not_an_object", f"an article must be a JSON object, got {type(obj).__name__}")
    article_id = _string_field(obj, "id", required=True)
    assert article_id is not None
    if not article_id.strip():
        raise ArticleError("missing_field", "field 'id' is empty")
    if len(article_id) > 512:
        raise ArticleError("wrong_type", "field 'id' is longer than 512 characters")
    title = _string_field(obj, "title", required=False) or ""
    body = _string_field(obj, "body", required=True)
    assert body is not None
    size = len(title.encode("utf-8", "surrogatepass")) + len(body.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise ArticleError("too_large", f"title and body are {size} bytes, over the limit of {max_bytes}")
    published = _string_field(obj, "published_at", required=True)
    assert published is not None
    try:
        published_at = parse_instant(published)
    except ValueError:
        raise ArticleError(
            "bad_date", f"field 'published_at' is not an ISO 8601 date-time: {published[:40]!r}"
        ) from None
    if now is not None and published_at > now + FUTURE_TOLERANCE:
        raise ArticleError("future_date", f"published_at {format_instant(published_at)} is in the future")
    language = _string_field(obj, "language", required=False)
    source = _string_field(obj, "source", required=False)
    url = _string_field(obj, "url", required=False)
    title, body = clean_text(title), clean_text(body)
    if not body:
        raise ArticleError("empty_text", "field 'body' is empty after removing markup and whitespace")
    if check_language:
        _check_english(language, f"{title} {body}")
    return Article(
        id=article_id,
        title=title,
        body=body,
        published_at=published_at,
        source=source,
        url=url,
        language=language,
    )


def _check_english(declared: str | None, text: str) -> None:
    """A declared language is taken at its word; otherwise the text's language is identified."""
    if declared:
        if not declared.lower().startswith("en"):
            raise ArticleError("non_english", f"language {declared!r} is not supported (English only)")
        return
    verdict = judge(text)
    if not verdict.english:
        raise ArticleError(
            "non_english",
            f"the text reads as {verdict.language!r}, English at p={verdict.english_probability:.4f} (English only)",
        )


def decode_article(raw: bytes | str, **options: Any) -> Article:
    """Decode one JSON document (bytes must be UTF-8) and validate it as an article."""
    if isinstance(raw, bytes):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ArticleError("invalid_encoding", f"not valid UTF-8 at byte {exc.start}") from None
    max_bytes = options.get("max_bytes", DEFAULT_MAX_BYTES)
    if len(raw) > 4 * max_bytes + 4096:
        raise ArticleError("too_large", f"record is {len(raw)} bytes, far over the limit of {max_bytes}")
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ArticleError("invalid_json", f"not valid JSON: {exc}") from None
    return parse_article(obj, **options)


def split_records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(line number, raw record) from JSON lines, a JSON array, or one (possibly pretty-printed) JSON object.

    Records are not validated here: a broken line is yielded as it is, for decode_article to refuse with a reason.
    """
    stripped = data.lstrip()
    if stripped.startswith(b"["):
        try:
            items = orjson.loads(data)
        except orjson.JSONDecodeError:
            yield 1, data
            return
        for index, item in enumerate(items if isinstance(items, list) else [items], start=1):
            yield index, orjson.dumps(item)
        return
    lines = data.splitlines()
    first = next((line for line in lines if line.strip()), b"")
    if stripped.startswith(b"{") and not _parses(first):
        yield 1, data  # a single pretty-printed document
        return
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield number, line


def _parses(raw: bytes) -> bool:
    try:
        orjson.loads(raw)
    except orjson.JSONDecodeError:
        return False
    return True


def utcnow() -> datetime:
    return datetime.now(UTC)
