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

from spacy.tokens import Doc, Span

from processors.article import Article
from processors.dateline import dateline_length
from processors.gazetteer import Gazetteer
from processors.matcher import SPAN_KEY, Entry, GazetteerMatcher, build_pipeline


@dataclass(slots=True)
class Mention:
    country: str
    text: str
    kind: str  # name | demonym | capital | leader
    start: int  # character offsets into Article.text
    end: int
    sentence: int
    token_start: int
    token_end: int
    rule: str
    dateline: bool = False

    def as_dict(self) -> dict:
        return {
            "country": self.country,
            "text": self.text,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "sentence": self.sentence,
            "rule": self.rule,
            **({"dateline": True} if self.dateline else {}),
        }


@dataclass(slots=True)
class Tagged:
    """The tagging result for one article, with the spaCy Doc kept for dyad attribution."""

    doc: Doc
    mentions: list[Mention]
    orgs: list[str]
    sentence_starts: list[int]  # token index where each sentence starts
    title_end: int  # token index where the body starts
    dateline_end: int  # token index where the body's dateline ends (== title_end when there is none)

    @property
    def countries(self) -> list[str]:
        return sorted({m.country for m in self.mentions})

    @property
    def dateline_only(self) -> list[str]:
        inside = {m.country for m in self.mentions if not m.dateline}
        return sorted({m.country for m in self.mentions} - inside)

    def sentence_text(self, index: int) -> str:
        start = self.sentence_starts[index]
        end = self.sentence_starts[index + 1] if index + 1 < len(self.sentence_starts) else len(self.doc)
        return self.doc[start:end].text.strip()


@dataclass(slots=True)
class _Pending:
    """A match whose country is decided once the unambiguous mentions of the document are known."""

    span: Span
    kind: str
    options: list[tuple[str, str]]  # (iso3, rule) candidates
    default: str | None
    sentence: int


class Tagger:
    def __init__(self) -> None:
        self.nlp = build_pipeline()
        component = self.nlp.get_pipe("dyadwatch_gazetteer")
        assert isinstance(component, GazetteerMatcher)
        self.entries = component.entries
        self.gazetteer: Gazetteer = component.gazetteer
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

    # -- context checks ---------------------------------------------------------------------------------------

    @staticmethod
    def _is_headline_case(doc: Doc, start: int, end: int) -> bool:
        words = [t.text for t in doc[start:end] if t.is_alpha and len(t.text) > 3]
        return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)

    def _is_person(self, doc: Doc, span: Span, headline: bool) -> bool:
        """'Michael Jordan', 'Chad Johnson', 'Sharon Stone': a capitalised given name before or surname after."""
        if headline:
            return False
        if span.end < len(doc):
            nxt = doc[span.end]
            if nxt.is_alpha and nxt.text[0].isupper() and nxt.text not in self.person_next_ok:
                return True
        return self._after_other_given_name(doc, span)

    def _after_other_given_name(self, doc: Doc, span: Span) -> bool:
        if span.start == 0:
            return False
        prev = doc[span.start - 1]
        return (
            prev.is_alpha
            and prev.text[0].isupper()
            and prev.text.rstrip(".") not in self.given_name_ok
            and not prev.text.isupper()
        )

    def _is_language(self, doc: Doc, span: Span) -> bool:
        prev = doc[span.start - 1].lower_ if span.start > 0 else ""
        nxt = doc[span.end].lower_ if span.end < len(doc) else ""
        if nxt == "-" and span.end + 1 < len(doc):
            nxt = "-" + doc[span.end + 1].lower_
        if prev in self.language_before or nxt in self.language_after:
            return True
        return prev in self.language_bare_after and (nxt == "" or nxt in {".", ",", ";", "and", "or", ")"})

    def _has_title_before(self, doc: Doc, span: Span) -> bool:
        return span.start > 0 and doc[span.start - 1].text in self.titles

    # -- resolution -------------------------------------------------------------------------------------------

    def _leader_options(
        self, doc: Doc, span: Span, entries: list[Entry], day: date, headline: bool
    ) -> list[tuple[str, str]]:
        leaders = self.gazetteer.leaders
        in_office = [(e, leaders[int(e.target)]) for e in entries if leaders[int(e.target)].in_office(day)]
        if not in_office:
            return []
        if any(e.full for e, _ in in_office):
            in_office = [(e, ldr) for e, ldr in in_office if e.full]
        else:
            surface = span.text
            if surface in self.person_names and self._is_person(doc, span, headline):
                return []
            if not headline and self._after_other_given_name(doc, span):
                return []
            titled = self._has_title_before(doc, span)
            in_office = [(e, ldr) for e, ldr in in_office if titled or surface not in ldr.needs_title]
        options: dict[str, str] = {}
        for _, leader in in_office:
            options.setdefault(leader.iso3, f"leader:{leader.describe()}")
        return list(options.items())

    def tag(self, article: Article) -> Tagged:
        text = article.text
        doc = self.nlp(text)
        day = article.published_at.date()
        sentence_starts = [s.start for s in doc.sents]
        body_offset = len(text) - len(article.body)
        title_end = next((t.i for t in doc if t.idx >= body_offset), len(doc)) if article.title else 0
        headline = title_end > 0 and self._is_headline_case(doc, 0, title_end)
        dateline = (body_offset, body_offset + dateline_length(article.body))

        sure: list[Mention] = []
        pending: list[_Pending] = []
        orgs: list[str] = []
        for span in doc.spans[SPAN_KEY]:
            entries = self.entries[span.label_]
            if any(e.kind == "block" for e in entries):
                continue
            sentence = bisect.bisect_right(sentence_starts, span.start) - 1
            in_headline = headline and span.start < title_end
            org = next((e for e in entries if e.kind == "org"), None)
            if org is not None:
                if org.target not in orgs:
                    orgs.append(org.target)
                continue
            leader_entries = [e for e in entries if e.kind == "leader"]
            country_entries = [e for e in entries if e.kind != "leader"]
            if country_entries:
                entry = country_entries[0]
                if not self._keep_country(doc, span, entry, in_headline):
                    continue
                rule = f"{entry.kind}:{span.text}"
                if span.text in self.ambiguous or span.text in self.us_states:
                    pending.append(_Pending(span, entry.kind, [(entry.target, rule)], entry.target, sentence))
                else:
                    sure.append(self._mention(span, entry.target, entry.kind, rule, sentence, dateline))
                continue
            options = self._leader_options(doc, span, leader_entries, day, in_headline)
            if len(options) == 1:
                iso3, rule = options[0]
                sure.append(self._mention(span, iso3, "leader", rule, sentence, dateline))
            elif options:
                pending.append(_Pending(span, "leader", options, None, sentence))

        mentions = sure + self._resolve_pending(pending, sure, text, dateline)
        mentions = self._drop_food(mentions, text)
        mentions.sort(key=lambda m: m.start)
        dateline_token_end = next((t.i for t in doc[title_end:] if t.idx >= dateline[1]), len(doc))
        return Tagged(doc, mentions, orgs, sentence_starts, title_end, dateline_token_end)

    def _keep_country(self, doc: Doc, span: Span, entry: Entry, in_headline: bool) -> bool:
        surface = span.text
        if surface in self.hyphen_only:
            return span.start > 0 and doc[span.start - 1].text == "-"
        if surface in self.person_names and self._is_person(doc, span, in_headline):
            return False
        return not (entry.kind == "demonym" and surface in self.language_demonyms and self._is_language(doc, span))

    def _resolve_pending(
        self, pending: list[_Pending], sure: list[Mention], text: str, dateline: tuple[int, int]
    ) -> list[Mention]:
        present = {m.country for m in sure}
        resolved = []
        for item in pending:
            surface = item.span.text
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
                resolved.append(self._mention(item.span, iso3, item.kind, rule_text, item.sentence, dateline))
        return resolved

    def _drop_food(self, mentions: list[Mention], text: str) -> list[Mention]:
        for surface, cues in self.food_cues.items():
            if any(m.text == surface for m in mentions) and any(cue in text for cue in cues):
                country = next(m.country for m in mentions if m.text == surface)
                if all(m.text == surface for m in mentions if m.country == country):
                    mentions = [m for m in mentions if m.country != country]
        return mentions

    @staticmethod
    def _mention(span: Span, iso3: str, kind: str, rule: str, sentence: int, dateline: tuple[int, int]) -> Mention:
        start = span.start_char
        return Mention(
            country=iso3,
            text=span.text,
            kind=kind,
            start=start,
            end=span.end_char,
            sentence=sentence,
            token_start=span.start,
            token_end=span.end,
            rule=rule,
            dateline=dateline[0] <= start and span.end_char <= dateline[1],
        )
