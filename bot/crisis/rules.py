"""Concept rules: word families that, found together within a few words ("I" + "want" + "die"),
show risk however the sentence is put. Families and rules come from config/crisis_rules.yaml."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import product

from bot.crisis.forms import forms_of
from bot.crisis.normalise import NEVER_SLIPS, Sentences, rule_words, slips_of

# How many words before a match an "unless near" word still counts ("I'm NOT going to ...").
NEAR_BEFORE = 3
# In a family entry, this word stands for any number ("i am # now", "# years clean").
ANY_NUMBER_WORD = "#"
# A family word this long also matches a message word one typing slip away ("paracetmol").
# Longer than for listed phrases: one word alone meets far more everyday words one slip away
# ("wishing" and "washing").
FAMILY_FUZZY_MIN_WORD = 8
# Little words that have no other forms: "ons" is not a form of "on", "ups" not of "up".
_NOT_INFLECTED = frozenset(
    {
        "a",
        "about",
        "after",
        "all",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "back",
        "before",
        "but",
        "by",
        "down",
        "for",
        "from",
        "he",
        "her",
        "here",
        "him",
        "his",
        "i",
        "if",
        "in",
        "into",
        "it",
        "its",
        "me",
        "more",
        "much",
        "my",
        "no",
        "not",
        "now",
        "of",
        "off",
        "on",
        "one",
        "or",
        "our",
        "out",
        "over",
        "she",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "they",
        "this",
        "to",
        "too",
        "under",
        "up",
        "us",
        "very",
        "we",
        "what",
        "when",
        "where",
        "who",
        "why",
        "with",
        "you",
        "your",
    }
)
# Words kept as written when everything else is read in plain forms: their tense is the point
# ("when I was" is the past a member is telling, "when I'm" is now).
_KEEP_TENSE = frozenset(
    {
        "be",
        "am",
        "is",
        "are",
        "was",
        "were",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "done",
        "doing",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "used",
    }
)

Span = tuple[int, int]  # word positions: start, end (end not included)


@dataclass(frozen=True, slots=True)
class Family:
    """A named group of words that mean one thing here (ways of saying "I", means, times)."""

    name: str
    entries: tuple[tuple[str, ...], ...]  # found in any form ("take" finds "took", "taking")
    exact: tuple[tuple[str, ...], ...] = ()  # found only as written ("kid", not "kidding")
    not_with: frozenset[str] = frozenset()  # the family counts as absent when these are found


def family(
    name: str, words: Iterable[str], *, exact: bool = False, not_with: Iterable[str] = ()
) -> Family:
    """A family from listed words and phrases; unless exact, every word of an entry is found
    in any of its forms ("take my life" also finds "taking my life", "not be here" finds
    "not being here")."""
    entries = tuple(sorted({read for listed in words if (read := entry_words(listed))}))
    if exact:
        return Family(name, (), entries, frozenset(not_with))
    return Family(name, entries, (), frozenset(not_with))


def entry_words(listed: str) -> tuple[str, ...]:
    """A family entry's words as the rules compare them; "#" stays, standing for any number."""
    found: list[str] = []
    for part in str(listed).split():
        found.extend((ANY_NUMBER_WORD,) if part == ANY_NUMBER_WORD else rule_words(part))
    return tuple(found)


def lemma_table(families: Sequence[Family]) -> dict[str, str]:
    """Every form of every family word, mapped to one plain form: the shortest other word it
    is a form of ("taken" and "took" to "take", even where "took" is listed too), so entries
    and messages can be compared form-free. Forms that read as two words ("she's") are left
    out."""
    bases: dict[str, set[str]] = {}
    for group in families:
        for entry in group.entries:
            for word in entry:
                if word == ANY_NUMBER_WORD or word in _KEEP_TENSE:
                    continue
                bases.setdefault(word, set()).add(word)
                if word in _NOT_INFLECTED:
                    continue
                for form in forms_of(word):
                    read = rule_words(form)
                    if len(read) == 1:
                        bases.setdefault(read[0], set()).add(word)
    return {
        form: min(options - {form} or options, key=_shortest) for form, options in bases.items()
    }


def _shortest(word: str) -> tuple[int, str]:
    """Order plain forms: the shortest first, then alphabetically (so the choice is stable)."""
    return len(word), word


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
    unless_message: frozenset[str]  # none of these anywhere in the message
    max_message_words: int | None  # only in messages this short (a word alone: "suicidal")
    why: str = ""  # what it finds, for reviewers
    examples: tuple[str, ...] = ()  # messages it must find (checked by the tests)
    not_examples: tuple[str, ...] = ()  # messages it must not find


class _Node:
    """One point in the family word tree: the next words, and the families whose entry ends here."""

    __slots__ = ("children", "names")

    def __init__(self) -> None:
        """An empty point."""
        self.children: dict[str, _Node] = {}
        self.names: list[str] = []


class FamilyIndex:
    """Finds where every family's words are in a message, in one pass over two word trees:
    one of plain forms (for entries found in any form), one of words as written (exact)."""

    def __init__(self, families: Sequence[Family]) -> None:
        """Put every entry in its tree; long first words also match with one typing slip."""
        self._lemmas = lemma_table(families)
        self._root = _Node()
        self._exact = _Node()
        self._not_with = _cancelling_order(
            {group.name: group.not_with for group in families if group.not_with}
        )
        for group in families:
            for entry in group.entries:
                _insert(self._root, tuple(self.lemma(word) for word in entry), group.name)
            for entry in group.exact:
                _insert(self._exact, entry, group.name)
        listed = set(self._root.children)
        self._slips: dict[str, tuple[str, ...]] = {}
        for word in sorted(listed):
            if len(word) >= FAMILY_FUZZY_MIN_WORD and word.isalpha():
                for slip in slips_of(word) - listed - set(self._lemmas) - NEVER_SLIPS:
                    self._slips[slip] = (*self._slips.get(slip, ()), word)

    def lemma(self, word: str) -> str:
        """The plain form the families know a word by (itself if they do not know it)."""
        return self._lemmas.get(word, word)

    def find(self, words: Sequence[str]) -> dict[str, list[Span]]:
        """Each family's spans in the words, in order of where they start."""
        found: dict[str, list[Span]] = {}
        lemmas = [self._lemmas.get(word, word) for word in words]
        _walk(self._root, lemmas, found, self._slips)
        _walk(self._exact, words, found, {})
        for spans in found.values():
            spans.sort()
        for name, cancelled_by in self._not_with.items():
            if name in found and any(other in found for other in cancelled_by):
                del found[name]
        return found


def _cancelling_order(not_with: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """The families with not_with in the order their cancellations must be worked out: a
    family after the families that cancel it, so a canceller that is itself cancelled ("today"
    in a recovery story: still_now, cancelled by recovery_now) no longer cancels. Families
    that cancel each other keep the file's order."""
    ordered: dict[str, frozenset[str]] = {}
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered or name in visiting:
            return
        visiting.add(name)
        for other in sorted(not_with[name]):
            if other in not_with:
                visit(other)
        visiting.discard(name)
        ordered[name] = not_with[name]

    for name in not_with:
        visit(name)
    return ordered


def _insert(root: _Node, entry: tuple[str, ...], name: str) -> None:
    """Add one entry of a family to a tree."""
    node = root
    for word in entry:
        node = node.children.setdefault(word, _Node())
    if name not in node.names:
        node.names.append(name)


def _walk(
    root: _Node,
    words: Sequence[str],
    found: dict[str, list[Span]],
    slips: Mapping[str, tuple[str, ...]],
) -> None:
    """Add to found every family entry of the tree that starts at each word."""
    count = len(words)
    for start, word in enumerate(words):
        heads = _steps(root, word)
        if not heads and word in slips:
            heads = [root.children[near] for near in slips[word]]
        pending = [(node, start + 1) for node in heads]
        while pending:
            node, position = pending.pop()
            for name in node.names:
                spans = found.setdefault(name, [])
                if (start, position) not in spans[-3:]:
                    spans.append((start, position))
            if position < count:
                pending.extend((child, position + 1) for child in _steps(node, words[position]))


def _steps(node: _Node, word: str) -> list[_Node]:
    """Where one message word can lead from a point in a tree: its own word, and the
    any-number word for a number."""
    steps = []
    child = node.children.get(word)
    if child is not None:
        steps.append(child)
    if word.isdigit():
        number = node.children.get(ANY_NUMBER_WORD)
        if number is not None:
            steps.append(number)
    return steps


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
) -> list[Span] | None:
    """The spans (one per part, in message order) where the rule's parts are found together
    in the message, or None. A match with a word inside an everyday saying (the spans in
    everyday) does not count, but a later match of the same rule still can."""
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
            if _in_everyday(chosen, everyday) or _blocked(rule, found, text, chosen):
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
        choices.append(spans[max(at - 1, 0) : at + 1])
    for picked in product(*choices):
        begin = min(anchor[0], *(span[0] for span in picked))
        end = max(anchor[1], *(span[1] for span in picked))
        if end - begin <= rule.within:
            found.append((end - begin, sorted([anchor, *picked])))
    return [chosen for _, chosen in sorted(found)]


def _blocked(
    rule: Rule, found: Mapping[str, list[Span]], text: Sentences, chosen: list[Span]
) -> bool:
    """Whether the match spans sentences when it must not, an "unless near" word sits just
    before it or between its parts, or an "unless in sentence" word is in its sentences."""
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
    if any(name in found for name in rule.unless_message):
        return True
    if rule.unless_sentence:
        covered = set(sentence[begin:end])
        for name in rule.unless_sentence:
            if any(sentence[start] in covered for start, _ in found.get(name, ())):
                return True
    return False
