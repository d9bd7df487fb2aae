"""The most one article may cost: caps on the characters and sentences processed and on the mentions and pairs
listed, so that no input, however long or strange, stalls a worker or outgrows a Kafka record. Articles over a
cap are cut, tagged, and flagged (and counted) as truncated."""

from __future__ import annotations

from dataclasses import dataclass, replace

from dyadwatch.processors.article import Article
from dyadwatch.processors.context import sentence_ends, sentence_starts


@dataclass(frozen=True)
class TextLimits:
    max_chars: int = 50_000  # about 8,000 words: longer than nearly any news article
    max_sentences: int = 1_000
    # What one mentions record may list, so that it stays far below Kafka's 1 MB message limit.
    max_mentions: int = 1_000
    max_pairs: int = 300


def cap_article(article: Article, limits: TextLimits) -> tuple[Article, str | None]:
    """The article cut to the limits, and which limit cut it ("chars", "sentences") or None."""
    text = article.text
    reason = None
    keep = len(text)
    if keep > limits.max_chars:
        keep, reason = limits.max_chars, "chars"
    head = text[:keep]
    # Every sentence but the last ends at a sentence mark: counting them (fast, in C) rules out the cap for nearly
    # every article without splitting it into sentences.
    if sentence_ends(head) >= limits.max_sentences:
        starts = sentence_starts(head)
        if len(starts) > limits.max_sentences:
            keep, reason = starts[limits.max_sentences], "sentences"
    if reason is None:
        return article, None
    title_part = len(text) - len(article.body)  # title and the blank line after it
    if keep <= len(article.title):
        return replace(article, title=article.title[:keep].rstrip(), body=""), reason
    return replace(article, body=article.body[: max(0, keep - title_part)].rstrip()), reason
