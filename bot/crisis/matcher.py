"""The crisis matcher: listed phrases and concept rules together, less everyday sayings, give one
verdict (tier and kinds) for a message. Pure and precompiled; it never keeps the text."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.crisis.kinds import CRISIS_KINDS, DISTRESS, Verdict, tier_of, verdict_of
from bot.crisis.learned import LearnedSignal
from bot.crisis.normalise import sentences, tokens
from bot.crisis.phrases import PhraseTree, checked_words, exact_check
from bot.crisis.rules import Family, FamilyIndex, Rule, RuleIndex, Span, rule_match
from config.errors import ConfigError

NOT_A_CRISIS = "not_a_crisis"
# The learned signal only hears messages of at least this many words: a word or two gives it
# too little to go on ("if" alone must not get a crisis reply). Rules and phrases hear all.
LEARNED_MIN_WORDS = 3


@dataclass(frozen=True, slots=True)
class Learned:
    """The learned signal and the probabilities from which it answers."""

    signal: LearnedSignal
    crisis_from: float  # a crisis this likely gets the full reply
    concern_from: float  # distress or crisis this likely gets the gentle reply
    needs_one_of: frozenset[str] = frozenset()  # families one of which the message must have


@dataclass(frozen=True, slots=True)
class Hit:
    """What set the net off: a listed phrase's section, or a rule's id (never the text)."""

    source: str  # "phrase", "rule" or "learned"
    name: str  # the section (a kind) or the rule id
    kind: str


class CrisisMatcher:
    """Checked, precompiled phrases and rules; check() says whether a message shows risk."""

    def __init__(
        self,
        phrases: Mapping[str, Sequence[str]],
        not_a_crisis: Sequence[str] = (),
        families: Sequence[Family] = (),
        rules: Sequence[Rule] = (),
        *,
        phrase_guards: frozenset[str] = frozenset(),
        learned: Learned | None = None,
        source: str = "crisis phrases",
    ) -> None:
        """Compile phrases by kind, false alarms and rules; ConfigError if anything is wrong."""
        if not phrases and not rules:
            raise ConfigError(source, "there are no crisis phrases or rules; add at least one")
        self._tree = PhraseTree()
        self._false_alarms = PhraseTree()
        # False alarms whose words change when repeated letters are squeezed ("off" reads
        # as "of") must also appear as written, or "cutting myself of late" would be taken
        # for "cutting myself off" and get no reply. None: no such check is needed.
        self._exact: dict[str, list[re.Pattern[str] | None]] = {}
        risk_phrases: dict[tuple[str, ...], str] = {}
        for kind, entries in phrases.items():
            for phrase in entries:
                words = checked_words(source, phrase, kind)
                risk_phrases.setdefault(words, phrase)
                self._tree.add(words, kind)
        for phrase in not_a_crisis:
            words = checked_words(source, phrase, NOT_A_CRISIS)
            if words in risk_phrases:
                raise ConfigError(
                    source,
                    f"this false alarm is the same as the crisis phrase {risk_phrases[words]!r}, "
                    "so it would switch that phrase off; make the false alarm longer (the "
                    "whole everyday saying) or remove it",
                    phrase,
                )
            key = " ".join(words)
            self._false_alarms.add(words, key)
            self._exact.setdefault(key, []).append(exact_check(phrase))
        self._tree.finish(tolerate_slips=True)
        self._false_alarms.finish(tolerate_slips=False)
        self._families = FamilyIndex(families)
        self._rules = RuleIndex(rules)
        self._phrase_guards = phrase_guards
        self._learned = learned
        self.kinds: tuple[str, ...] = tuple(phrases)

    def check(self, text: str) -> Verdict | None:
        """The tier and kinds of risk the text shows, or None; never raises."""
        if not isinstance(text, str) or not text:
            return None
        return verdict_of({hit.kind for hit in self.hits(text)})

    def hits(self, text: str) -> list[Hit]:
        """Every phrase section and rule that found risk in the text (for tests and reviews)."""
        if not isinstance(text, str) or not text:
            return []
        found: list[Hit] = []
        read = sentences(text)
        families = self._families.find(read.words)
        guarded = any(name in families for name in self._phrase_guards)
        if not guarded:
            words = tokens(text)
            alarms: list[Span] | None = None
            for start, end, kind in self._tree.find(words):
                if alarms is None:
                    alarms = self._false_alarm_spans(text, words)
                if not _inside(alarms, start, end):
                    found.append(Hit("phrase", kind, kind))
        everyday = self._false_alarm_spans(text, read.words) if families else []
        for rule in self._rules.candidates(families):
            if rule_match(rule, families, read, everyday) is not None:
                found.append(Hit("rule", rule.id, rule.kind))
        if (
            self._learned is not None
            and not guarded
            and not everyday
            and len(read.words) >= LEARNED_MIN_WORDS
            and (not self._learned.needs_one_of or self._learned.needs_one_of & families.keys())
        ):
            found.extend(self._learned_hits(text, found))
        return found

    def _learned_hits(self, text: str, found: list[Hit]) -> list[Hit]:
        """What the learned signal adds when the phrases and rules have not found a crisis:
        a crisis of its likeliest kind, or distress."""
        if any(hit.kind in CRISIS_KINDS for hit in found):
            return []
        learned = self._learned
        assert learned is not None
        scores = learned.signal.scores(text)
        if scores.crisis >= learned.crisis_from:
            return [Hit("learned", "examples", scores.kind)]
        if not found and scores.crisis + scores.concern >= learned.concern_from:
            return [Hit("learned", "examples", DISTRESS)]
        return []

    def _false_alarm_spans(self, text: str, words: Sequence[str]) -> list[Span]:
        """Where everyday sayings sit in the words (checked as written where squeezing hides)."""
        return [
            (start, end)
            for start, end, key in self._false_alarms.find(words)
            if any(check is None or check.search(text) for check in self._exact[key])
        ]


def _inside(spans: Sequence[Span], start: int, end: int) -> bool:
    """Whether start..end lies wholly inside one of the spans."""
    return any(s <= start and end <= e for s, e in spans)


__all__ = ["NOT_A_CRISIS", "CrisisMatcher", "Hit", "Verdict", "tier_of"]
