"""Text clean-up before tagging: HTML entities and tags, wire-feed escape quirks, control characters."""

from __future__ import annotations

import html
import re
from typing import Final

# Entities that lost their ampersand on the way through some wire feeds, leaving a space in its place:
# "Jordan #39;s" for "Jordan's", " quot;" for '"'.
_BARE_NUMERIC_ENTITY: Final = re.compile(r"(?: |(?<![&\w]))#(\d{2,5});")
_BARE_NAMED_ENTITY: Final = re.compile(r"(?: |(?<![&\w]))(quot|amp|lt|gt|apos|nbsp);")
_TAG: Final = re.compile(r"<[^<>]{0,200}>")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u2028\u2029\ufeff]")
_SPACES: Final = re.compile(r"[ \t\u00a0]{2,}")
_DELETE_CONTROL: Final = dict.fromkeys(
    [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x200B, 0x2028, 0x2029, 0xFEFF]
)
_ASCII_CONTROL: Final = bytes(c for c in _DELETE_CONTROL if c < 128)
_BARE_NAMES: Final = ("quot;", "amp;", "lt;", "gt;", "apos;", "nbsp;")
_NAMED: Final = {"quot": '"', "amp": "&", "lt": "<", "gt": ">", "apos": "'", "nbsp": " "}


def _numeric(match: re.Match[str]) -> str:
    code = int(match.group(1))
    return chr(code) if 0 < code < 0x110000 and not 0xD800 <= code <= 0xDFFF else ""


def clean_text(text: str) -> str:
    """Plain text: entities decoded, markup removed, control characters dropped, runs of spaces collapsed."""
    if ";" in text:
        if "#" in text:
            text = _BARE_NUMERIC_ENTITY.sub(_numeric, text)
        if any(name in text for name in _BARE_NAMES):
            text = _BARE_NAMED_ENTITY.sub(lambda m: _NAMED[m.group(1)], text)
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "\\" in text:
        text = text.replace("\\", " ")
    text = delete_control(text)
    if "  " in text or "\t" in text or "\u00a0" in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


def delete_control(text: str) -> str:
    """text without its control and invisible characters (_DELETE_CONTROL); on ASCII text, a bytes.translate,
    several times cheaper than str.translate."""
    if text.isascii():
        return text.encode().translate(None, _ASCII_CONTROL).decode()
    return text.translate(_DELETE_CONTROL)


def plain_snippet(text: str, limit: int = 300) -> str:
    """Text safe to put in an evidence field or an alert: one line, no control characters, at most `limit` chars."""
    stripped = text.strip()
    if stripped.isprintable() and "  " not in stripped:
        text = stripped  # nothing else to do: control, line and no-break characters are all unprintable
    else:
        text = _CONTROL.sub("", text).replace("\n", " ").replace("\r", " ").replace("\t", " ").strip()
        text = _SPACES.sub(" ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
