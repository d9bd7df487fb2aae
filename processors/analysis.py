"""One article in, the `dyadwatch tag` result out: countries, organisations, mentions and dyads."""

from __future__ import annotations

from functools import cache
from typing import Any

from dyadwatch.processors.article import Article
from dyadwatch.processors.dyads import DyadConfig, attribute
from dyadwatch.processors.gazetteer import Gazetteer
from dyadwatch.processors.instants import format_instant
from dyadwatch.processors.limits import TextLimits, cap_article
from dyadwatch.processors.matcher import GazetteerMatcher
from dyadwatch.processors.pair_tone import PairToneModel, default_pair_tone
from dyadwatch.processors.sentiment import ToneModel, tone_model
from dyadwatch.processors.tagger import Tagger
from dyadwatch.processors.territories import DEFAULT_POLICY, load_policy
from dyadwatch.schemas.contracts import MentionsV1

SCHEMA_VERSION = "mentions.v1"


class Analyzer:
    def __init__(
        self,
        config: DyadConfig | None = None,
        tone: ToneModel | None = None,
        limits: TextLimits | None = None,
        territory_policy: str = DEFAULT_POLICY,
        gazetteer: Gazetteer | None = None,
        pair_tone: PairToneModel | bool | None = True,
    ) -> None:
        """`gazetteer`: the data files' gazetteer when None, else e.g. one with live updates applied.
        `pair_tone`: the shipped pair-tone model when True, the rules' tone alone when False or None."""
        config = config or DyadConfig()
        self.limits = limits or TextLimits()
        matcher = GazetteerMatcher(gazetteer) if gazetteer is not None else None
        self.tagger = Tagger(matcher, policy=load_policy(territory_policy))
        self.tone = tone or tone_model(overlay=True, base_weight=config.base_weight, for_pairs=True)
        self.config = config
        self.pair_tone = default_pair_tone() if pair_tone is True else pair_tone or None
        self.versions = {
            "gazetteer": self.tagger.gazetteer.version,
            "lexicon": self.tone.lexicon_version,
            "territory_policy": self.tagger.policy.label,
        }
        if self.pair_tone is not None:
            self.versions["tone_model"] = self.pair_tone.version

    def analyze(self, article: Article) -> MentionsV1:
        article, truncated = cap_article(article, self.limits)
        tagged = self.tagger.tag(article)
        dyads = attribute(tagged, self.tone, self.config)
        if self.pair_tone is not None:
            self.pair_tone.rescore(tagged, dyads)
        countries: dict[str, dict[str, Any]] = {}
        for mention in tagged.mentions:
            entry = countries.setdefault(mention.country, {"mentions": 0, "surfaces": []})
            entry["mentions"] += 1
            if mention.text not in entry["surfaces"]:
                entry["surfaces"].append(mention.text)
        for iso3 in tagged.dateline_only:
            countries[iso3]["dateline_only"] = True
        mentions = tagged.mentions
        if len(mentions) > self.limits.max_mentions:
            mentions, truncated = mentions[: self.limits.max_mentions], truncated or "mentions"
        if len(dyads) > self.limits.max_pairs:  # keep the pairs the article relates most
            dyads = sorted(dyads, key=lambda d: -d.sentences)[: self.limits.max_pairs]
            dyads.sort(key=lambda d: (d.a, d.b))
            truncated = truncated or "pairs"
        result: MentionsV1 = {
            "id": article.id,
            "published_at": format_instant(article.published_at),
            "countries": dict(sorted(countries.items())),
            "orgs": tagged.orgs,
            "mentions": [m.as_dict() for m in mentions],
            "dyads": [d.as_dict() for d in dyads],
            "versions": self.versions,
        }
        if truncated:
            result["truncated"] = truncated
        return result


@cache
def default_analyzer(limits: TextLimits | None = None, territory_policy: str = DEFAULT_POLICY) -> Analyzer:
    return Analyzer(limits=limits, territory_policy=territory_policy)
