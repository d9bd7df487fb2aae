"""Why a record of an internal topic (a dyads batch, a gazetteer update) is skipped rather than read."""

from __future__ import annotations


class SkippedRecord(ValueError):
    """A record skipped whole; `reason` is one of metrics.INTERNAL_REASONS (a bounded label), the message says what
    was wrong with it."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
