"""Listed crisis phrases: a word tree that finds every listed phrase in a message in one pass,
tolerating short forms, fillers, words run together or split, and one-slip misspellings."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from bot.crisis.normalise import (
    FILLER_PARTS,
    FILLER_WORDS,
    FUZZY_MIN_WORD,
    NEVER_SLIPS,
    SHORT,
    kept_form,
    plain,
    slips_of,
    tokens,
)
from config.errors import ConfigError

# How many phrase words one run-together message word may stand for ("killmyself").
_MAX_JOINED_WORDS = 4
# Shorter run-together words are too often real words ("to od" would read "tod").
_MIN_JOINED_LENGTH = 5
# How many filler words ("really", "the", "fucking") may sit inside one matched phrase.
_MAX_SKIPPED_FILLERS = 4
_DOUBLED = re.compile(r"(\w)\1")


def phrase_words(phrase: str) -> tuple[str, ...]:
    """The words of a listed phrase that the matcher compares: short forms in full, no fillers."""
    return tuple(
        part
        for word in tokens(phrase)
        for part in SHORT.get(word, (word,))
        if part not in FILLER_WORDS
    )


def _join(first: str, second: str) -> str:
    """Join two squeezed words as one squeezed word ("my" + "self" gives "myself")."""
    return first + second[1:] if first[-1] == second[0] else first + second


class _Node:
    """One point in the phrase tree: the next words, run-together shortcuts, and a label."""

    __slots__ = ("children", "joined", "label", "prefixes")

    def __init__(self) -> None:
        """An empty point: no next words yet, and no phrase ends here."""
        self.children: dict[str, _Node] = {}
        self.joined: dict[str, list[_Node]] = {}
        # Proper beginnings of the next words, for a word broken in two ("my self").
        self.prefixes: frozenset[str] = frozenset()
        self.label: str | None = None


class PhraseTree:
    """A word tree of phrases that finds every phrase in a word list in one pass."""

    def __init__(self) -> None:
        """An empty tree."""
        self.root = _Node()
        self.words: set[str] = set()
        # Every way one message word can begin a phrase: as its first word, or run together.
        self.starts: dict[str, list[_Node]] = {}
        # Misspellings tolerated: message word -> the phrase words it may be a slip for.
        self.slips: dict[str, tuple[str, ...]] = {}

    def add(self, words: tuple[str, ...], label: str) -> None:
        """Add one phrase; if it is already there, the first label stays."""
        node = self.root
        for word in words:
            node = node.children.setdefault(word, _Node())
        if node.label is None:
            node.label = label
        self.words.update(words)

    def finish(self, *, tolerate_slips: bool) -> None:
        """Precompute shortcuts, word beginnings and (if asked) slips once all phrases are in."""
        slips = self.slips
        if tolerate_slips:
            for word in sorted(self.words):
                if len(word) >= FUZZY_MIN_WORD and word.isalpha():
                    for slip in slips_of(word) - self.words - NEVER_SLIPS:
                        nears = slips.get(slip)
                        slips[slip] = (word,) if nears is None else (*nears, word)
        pending = [self.root]
        while pending:
            node = pending.pop()
            pending.extend(node.children.values())
            node.prefixes = frozenset(
                word[:cut] for word in node.children for cut in range(1, len(word))
            )
            for word, child in node.children.items():
                self._add_joined(node, word, child, 1)
            for short, full in SHORT.items():
                end: _Node | None = node
                for word in full:
                    end = end.children.get(word) if end is not None else None
                if end is not None:
                    node.joined.setdefault(short, []).append(end)
        for word, child in self.root.children.items():
            self.starts.setdefault(word, []).append(child)
        for word, nodes in self.root.joined.items():
            self.starts.setdefault(word, []).extend(nodes)
        children = self.root.children
        for slip, nears in slips.items():
            for near in nears:
                if near in children:
                    self.starts.setdefault(slip, []).append(children[near])

    def _add_joined(self, start: _Node, joined: str, node: _Node, depth: int) -> None:
        """Record every run of two to four words below start as one joined-up word."""
        if depth >= _MAX_JOINED_WORDS:
            return
        for word, child in node.children.items():
            # Inside a run-together word a kept double is squeezed too ("tieanose").
            key = _join(joined, plain(word))
            if len(key) >= _MIN_JOINED_LENGTH:
                start.joined.setdefault(key, []).append(child)
            self._add_joined(start, key, child, depth + 1)

    def find(self, words: Sequence[str]) -> Iterator[tuple[int, int, str]]:
        """Yield (start, end, label) for each phrase in words, in order of where it starts."""
        count = len(words)
        starts, slips = self.starts, self.slips
        children, prefixes = self.root.children, self.root.prefixes
        for start, word in enumerate(words):
            # The step from the root runs for every word, so it is kept short.
            following = words[start + 1] if start + 1 < count else ""
            first = starts.get(word)
            if first:
                pending = [(node, start + 1, 0) for node in first]
                if following == word[-1] and word in children:
                    # A word broken before its last, doubled letter: "kil l" for "kill".
                    pending.append((children[word], start + 2, 0))
            elif word in prefixes and following:
                pending = []
            else:
                continue
            if following and word in prefixes:
                child = _broken(children, _join(word, following))
                if child is not None:
                    pending.append((child, start + 2, 0))
            while pending:
                node, position, skipped = pending.pop()
                if node.label is not None:
                    yield start, position, node.label
                if position >= count:
                    continue
                # Every way the word at position can carry the phrase one step on.
                word_here = words[position]
                after = words[position + 1] if position + 1 < count else ""
                child = node.children.get(word_here)
                if child is not None:
                    pending.append((child, position + 1, skipped))
                    if after == word_here[-1]:
                        pending.append((child, position + 2, skipped))
                runs = node.joined.get(word_here)
                if runs:
                    pending.extend((child, position + 1, skipped) for child in runs)
                if after and (word_here in node.prefixes or word_here in FILLER_PARTS):
                    both = _join(word_here, after)
                    child = _broken(node.children, both)
                    if child is not None:
                        pending.append((child, position + 2, skipped))
                    elif both in FILLER_WORDS and skipped < _MAX_SKIPPED_FILLERS:
                        pending.append((node, position + 2, skipped + 1))
                nears = slips.get(word_here)
                if nears:
                    for near in nears:
                        child = node.children.get(near)
                        if child is not None:
                            pending.append((child, position + 1, skipped))
                if word_here in FILLER_WORDS and skipped < _MAX_SKIPPED_FILLERS:
                    pending.append((node, position + 1, skipped + 1))


def _broken(children: dict[str, _Node], joined: str) -> _Node | None:
    """The next word a word broken in two makes, with a kept double read back in ("n oose"
    squeezes to "n ose": "nose", the word "noose")."""
    child = children.get(joined)
    return child if child is not None else children.get(kept_form(joined))


def exact_check(phrase: str) -> re.Pattern[str] | None:
    """For a false alarm with a doubled letter (which squeezing would hide), a pattern that
    finds it as written, ignoring case and the spaces or marks between words; else None."""
    words = phrase.casefold().split()
    if not any(_DOUBLED.search(word) for word in words):
        return None
    return re.compile(
        r"(?<!\w)" + r"[\W_]+".join(re.escape(word) for word in words) + r"(?!\w)",
        re.IGNORECASE,
    )


def checked_words(source: str, phrase: object, where: str) -> tuple[str, ...]:
    """The comparable words of one listed phrase, or ConfigError saying what is wrong with it."""
    if phrase is None:
        raise ConfigError(
            source,
            f"an empty phrase in {where!r} (a line with only a dash); write the words after "
            "the dash or delete the line",
            where,
        )
    if not isinstance(phrase, str):
        raise ConfigError(
            source,
            f"a phrase in {where!r} is not plain text (it reads as {type(phrase).__name__}); "
            'put it in double quotes, for example - "no"',
            str(phrase),
        )
    if not phrase.strip():
        raise ConfigError(
            source,
            f"an empty phrase in {where!r}; write the words after the dash or delete the line",
            where,
        )
    words = phrase_words(phrase)
    if not words:
        raise ConfigError(
            source,
            f"this phrase in {where!r} has no words the matcher can use (it is only punctuation "
            "or filler words like 'the' or 'really'); write the real words or delete the line",
            phrase,
        )
    return words
