"""Concept rules: word families that, found together within a few words ("I" + "want" + "die"),
show risk however the sentence is put; which rules a message can match, and where. Families and
rules come from config/crisis_rules.yaml."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product

from bot.crisis.families import Span
from bot.crisis.kinds import DISTRESS
from bot.crisis.normalise import Sentences

# How many words before a match an "unless near" word still counts ("I'm NOT going to ...").
NEAR_BEFORE = 3
# The families whose words open a clause apart from what a crisis rule found: a time ("after the
# carol service", "when the kids are in bed") or another subject ("re the agenda for Thursday",
# "anyway, see you at the meeting"). A crisis rule's "unless in sentence" word in such a clause
# says when or what else, not what happened: "I'm going to kill myself after the carol service"
# and "Re the agenda, I won't be alive for the next meeting" are still heard. Distress rules
# keep the whole sentence: in "a meltdown when the wifi went" the clause gives the everyday cause.
ASIDE_CLAUSES = ("time_clause", "topic_clause")


@dataclass(frozen=True, slots=True)
class Rule:
    """Words from each part's families found together: the message shows risk of one kind."""

    id: str
    kind: str
    parts: tuple[frozenset[str], ...]  # each part: any one of these families
    within: int  # words from the start of the first part to the end of the last
    in_order: bool
    same_sentence: bool
    unless_near: frozenset[str]  # none of these inside the match or just before it
    unless_sentence: frozenset[str]  # none of these in the sentences the match is in
    unless_message: frozenset[str]  # none of these anywhere in the message (but: stories)
    max_message_words: int | None  # only in messages this short (a word alone: "suicidal")
    why: str = ""  # what it finds, for reviewers
    examples: tuple[str, ...] = ()  # messages it must find (checked by the tests)
    not_examples: tuple[str, ...] = ()  # messages it must not find


class RuleIndex:
    """The rules in their order, listed by the families of their first part, so a message is
    tried only against the rules each part of which has a family it holds (any other rule
    cannot match it)."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        """List each rule under every family of its first part."""
        self.rules = tuple(rules)
        by_family: dict[str, list[int]] = {}
        for at, rule in enumerate(self.rules):
            for name in rule.parts[0] if rule.parts else ():
                by_family.setdefault(name, []).append(at)
        self._by_family = {name: tuple(ats) for name, ats in by_family.items()}
        # A rule with no parts is listed under no family, so it is always tried.
        self._always = tuple(at for at, rule in enumerate(self.rules) if not rule.parts)

    def candidates(self, found: Mapping[str, list[Span]]) -> list[Rule]:
        """The rules, in their order, each part of which has a family among those found."""
        ats = set(self._always)
        for name in found:
            ats.update(self._by_family.get(name, ()))
        rules = self.rules
        return [
            rules[at]
            for at in sorted(ats)
            if all(any(name in found for name in part) for part in rules[at].parts[1:])
        ]


def rule_match(
    rule: Rule,
    found: Mapping[str, list[Span]],
    text: Sentences,
    everyday: Sequence[Span] = (),
    stories: frozenset[str] = frozenset(),
) -> list[Span] | None:
    """The spans (one per part, in message order) where the rule's parts are found together
    in the message, or None. A match with a word inside an everyday saying (the spans in
    everyday) does not count, but a later match of the same rule still can. Words of the
    families in stories (a past told as experience) stop a match only from its sentence on."""
    if rule.max_message_words is not None and len(text.words) > rule.max_message_words:
        return None
    parts: list[list[Span]] = []
    for options in rule.parts:
        spans = sorted({span for name in options for span in found.get(name, ())})
        if not spans:
            return None
        parts.append(spans)
    # Every match holds a span of the part found least often; start from each of those.
    rarest = min(range(len(parts)), key=lambda index: len(parts[index]))
    for anchor in parts[rarest]:
        for chosen in _windows_around(rule, parts, rarest, anchor):
            if _in_everyday(chosen, everyday) or _blocked(rule, found, text, chosen, stories):
                continue
            return chosen
    return None


def _in_everyday(chosen: Sequence[Span], everyday: Sequence[Span]) -> bool:
    """Whether any word of the match is used inside an everyday saying."""
    return any(s <= start and end <= e for start, end in chosen for s, e in everyday)


def _windows_around(
    rule: Rule, parts: list[list[Span]], rarest: int, anchor: Span
) -> list[list[Span]]:
    """Matches that hold the anchor and one span of every other part (in the rule's order
    when it has one), each as its spans sorted by where they start, shortest first; only
    those no longer than the rule allows."""
    if rule.in_order:
        chosen = [anchor]
        begin, end = anchor
        for spans in reversed(parts[:rarest]):
            before = [span for span in spans if span[1] <= begin]
            if not before:
                return []
            pick = max(before, key=lambda span: span[1])
            chosen.insert(0, pick)
            begin = pick[0]
        for spans in parts[rarest + 1 :]:
            after = [span for span in spans if span[0] >= end]
            if not after:
                return []
            pick = min(after)
            chosen.append(pick)
            end = pick[1]
        return [chosen] if end - begin <= rule.within else []
    found: list[tuple[int, list[Span]]] = []
    choices: list[list[Span]] = []
    for index, spans in enumerate(parts):
        if index == rarest:
            continue
        at = bisect_left(spans, anchor)
        # the nearest before and after the anchor (the anchor itself when this part shares
        # its family, and the one after it then)
        choices.append(spans[max(at - 1, 0) : at + 2])
    for picked in product(*choices):
        # Each part has words of its own, as in order: "thanks for everything" alone is not
        # two goodbyes.
        if _overlap(sorted([anchor, *picked])):
            continue
        begin = min(anchor[0], *(span[0] for span in picked))
        end = max(anchor[1], *(span[1] for span in picked))
        if end - begin <= rule.within:
            found.append((end - begin, sorted([anchor, *picked])))
    return [chosen for _, chosen in sorted(found)]


def _overlap(spans: Sequence[Span]) -> bool:
    """Whether any of these spans (sorted by start) share a word."""
    return any(spans[at][1] > spans[at + 1][0] for at in range(len(spans) - 1))


def _blocked(
    rule: Rule,
    found: Mapping[str, list[Span]],
    text: Sentences,
    chosen: list[Span],
    stories: frozenset[str] = frozenset(),
) -> bool:
    """Whether the match spans sentences when it must not, an "unless near" word sits just
    before it or between its parts, an "unless in message" word is in the message (a story's
    only from the match's sentence on), or an "unless in sentence" word is in its sentences
    (for a crisis rule, outside a time or topic clause apart from it: _aside)."""
    begin = chosen[0][0]
    end = max(span[1] for span in chosen)
    sentence = text.sentence
    if rule.same_sentence and sentence[begin] != sentence[end - 1]:
        return True
    if rule.unless_near:
        first = begin
        while first > 0 and begin - first < NEAR_BEFORE and sentence[first - 1] == sentence[begin]:
            first -= 1
        inside = {at for span in chosen for at in range(*span)}
        for name in rule.unless_near:
            for start, stop in found.get(name, ()):
                # A "not" that is part of what the rule found ("not wake up") is not a "not"
                # against it; one just before it or between its parts is.
                if first <= start < end and not inside.intersection(range(start, stop)):
                    return True
    if rule.unless_message:
        # A story told in a sentence before the match does not stop it ("I was homeless back
        # in the day. I've just taken 40 paracetamol" is said now); one in the match's
        # sentence or after it does ("I took an overdose. That was ten years ago"). Other
        # families stop it anywhere ("Leaving the group, I got a full time job. Thank you for
        # everything").
        said_from = sentence[begin]
        for name in rule.unless_message:
            spans = found.get(name, ())
            if spans and (
                name not in stories or any(sentence[start] >= said_from for start, _ in spans)
            ):
                return True
    if rule.unless_sentence:
        covered = set(sentence[begin:end])
        openers = (
            [at for name in ASIDE_CLAUSES for at, _ in found.get(name, ())]
            if rule.kind != DISTRESS
            else []
        )
        for name in rule.unless_sentence:
            for start, _ in found.get(name, ()):
                if sentence[start] in covered and not _aside(start, begin, end, openers, text):
                    return True
    return False


def _opens(opener: int, clause: Sequence[int]) -> int:
    """The clause an opener opens: its own, or the next when it ends its clause ("Anyway,")."""
    if opener + 1 < len(clause) and clause[opener + 1] != clause[opener]:
        return clause[opener + 1]
    return clause[opener]


def _aside(at: int, begin: int, end: int, openers: Sequence[int], text: Sentences) -> bool:
    """Whether the word at this place is in a clause apart from the match: after an opener
    (a time word or a change of subject) that comes after the match, up to the next comma
    (or in the clause after an opener said alone: "..., anyway, how was the meeting"), or in an
    earlier part of the sentence (between commas) with an opener ("Quick question about the
    meeting on Thursday: ...")."""
    clause = text.clause
    if not clause:
        return False
    if at >= end:
        return any(
            end <= opener <= at and _opens(opener, clause) == clause[at] for opener in openers
        )
    if at < begin and clause[at] != clause[begin]:
        return any(clause[opener] == clause[at] for opener in openers)
    return False
