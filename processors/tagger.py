"""Country tagging: turn gazetteer matches into country mentions, resolving leaders by date and the classic traps.

Order of decisions for each match: explicit non-country phrases (longest match) → organisations → leaders in office
on the article's date → country names, demonyms and seats, each with its context checks; then, over the whole
document, names whose country depends on the rest of the text (Congo, Korea, Georgia, a surname shared by two
sitting leaders).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date

from processors.article import Article
from processors.context import is_headline_case, is_word, next_token, prev_token, sentence_starts
from processors.dateline import dateline_length
from processors.gazetteer import Gazetteer
from processors.matcher import Entry, GazetteerMatcher, Match, default_matcher
from processors.territories import TerritoryPolicy, load_policy

_LEADER_ONLY = frozenset({"leader"})
_TERRITORY_ONLY = frozenset({"territory"})
_BLOCK, _ORG, _TERRITORY, _LEADER, _PLACE = range(5)  # what Tagger.tag does with a match (Tagger.plans)


@dataclass(slots=True)
class Mention:
    country: str
    text: str
    kind: str  # name | demonym | capital | leader | territory
    start: int  # character offsets into Article.text
    end: int
    sentence: int
    rule: str
    dateline: bool = False

    def as_dict(self) -> dict:
        found = {
            "country": self.country,
            "text": self.text,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "sentence": self.sentence,
            "rule": self.rule,
        }
        if self.dateline:
            found["dateline"] = True
        return found


@dataclass(slots=True)
class Tagged:
    """The tagging result for one article, with what dyad attribution needs to read the text again."""

    text: str
    mentions: list[Mention]
    orgs: list[str]
    matches: list[Match]  # every gazetteer match, countries or not (masked when scoring tone)
    sentence_starts: list[int]  # character offsets
    title_end: int  # offset where the body starts
    dateline_end: int  # offset where the body's dateline ends (== title_end when there is none)

    @property
    def countries(self) -> list[str]:
        return sorted({m.country for m in self.mentions})

    @property
    def dateline_only(self) -> list[str]:
        inside = {m.country for m in self.mentions if not m.dateline}
        return sorted({m.country for m in self.mentions} - inside)


@dataclass(slots=True)
class _Pending:
    """A match whose country is decided once the unambiguous mentions of the document are known."""

    match: Match
    kind: str
    options: list[tuple[str, str]]  # (iso3, rule) candidates
    sentence: int


class Tagger:
    def __init__(self, matcher: GazetteerMatcher | None = None, policy: TerritoryPolicy | None = None) -> None:
        self.matcher = matcher or default_matcher()
        self.policy = policy or load_policy()
        self.entries = self.matcher.entries
        self.gazetteer: Gazetteer = self.matcher.gazetteer
        rules = self.gazetteer.rules
        self.person_names = frozenset(rules["person_names"])
        self.person_next_ok = frozenset(rules["person_next_ok"])
        self.titles = frozenset(rules["titles"])
        self.given_name_ok = frozenset(rules["given_name_ok"]["words"])
        lang = rules["language_words"]
        self.language_demonyms = frozenset(lang["demonyms"])
        self.language_before = frozenset(lang["before"])
        self.language_after = frozenset(lang["after"])
        self.language_bare_after = frozenset(lang["bare_after_prepositions"])
        self.ambiguous = {k: v for k, v in rules["ambiguous"].items() if not k.startswith("_")}
        self.us_states = {k: v for k, v in rules["us_states"].items() if not k.startswith("_")}
        self.hyphen_only = {k for k in rules["hyphen_only"] if not k.startswith("_")}
        self.food_cues = rules["food_cues"]
        # What the loop over matches does with each surface, decided once: one lookup per match. A place (name,
        # demonym, capital) carries its entry, its rule, whether its context needs a look, and whether it is decided
        # only once the whole article is read.
        context_checked = self.hyphen_only | self.person_names | self.language_demonyms
        deferred = set(self.ambiguous) | set(self.us_states)
        self.plans: dict[str, tuple] = {}
        for surface, entries in self.entries.items():
            kinds = frozenset(e.kind for e in entries)
            if "block" in kinds:
                self.plans[surface] = (_BLOCK,)
            elif "org" in kinds:
                self.plans[surface] = (_ORG, next(e.target for e in entries if e.kind == "org"))
            elif kinds == _TERRITORY_ONLY:
                self.plans[surface] = (_TERRITORY, entries[0].target, f"territory:{surface}@{self.policy.name}")
            elif kinds == _LEADER_ONLY:
                self.plans[surface] = (_LEADER, entries)
            else:
                entry = next(e for e in entries if e.kind != "leader")
                rule = f"{entry.kind}:{surface}"
                self.plans[surface] = (_PLACE, entry, rule, surface in context_checked, surface in deferred)

    # -- context checks ---------------------------------------------------------------------------------------

    def _is_person(self, text: str, match: Match, headline: bool) -> bool:
        """'Michael Jordan', 'Chad Johnson', 'Sharon Stone': a capitalised given name before or surname after."""
        if headline:
            return False
        following = next_token(text, match.end)
        if is_word(following) and following[0].isupper() and following not in self.person_next_ok:
            return True
        return self._after_other_given_name(text, match)

    def _after_other_given_name(self, text: str, match: Match) -> bool:
        before = prev_token(text, match.start)
        return (
            is_word(before)
            and before[0].isupper()
            and not before.endswith(".")  # the end of a sentence, an abbreviation or an initial
            and before not in self.given_name_ok
            and not before.isupper()
        )

    def _is_language(self, text: str, match: Match) -> bool:
        before = prev_token(text, match.start).lower()
        after = next_token(text, match.end).lower()
        if after == "-":
            after = "-" + next_token(text, match.end + text[match.end :].index("-") + 1).lower()
        if before in self.language_before or after in self.language_after:
            return True
        return before in self.language_bare_after and after in {"", ".", ",", ";", "and", "or", ")"}

    # -- resolution -------------------------------------------------------------------------------------------

    def _leader_options(
        self, text: str, match: Match, entries: list[Entry], day: date, headline: bool
    ) -> list[tuple[str, str]]:
        leaders = self.gazetteer.leaders
        in_office = [(e, leaders[int(e.target)]) for e in entries if leaders[int(e.target)].in_office(day)]
        if not in_office:
            return []
        if any(e.full for e, _ in in_office):
            in_office = [(e, ldr) for e, ldr in in_office if e.full]
        else:
            surface = match.surface
            if surface in self.person_names and self._is_person(text, match, headline):
                return []
            if not headline and self._after_other_given_name(text, match):
                return []
            titled = prev_token(text, match.start) in self.titles
            in_office = [(e, ldr) for e, ldr in in_office if titled or surface not in ldr.needs_title]
        options: dict[str, str] = {}
        for _, leader in in_office:
            options.setdefault(leader.iso3, f"leader:{leader.describe()}")
        return list(options.items())

    def _keep_country(self, text: str, match: Match, entry: Entry, in_headline: bool) -> bool:
        surface = match.surface
        if surface in self.hyphen_only:
            return match.start > 0 and text[match.start - 1] == "-"
        if surface in self.person_names and self._is_person(text, match, in_headline):
            return False
        return not (entry.kind == "demonym" and surface in self.language_demonyms and self._is_language(text, match))

    def tag(self, article: Article) -> Tagged:
        text = article.text
        day = article.published_at.date()
        starts = sentence_starts(text)
        title_end = len(text) - len(article.body)
        headline = title_end > 0 and is_headline_case(article.title)
        dateline = (title_end, title_end + dateline_length(article.body))
        matches = self.matcher(text)

        sure: list[Mention] = []
        pending: list[_Pending] = []
        orgs: list[str] = []
        plans = self.plans
        for match in matches:
            plan = plans[match.surface]
            action = plan[0]
            if action == _BLOCK:
                continue
            if action == _ORG:
                if plan[1] not in orgs:
                    orgs.append(plan[1])
                continue
            sentence = bisect.bisect_right(starts, match.start) - 1
            if action == _PLACE:
                _, entry, rule, checked, deferred = plan
                if checked and not self._keep_country(text, match, entry, headline and match.start < title_end):
                    continue
                if deferred:
                    pending.append(_Pending(match, entry.kind, [(entry.target, rule)], sentence))
                else:
                    sure.append(_mention(match, entry.target, entry.kind, rule, sentence, dateline))
                continue
            if action == _TERRITORY:
                country = self.policy.country(plan[1], day)
                if country is not None:
                    sure.append(_mention(match, country, "territory", plan[2], sentence, dateline))
                continue
            options = self._leader_options(text, match, plan[1], day, headline and match.start < title_end)
            if len(options) == 1:
                iso3, rule = options[0]
                sure.append(_mention(match, iso3, "leader", rule, sentence, dateline))
            elif options:
                pending.append(_Pending(match, "leader", options, sentence))

        mentions = sure + self._resolve_pending(pending, sure, text, dateline) if pending else sure
        if self.food_cues:
            mentions = self._drop_food(mentions, text)
        if self.policy.rows and any(self.policy.remaps(m.country) for m in mentions):
            mentions = self._remap_entities(mentions, day)
        mentions.sort(key=lambda m: m.start)
        return Tagged(text, mentions, orgs, matches, starts, title_end, dateline[1])

    def _resolve_pending(
        self, pending: list[_Pending], sure: list[Mention], text: str, dateline: tuple[int, int]
    ) -> list[Mention]:
        present = {m.country for m in sure}
        resolved = []
        for item in pending:
            surface = item.match.surface
            choice: tuple[str, str] | None = None
            if surface in self.ambiguous:
                rule = self.ambiguous[surface]
                choice = (rule["default"], f"{item.kind}:{surface}")
                if rule["default"] not in present:
                    for alternative, cues in rule["alternatives"].items():
                        if present.intersection(cues):
                            choice = (alternative, f"{item.kind}:{surface}(context)")
                            break
            elif surface in self.us_states:
                rule = self.us_states[surface]
                state = any(cue in text for cue in rule["state_cues"])
                country = rule["country"] in present or any(cue in text for cue in rule["country_cues"])
                if not state or country:
                    choice = item.options[0]
            else:
                in_doc = [opt for opt in item.options if opt[0] in present]
                if len(in_doc) == 1:
                    choice = in_doc[0]
            if choice is not None:
                iso3, rule_text = choice
                resolved.append(_mention(item.match, iso3, item.kind, rule_text, item.sentence, dateline))
        return resolved

    def _remap_entities(self, mentions: list[Mention], day: date) -> list[Mention]:
        """Entities the policy folds into another state (un-membership: TWN -> CHN), or drops."""
        kept = []
        for mention in mentions:
            if self.policy.remaps(mention.country):
                country = self.policy.country(mention.country, day)
                if country is None:
                    continue
                mention.country, mention.rule = country, f"{mention.rule}@{self.policy.name}"
            kept.append(mention)
        return kept

    def _drop_food(self, mentions: list[Mention], text: str) -> list[Mention]:
        for surface, cues in self.food_cues.items():
            if any(m.text == surface for m in mentions) and any(cue in text for cue in cues):
                country = next(m.country for m in mentions if m.text == surface)
                if all(m.text == surface for m in mentions if m.country == country):
                    mentions = [m for m in mentions if m.country != country]
        return mentions


def _mention(match: Match, iso3: str, kind: str, rule: str, sentence: int, dateline: tuple[int, int]) -> Mention:
    start, end, surface = match
    return Mention(iso3, surface, kind, start, end, sentence, rule, dateline[0] <= start and end <= dateline[1])
