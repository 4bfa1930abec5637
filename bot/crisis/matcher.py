"""The crisis matcher: listed phrases and concept rules together, less everyday sayings, give one
verdict (tier and kinds) for a message. Pure and precompiled; it never keeps the text."""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from bot.crisis.families import Family, FamilyIndex, Span
from bot.crisis.kinds import CRISIS_KINDS, DISTRESS, Verdict, tier_of, verdict_of
from bot.crisis.learned import Scores, Signal
from bot.crisis.normalise import (
    Sentences,
    sentence_texts,
    sentences,
    sentences_as_written,
    spellings,
    tokens,
)
from bot.crisis.phrases import PhraseTree, checked_words, exact_check
from bot.crisis.rules import Rule, RuleIndex, rule_match
from config.errors import ConfigError

NOT_A_CRISIS = "not_a_crisis"
# The learned signal only hears messages with a sentence of at least this many words: a word
# alone gives it too little to go on ("if" alone, or "please. last. any", must not get a crisis
# reply). Rules and phrases hear all.
LEARNED_MIN_WORDS = 2
# Outside the families it needs, the learned signal hears only messages at least this long:
# someone saying goodbye or setting their affairs in order often names no method and no act
# ("Tell my daughter I loved her. That's all."), nor does someone at a door at 2am ("someone
# keeps trying my door handle rn") or made to do things to pay a debt. Until session 14 only
# kinds about a person's own life were answered here. With the context head reading the
# message whole, every kind but domestic abuse is worth answering (cross-validated, recall
# 0.912 -> 0.920 for false alarms 0.0928 -> 0.0938; the session 14 note). Talk about what a
# partner did is told in everyday words, and a very sure guess of abuse from them ("he looked
# me in the eye and said sorry": 1.00) is a guess about everyday talk.
ANYWHERE_MIN_WORDS = 5
# ... and at most this long: such goodbyes are short (the longest in the examples has 26 words),
# and a long message of everyday talk is then checked as fast as before.
ANYWHERE_MAX_WORDS = 60
ANYWHERE_KINDS = frozenset(CRISIS_KINDS) - {"domestic_abuse"}
# ... said by the person of themselves, in this many different words at least.
_FIRST_PERSON = frozenset({"i", "me", "my", "myself", "mine"})
# A message of at most SHORT_WORDS words ("pills + vodka", "jumping soon") is heard by the
# learned signal only with a word of the families it needs, and only for a crisis it is at least
# this sure of (three everyday words, "please you looking", must not get a crisis reply).
SHORT_WORDS = 3
SHORT_CRISIS_FROM = 0.9
# A message of at most this many words that the rules found as distress only ("I'm in a really
# dark place") keeps the gentle reply unless the signal is that sure of a crisis too: the
# distress words are most of what it hears (cross-validated: it costs one crisis message in
# 6,589 and keeps the rule examples of distress what they say).
DISTRESS_SHORT_WORDS = 7
# After a story told first, a crisis the phrases and rules find in the rest counts only if
# the learned signal finds the rest at least this likely a crisis.
STORY_CONFIRM_FROM = 0.2
# The room the learned signal has in a message (CrisisMatcher.listed_hits).
FAMILIES = "families"
ANYWHERE = "anywhere"
SHORT = "short"


@dataclass(frozen=True, slots=True)
class Learned:
    """The learned signal and the probabilities from which it answers."""

    signal: Signal
    crisis_from: float  # a crisis this likely gets the full reply
    concern_from: float  # distress or crisis this likely gets the gentle reply
    needs_one_of: frozenset[str] = frozenset()  # families one of which the message must have
    # a crisis this likely gets the full reply even without a word of needs_one_of (1: never)
    crisis_anywhere_from: float = 1.0


@dataclass(frozen=True, slots=True)
class Hit:
    """What set the net off: a listed phrase's section, or a rule's id (never the text)."""

    source: str  # "phrase", "rule" or "learned"
    name: str  # the section (a kind) or the rule id
    kind: str


class Listened(NamedTuple):
    """What the phrases and rules found in a message, and what the learned signal may add."""

    found: list[Hit]
    room: str | None  # None, FAMILIES, SHORT or ANYWHERE (CrisisMatcher.listed_hits)
    heard: str  # what the learned signal reads when it has room ("" when it has none)


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
                for spelt in spellings(phrase) if isinstance(phrase, str) else (phrase,):
                    words = checked_words(source, spelt, kind)
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
        found, room, heard = self.listed_hits(text)
        if room is not None and self._learned is not None:
            learned = self._learned
            lowest = min(learned.crisis_from, learned.concern_from, learned.crisis_anywhere_from)
            scores = learned.signal.scores(heard, at_least=lowest)
            found.extend(learned_hits(learned, scores, found, room))
        return found

    def listed_hits(self, text: str) -> Listened:
        """What the phrases and rules found, what the learned signal would read, and what
        room it has to add to them: None (a message too short, a told past, a crisis found
        already, or nothing left
        once the words of its everyday sayings are set aside: heard_text), FAMILIES (it has
        a word of a family the signal needs: any answer), SHORT (the same in two or three
        words, or distress found in at most DISTRESS_SHORT_WORDS: only a crisis it is very
        sure of) or ANYWHERE (it has none, and
        ANYWHERE_MIN_WORDS: only a crisis of ANYWHERE_KINDS the signal is very sure of).
        tests.crisis.crossval scores the learned part on its own."""
        if not isinstance(text, str) or not text:
            return Listened([], None, "")
        found: list[Hit] = []
        read = sentences(text)
        families = self._families.find(read.words)
        guarded = any(name in families for name in self._phrase_guards)
        if guarded and (after := self._after_the_story(text, read, families)) is not None:
            # A story told first ("I was homeless back in the day.") does not silence what
            # is said after it ("I've just taken 40 paracetamol."): that is heard alone, by
            # the learned signal too, which must find it at least a little like a crisis (a
            # story often ends "Now I do outreach with the team that found me", which some
            # rules would take alone for a crisis).
            listened = self.listed_hits(after)
            learned = self._learned
            if (
                learned is not None
                and any(hit.kind in CRISIS_KINDS for hit in listened.found)
                and learned.signal.scores(listened.heard or self.heard_text(after)).crisis
                < STORY_CONFIRM_FROM
            ):
                found = [hit for hit in listened.found if hit.kind not in CRISIS_KINDS]
                return listened._replace(found=found)
            return listened
        if not guarded:
            words = tokens(text)
            alarms: list[Span] | None = None
            for start, end, kind in self._tree.find(words):
                if alarms is None:
                    alarms = self._phrase_false_alarm_spans(text, words)
                if not _inside(alarms, start, end):
                    found.append(Hit("phrase", kind, kind))
        everyday = (
            [
                (start, end)
                for start, end in self._false_alarm_spans(text, read.words)
                if read.sentence[start] == read.sentence[end - 1]
            ]
            if families
            else []
        )
        for rule in self._rules.candidates(families):
            if rule_match(rule, families, read, everyday, self._phrase_guards) is not None:
                found.append(Hit("rule", rule.id, rule.kind))
        if guarded or any(hit.kind in CRISIS_KINDS for hit in found):
            return Listened(found, None, "")
        heard: str | None = None
        if everyday:
            # The signal reads the message less the words of its everyday sayings ("won't
            # be around for a while, I've got the rope" is heard as "I've got the rope").
            heard = self.heard_text(text)
            if heard == text:
                return Listened(found, None, "")
            read = sentences(heard)
            families = self._families.find(read.words)
        room = self._room(read, families)
        if room is None:
            return Listened(found, None, "")
        if room == FAMILIES and found and len(read.words) <= DISTRESS_SHORT_WORDS:
            room = SHORT
        return Listened(found, room, heard if heard is not None else self.heard_text(text))

    def _after_the_story(
        self, text: str, read: Sentences, families: Mapping[str, list[Span]]
    ) -> str | None:
        """The sentences after the last one with a word of the phrase guards (a past told as
        experience, a recovery), as written; None if there are none (or no such word)."""
        if not any(name in families for name in self._phrase_guards):
            return None
        last = max(
            read.sentence[start]
            for name in self._phrase_guards
            for start, _ in families.get(name, ())
        )
        parts = sentences_as_written(text)
        if parts is None:
            return None
        after = ". ".join(part.strip() for part in parts[last + 1 :] if part.strip())
        return after or None

    def heard_text(self, text: str) -> str:
        """What the learned signal reads of a message: all of it, less the words of its
        everyday sayings (after a story told first, listed_hits gives it only what follows).
        Only the saying's own words go ("after the memorial walk" is everyday; "my kid drank
        the methadone" before it in the same breath is not)."""
        parts = sentence_texts(text)
        heard = []
        for part in parts:
            words = tokens(part)
            spans = self._false_alarm_spans(part, words)
            if not spans:
                heard.append(part)
                continue
            rest = [w for i, w in enumerate(words) if not any(s <= i < e for s, e in spans)]
            if rest:
                heard.append(" ".join(rest))
        return text if heard == parts else ". ".join(heard)

    def _room(self, read: Sentences, families: Mapping[str, list[Span]]) -> str | None:
        """The room the learned signal has in a message with no crisis found and no
        everyday saying (see listed_hits)."""
        learned = self._learned
        if learned is None:
            return None
        longest = _longest_sentence(read.sentence)
        has_family = not learned.needs_one_of or bool(learned.needs_one_of & families.keys())
        if longest <= SHORT_WORDS:
            return SHORT if has_family and longest >= LEARNED_MIN_WORDS else None
        if has_family:
            return FAMILIES
        if (
            learned.crisis_anywhere_from < 1
            and len(set(read.words)) >= ANYWHERE_MIN_WORDS
            and len(read.words) <= ANYWHERE_MAX_WORDS
            and not _FIRST_PERSON.isdisjoint(read.words)
        ):
            return ANYWHERE
        return None

    @property
    def learned(self) -> Learned | None:
        """The learned signal and its thresholds, if the net has one."""
        return self._learned

    def with_learned(self, learned: Learned | None) -> CrisisMatcher:
        """The same phrases and rules with another learned signal (or none): for
        cross-validation, which trains the signal without the messages it scores."""
        other = copy.copy(self)
        other._learned = learned
        return other

    def _false_alarm_spans(self, text: str, words: Sequence[str]) -> list[Span]:
        """Where everyday sayings sit in the words (checked as written where squeezing hides)."""
        return [
            (start, end)
            for start, end, key in self._false_alarms.find(words)
            if any(check is None or check.search(text) for check in self._exact[key])
        ]

    def _phrase_false_alarm_spans(self, text: str, words: Sequence[str]) -> list[Span]:
        """The everyday sayings among the phrase words said without a break (a sentence end,
        comma, colon or new line: "suicidal, people who self harm" holds no "suicidal people")."""
        spans = self._false_alarm_spans(text, words)
        if not spans or len(parts := sentence_texts(text)) == 1:
            return spans
        said = {
            " ".join(tokens(part)[start:end])
            for part in parts
            for start, end in self._false_alarm_spans(part, tokens(part))
        }
        return [(start, end) for start, end in spans if " ".join(words[start:end]) in said]


def learned_hits(
    learned: Learned, scores: Scores, found: Sequence[Hit], room: str = FAMILIES
) -> list[Hit]:
    """What the learned signal adds when the phrases and rules have not found a crisis: a
    crisis of its likeliest kind, or distress (only a very sure crisis outside the families
    it needs)."""
    kinds = [Hit("learned", "examples", kind) for kind in (scores.kind, *scores.also)]
    if room == ANYWHERE:
        sure = scores.crisis >= learned.crisis_anywhere_from
        return kinds if sure and scores.kind in ANYWHERE_KINDS else []
    if room == SHORT:
        return kinds if scores.crisis >= max(learned.crisis_from, SHORT_CRISIS_FROM) else []
    if scores.crisis >= learned.crisis_from:
        return kinds
    if not found and scores.crisis + scores.concern >= learned.concern_from:
        return [Hit("learned", "examples", DISTRESS)]
    return []


def _longest_sentence(sentence: Sequence[int]) -> int:
    """How many words the longest sentence has (``sentence`` gives each word's sentence)."""
    return max(Counter(sentence).values(), default=0)


def _inside(spans: Sequence[Span], start: int, end: int) -> bool:
    """Whether start..end lies wholly inside one of the spans."""
    return any(s <= start and end <= e for s, e in spans)


__all__ = ["NOT_A_CRISIS", "CrisisMatcher", "Hit", "Verdict", "tier_of"]
