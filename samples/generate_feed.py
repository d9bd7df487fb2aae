"""Write dyadwatch's own sample news feed: synthetic wire stories built from templates written for this project.

    python samples/generate_feed.py                      # samples/articles.jsonl: 360 short stories over 12 days
    python samples/generate_feed.py --long --count 2000  # 300-600-word articles for benchmarks, to stdout

Deterministic for a given --seed. One pair (BRA-ARG) turns from cooperative to hostile on day 7 so that the
demo and the shift detector have something to find; every other pair keeps a stable mix of tones.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

# (iso3, name, demonym, capital, leader in office in late 2026)
COUNTRIES = [
    ("USA", "the United States", "American", "Washington", "President Donald Trump"),
    ("CHN", "China", "Chinese", "Beijing", "President Xi Jinping"),
    ("RUS", "Russia", "Russian", "Moscow", "President Vladimir Putin"),
    ("GBR", "Britain", "British", "London", "Prime Minister Keir Starmer"),
    ("FRA", "France", "French", "Paris", "President Emmanuel Macron"),
    ("DEU", "Germany", "German", "Berlin", "Chancellor Friedrich Merz"),
    ("JPN", "Japan", "Japanese", "Tokyo", "Prime Minister Sanae Takaichi"),
    ("IND", "India", "Indian", "New Delhi", "Prime Minister Narendra Modi"),
    ("PAK", "Pakistan", "Pakistani", "Islamabad", "Prime Minister Shehbaz Sharif"),
    ("TUR", "Turkiye", "Turkish", "Ankara", "President Recep Tayyip Erdogan"),
    ("BRA", "Brazil", "Brazilian", "Brasilia", "President Lula"),
    ("ARG", "Argentina", "Argentine", "Buenos Aires", "President Javier Milei"),
    ("ZAF", "South Africa", "South African", "Pretoria", "President Cyril Ramaphosa"),
    ("NGA", "Nigeria", "Nigerian", "Abuja", "President Bola Tinubu"),
    ("EGY", "Egypt", "Egyptian", "Cairo", "President Abdel Fattah el-Sisi"),
    ("ISR", "Israel", "Israeli", "Jerusalem", "Prime Minister Benjamin Netanyahu"),
    ("IRN", "Iran", "Iranian", "Tehran", "President Masoud Pezeshkian"),
    ("SAU", "Saudi Arabia", "Saudi", "Riyadh", "Crown Prince Mohammed bin Salman"),
    ("UKR", "Ukraine", "Ukrainian", "Kyiv", "President Volodymyr Zelensky"),
    ("POL", "Poland", "Polish", "Warsaw", "Prime Minister Donald Tusk"),
    ("KOR", "South Korea", "South Korean", "Seoul", "President Lee Jae-myung"),
    ("IDN", "Indonesia", "Indonesian", "Jakarta", "President Prabowo Subianto"),
    ("MEX", "Mexico", "Mexican", "Mexico City", "President Claudia Sheinbaum"),
    ("CAN", "Canada", "Canadian", "Ottawa", "Prime Minister Mark Carney"),
    ("AUS", "Australia", "Australian", "Canberra", "Prime Minister Anthony Albanese"),
    ("KEN", "Kenya", "Kenyan", "Nairobi", "President William Ruto"),
]
SHIFT_PAIR = ("BRA", "ARG")
SHIFT_DAY = 6  # zero-based: the turn happens on the seventh simulated day

COOPERATIVE = [
    (
        "{A} and {B} sign trade accord",
        "{a_leader} and his {b_dem} counterpart signed a trade accord in {a_cap} on {day}, "
        "agreeing to cut tariffs and deepen cooperation on energy and transport.",
    ),
    (
        "{A_dem} leader welcomes {b_dem} delegation",
        "{a_leader} welcomed a {b_dem} delegation in {a_cap}, praising what "
        "he called a partnership of equals and pledging support for joint investment projects.",
    ),
    (
        "{A} backs {B} on climate finance",
        "{A} backed a proposal from {b_cap} to expand climate finance, and officials from "
        "both governments said the talks had been constructive and friendly.",
    ),
    (
        "{A} and {B} agree to resume direct flights",
        "Negotiators from {A} and {B} agreed to resume direct flights and "
        "restore visa-free travel, a step both sides hailed as a sign of improving relations.",
    ),
    (
        "{A_dem} aid reaches {B}",
        "{A} sent emergency aid to {B} after floods, and {b_leader} thanked {a_cap} for its solidarity and help.",
    ),
]
HOSTILE = [
    (
        "{A} condemns {B} over border clash",
        "{A} condemned {B} after a clash on their shared border, accusing {b_cap} of "
        "provocation and warning of retaliation if the attacks continue.",
    ),
    (
        "{A} imposes sanctions on {B}",
        "{a_leader} announced sanctions against {B}, accusing its government of "
        "interference, while {b_cap} denounced the move as hostile and threatened a response.",
    ),
    (
        "{A} expels {b_dem} diplomats",
        "{A} expelled four {b_dem} diplomats over allegations of espionage, deepening a "
        "dispute that has strained ties between {a_cap} and {b_cap}.",
    ),
    (
        "{A_dem} troops fire on {b_dem} patrol",
        "Tensions rose after {a_dem} troops fired on a {b_dem} patrol, and "
        "{b_leader} accused {A} of an attack and of violating the ceasefire.",
    ),
    (
        "{A} recalls ambassador from {B}",
        "{A} recalled its ambassador from {b_cap} in protest, rejecting {b_dem} "
        "accusations and blaming {B} for the crisis.",
    ),
]
NEUTRAL = [
    (
        "{A_dem} tourists visit {B} in record numbers",
        "Record numbers of {a_dem} tourists travelled to {B} this season, "
        "the tourism board in {b_cap} said, citing cheaper flights and a weaker currency.",
    ),
    (
        "{A_dem} firm opens office in {B}",
        "A {a_dem} software company opened its regional office in {b_cap} on {day}, the company said in a statement.",
    ),
    (
        "{A} and {B} draw in qualifier",
        "{A} and {B} drew 1-1 in a qualifying match played in front of a full stadium on {day}.",
    ),
    (
        "Storm moves from {A} toward {B}",
        "A tropical storm that brought heavy rain to {A} was moving toward {B}, "
        "meteorologists said, and ports were closed as a precaution.",
    ),
]
FILLER = [
    "Officials said further details would be released later in the week.",
    "The announcement came after several days of meetings between senior civil servants.",
    "Analysts said markets reacted calmly to the news, with the currency little changed.",
    "Opposition lawmakers asked the government to publish the full text of the documents.",
    "The ministry did not respond to a request for comment on Tuesday evening.",
    "Local newspapers carried the story on their front pages the following morning.",
    "Economists expect growth to slow slightly next year as interest rates stay high.",
    "A spokesperson said the government would brief parliament before the end of the month.",
    "The talks were held behind closed doors and lasted more than four hours.",
    "Commentators noted that the issue has featured prominently in recent election campaigns.",
    "Several regional governments said they were following developments closely.",
    "Industry groups said they would study the details before taking a position.",
    "The statement was issued late in the evening and did not include any figures.",
    "Observers said the timing was linked to a budget debate scheduled for next week.",
    "Officials stressed that no final decision had yet been taken on the remaining points.",
    "Reporters were not allowed to attend the second part of the session.",
    "The agency said it would publish a detailed report early next year.",
    "Public reaction on social media was mixed, according to a survey published on the same day.",
    "The plan still needs the approval of the cabinet and of several parliamentary committees.",
    "Experts said it was too early to judge the long-term impact of the measures.",
]


def _fill(template: str, a: tuple, b: tuple, day: str) -> str:
    return template.format(
        A=a[1][0].upper() + a[1][1:],
        B=b[1],
        A_dem=a[2],
        a_dem=a[2],
        b_dem=b[2],
        a_cap=a[3],
        b_cap=b[3],
        a_leader=a[4],
        b_leader=b[4],
        day=day,
    )


def _pick_pair(rng: random.Random) -> tuple[tuple, tuple]:
    a, b = rng.sample(COUNTRIES, 2)
    return a, b


def story(rng: random.Random, index: int, day_index: int, start: datetime, long: bool) -> dict:
    published = start + timedelta(days=day_index, minutes=rng.randrange(0, 24 * 60))
    day_name = published.strftime("%A")
    by_code = {c[0]: c for c in COUNTRIES}
    if index % 4 == 0:  # one story in four is about the planted pair
        a, b = by_code[SHIFT_PAIR[0]], by_code[SHIFT_PAIR[1]]
        if rng.random() < 0.5:
            a, b = b, a
        pool = HOSTILE if day_index >= SHIFT_DAY else COOPERATIVE
    else:
        a, b = _pick_pair(rng)
        if {a[0], b[0]} == set(SHIFT_PAIR):
            a = by_code["KEN"]
        pool = rng.choice([COOPERATIVE, COOPERATIVE, HOSTILE, NEUTRAL, NEUTRAL])
    title_t, lead_t = rng.choice(pool)
    title = _fill(title_t, a, b, day_name)
    paragraphs = [f"{a[3].upper()} (dyadwatch sample) - " + _fill(lead_t, a, b, day_name)]
    target = rng.randint(300, 600) if long else rng.randint(60, 140)
    # A story's cast: its two protagonists and, in longer stories, a few others that come up.
    cast = [a, b] + (rng.sample([c for c in COUNTRIES if c not in (a, b)], rng.randint(0, 3)) if long else [])
    words = len(title.split()) + len(paragraphs[0].split())
    while words < target:
        if rng.random() < (0.3 if long else 0.15):
            x, y = rng.sample(cast, 2) if long else _pick_pair(rng)
            if {x[0], y[0]} == {a[0], b[0]}:
                x, y = a, b
                templates = pool
            else:
                templates = rng.choice([COOPERATIVE, NEUTRAL, HOSTILE])
            sentence = _fill(rng.choice(templates)[1], x, y, day_name)
        else:
            sentence = rng.choice(FILLER)
        paragraphs.append(sentence)
        words += len(sentence.split())
    return {
        "id": f"sample-{index:05d}",
        "title": title,
        "body": "\n".join(paragraphs),
        "published_at": published.isoformat().replace("+00:00", "Z"),
        "source": "dyadwatch-sample",
        "language": "en",
    }


def generate(count: int, days: int, seed: int, long: bool, start: datetime) -> list[dict]:
    rng = random.Random(seed)
    stories = [story(rng, i, i * days // count, start, long) for i in range(count)]
    return sorted(stories, key=lambda s: s["published_at"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=360)
    parser.add_argument("--days", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--long", action="store_true", help="300-600-word articles (benchmarks)")
    parser.add_argument("--start", default="2026-11-01T00:00:00+00:00")
    parser.add_argument("--out", type=Path, help="default: stdout")
    args = parser.parse_args()
    start = datetime.fromisoformat(args.start).astimezone(UTC)
    lines = (json.dumps(s, ensure_ascii=False) for s in generate(args.count, args.days, args.seed, args.long, start))
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    with out:
        for line in lines:
            out.write(line + "\n")


if __name__ == "__main__":
    main()
