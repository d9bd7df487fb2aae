"""ISO 8601 instants in UTC: the one place the project formats or parses them."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache


def parse_instant(text: str) -> datetime:
    """An ISO 8601 date or date-time (`Z` allowed); a value without a time zone is taken as UTC."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def epoch_of(text: str) -> float:
    """Epoch seconds of an ISO 8601 instant (see parse_instant)."""
    return parse_instant(text).timestamp()


def format_instant(moment: datetime) -> str:
    """`2026-11-01T09:30:00Z` (microseconds when present), in UTC whatever the input's zone."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# Open windows' bounds and first-article times recur in every update of a window; last-article times mostly do not,
# and a larger cache only fills with them (65,536 entries held about 15 MB in a soak).
@lru_cache(maxsize=4_096)
def format_epoch(timestamp: float) -> str:
    """format_instant of epoch seconds."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")


def now_instant() -> str:
    return format_instant(datetime.now(UTC))
