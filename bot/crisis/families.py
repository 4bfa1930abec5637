"""Word families: a family's words in every form, and the word trees that find every family
in a message in one pass (plain forms, words as written, one typing slip for long words)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.crisis.forms import forms_of
from bot.crisis.normalise import NEVER_SLIPS, rule_words, slips_of

# In a family entry, this word stands for any number ("i am # now", "# years clean").
ANY_NUMBER_WORD = "#"
# A family word this long also matches a message word one typing slip away ("paracetmol").
# Longer than for listed phrases: one word alone meets far more everyday words one slip away
# ("wishing" and "washing").
FAMILY_FUZZY_MIN_WORD = 8
# A form ending in "ing" longer than this is also found with its g dropped ("dyin", "jumpin").
_DROPPED_G_FROM = 4
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
    table = {
        form: min(options - {form} or options, key=_shortest) for form, options in bases.items()
    }
    # The g dropped, as people type and say it ("jumpin", "bleedin", "dyin"): read as the form
    # with it, unless the shorter word is a family word in its own right.
    for form, plain in list(table.items()):
        if form.endswith("ing") and len(form) > _DROPPED_G_FROM:
            table.setdefault(form[:-1], plain)
    return table


def _shortest(word: str) -> tuple[int, str]:
    """Order plain forms: the shortest first, then alphabetically (so the choice is stable)."""
    return len(word), word


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
        # Exact entries are found as written, but with a dropped g too ("not breathin").
        self._exact_dropped_g = {
            word[:-1]: word
            for group in families
            for entry in group.exact
            for word in entry
            if word.endswith("ing") and len(word) > _DROPPED_G_FROM
        }
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
        exact = [self._exact_dropped_g.get(word, word) for word in words]
        _walk(self._exact, exact, found, {})
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
