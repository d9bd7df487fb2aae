"""Coverage-guided fuzzing (atheris/libFuzzer) of what a stranger controls: the raw input record and the text.

Run with `make fuzz` (default 10 minutes; FUZZ_SECONDS=60 make fuzz for a quick look). A crash is any
exception other than the documented ArticleError, or one input taking longer than -timeout seconds
(libFuzzer's own check: a guard against inputs that stall a worker). Crashing inputs are written to
.fuzz/crashes/ and can be replayed with `.venv/bin/python tests/fuzz/fuzz_articles.py .fuzz/crashes/<file>`.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    import orjson

    from dyadwatch.processors.analysis import Analyzer
    from dyadwatch.processors.article import REASONS, ArticleError, decode_article
    from dyadwatch.processors.limits import TextLimits
    from dyadwatch.processors.text import plain_snippet

ANALYZER = Analyzer(limits=TextLimits(max_chars=20_000, max_sentences=400))
CONTROL = {chr(c) for c in range(32)} | {"\x7f", "\u2028", "\u2029"}


def _check(result: dict) -> None:
    orjson.dumps(result)
    for dyad in result["dyads"]:
        for evidence in dyad["evidence"]:
            if len(evidence["text"]) > 300 or CONTROL & set(evidence["text"]):
                raise AssertionError(f"evidence is not a plain bounded line: {evidence['text']!r}")


def one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    mode = provider.ConsumeIntInRange(0, 2)
    if mode == 0:  # the raw record, as it arrives on the input topic
        raw = provider.ConsumeBytes(provider.remaining_bytes())
    else:  # a well-formed record around fuzzed text, to reach the tagger
        title = provider.ConsumeUnicodeNoSurrogates(provider.ConsumeIntInRange(0, 200))
        body = provider.ConsumeUnicodeNoSurrogates(provider.remaining_bytes())
        raw = orjson.dumps({"id": "fuzz", "title": title, "body": body, "published_at": "2025-05-20T08:00:00Z"})
    try:
        article = decode_article(raw, check_language=mode != 2)
    except ArticleError as exc:
        if exc.reason not in REASONS:
            raise
        return
    _check(ANALYZER.analyze(article))
    plain_snippet(article.body)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
