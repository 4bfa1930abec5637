"""The crisis safety net's matcher: does a message show the sender may be at risk, and of what."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from config.errors import ConfigError

CATEGORIES: tuple[str, ...] = ("suicide", "self_harm", "overdose", "danger_from_others")
NOT_A_CRISIS = "not_a_crisis"
_DOUBLED = re.compile(r"(\w)\1")
DEFAULT_PHRASES_PATH = Path(__file__).resolve().parent.parent / "config" / "crisis_phrases.yaml"

# A phrase word this long (after squeezing repeated letters) also matches a message word one
# typing slip away (one letter added, dropped, changed, or two neighbours swapped), as long as
# the first letter is the same and the message word is not a listed everyday word (_NOT_SLIPS).
_FUZZY_MIN_PHRASE_WORD = 6
# How many phrase words one run-together message word may stand for ("killmyself").
_MAX_JOINED_WORDS = 4
# Shorter run-together words are too often real words ("to od" would read "tod").
_MIN_JOINED_LENGTH = 5
# How many filler words ("really", "the", "fucking") may sit inside one matched phrase.
_MAX_SKIPPED_FILLERS = 4
# How many lone letters in a row are read as one spelt-out word ("k m s", "d i e").
_MIN_SPELT_OUT_LETTERS = 3

_APOSTROPHES = "'\u2019\u2018\u02bc\u02bb\u0060\u00b4\u2032\u201b\uff07"
# Dropped without a space, like apostrophes: asterisks that star out letters ("f**king").
_DROPPED = _APOSTROPHES + "*"
_IGNORED_RANGES = (
    # Invisible format characters: soft hyphen, zero-width spaces and joiners, bidi marks,
    # variation selectors, byte-order mark, tag characters.
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
    # Combining accents, so "suïcidal" and stacked "zalgo" marks read as plain letters.
    (0x0300, 0x036F),
    (0x0483, 0x0489),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)


def _char_class(ranges: Sequence[tuple[int, int]], extra: str) -> str:
    """Build a regex character class from code point ranges plus literal characters."""
    parts = [re.escape(extra)]
    for low, high in ranges:
        parts.append(f"\\U{low:08x}-\\U{high:08x}" if low != high else f"\\U{low:08x}")
    return "[" + "".join(parts) + "]"


_IGNORED = re.compile(_char_class(_IGNORED_RANGES, _DROPPED))
# "od'd" (overdosed) would otherwise read as the everyday word "odd".
_OD_D = re.compile(r"(?<![^\W_])od[" + re.escape(_APOSTROPHES) + r"]d(?![^\W_])")
_LETTER_REPEATS = re.compile(r"([^\W\d_])\1+")
_ASCII_REPEATS = re.compile(r"([a-z])\1+")
# Any number of two or more digits, in messages and phrases alike, so "took 20 paracetamol"
# also matches "took 32 paracetamol", but not "took 2 paracetamol".
_NUMBER = re.compile(r"\d{2,}")
_ANY_NUMBER = "00"
_WORD = re.compile(r"[^\W_]+")
# For plain ASCII text: drop apostrophes and asterisks, make every other symbol a space.
_ASCII_FOLD = str.maketrans(
    {
        chr(code): (None if chr(code) in _DROPPED else " ")
        for code in range(128)
        if not chr(code).isalnum()
    }
)

# Cyrillic and Greek letters that look like Latin ones, after case folding.
_LOOK_ALIKES = str.maketrans(
    {
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "ѕ": "s",
        "ԁ": "d",
        "һ": "h",
        "ӏ": "l",
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "μ": "u",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "χ": "x",
    }
)


def _first_letter(found: re.Match[str]) -> str:
    """The letter of a run of one repeated letter."""
    return found.group(1)


def _squeeze(word: str) -> str:
    """Collapse repeated letters ("killl" and "kill" both become "kil", "dieeee" becomes "die")."""
    return _LETTER_REPEATS.sub(_first_letter, word)


# Short forms and the words they stand for, so "can't", "cant", "cannot" and "can not" all
# match. Phrases are stored in full; a message's short form steps through all its words at once.
_SHORT_FORMS_SOURCE = {
    "im": "i am",
    "iam": "i am",
    "imma": "i am going to",
    "ive": "i have",
    "cant": "can not",
    "cannot": "can not",
    "carnt": "can not",
    "cnt": "can not",
    "dont": "do not",
    "dnt": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "wont": "will not",
    "wouldnt": "would not",
    "couldnt": "could not",
    "shouldnt": "should not",
    "isnt": "is not",
    "arent": "are not",
    "wasnt": "was not",
    "werent": "were not",
    "havent": "have not",
    "hasnt": "has not",
    "hadnt": "had not",
    "hes": "he is",
    "shes": "she is",
    "hell": "he will",
    "shell": "she will",
    "theyll": "they will",
    "hed": "he would",
    "shed": "she would",
    "theyd": "they would",
    "youre": "you are",
    "theyre": "they are",
    "theyve": "they have",
    "youve": "you have",
    "whats": "what is",
    "thats": "that is",
    "theres": "there is",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
    "tryna": "trying to",
    "u": "you",
    "2": "to",
    "anymore": "any more",
    "meself": "myself",
    "selfharm": "self harm",
    "selfharming": "self harming",
    "selfharmed": "self harmed",
}
_SHORT_FORMS: dict[str, tuple[str, ...]] = {
    _squeeze(key): tuple(_squeeze(word) for word in value.split())
    for key, value in _SHORT_FORMS_SOURCE.items()
}

# Everyday words one slip away from a phrase word in a way that would make ordinary sentences
# look like crisis phrases ("kidding myself", "handing myself in", "looked me in the eye").
# They are never read as typing slips; spelled exactly, they can still be phrase words.
_NOT_SLIPS = frozenset(
    _squeeze(word)
    for word in (
        "amused",
        "amuses",
        "amusing",
        "attached",
        "bagging",
        "banding",
        "banking",
        "beaming",
        "bearing",
        "betting",
        "boating",
        "buried",
        "burying",
        "caring",
        "carving",
        "chooses",
        "choosing",
        "chopping",
        "coding",
        "combing",
        "cooked",
        "cooking",
        "cooling",
        "coping",
        "crying",
        "curing",
        "dancer",
        "downing",
        "exiting",
        "faring",
        "flowed",
        "flowing",
        "forked",
        "formed",
        "forming",
        "handing",
        "harder",
        "harping",
        "hating",
        "hiking",
        "hinting",
        "hiring",
        "hissing",
        "hurling",
        "hurrying",
        "insure",
        "insuring",
        "kidding",
        "licked",
        "liking",
        "lining",
        "loner",
        "longed",
        "looked",
        "loving",
        "mapping",
        "marking",
        "masking",
        "mating",
        "meditation",
        "milling",
        "mining",
        "missing",
        "noting",
        "packed",
        "paying",
        "placed",
        "planted",
        "planting",
        "plating",
        "played",
        "playing",
        "pleased",
        "pocket",
        "polite",
        "prison",
        "racing",
        "raging",
        "raking",
        "rating",
        "ripping",
        "roping",
        "sawing",
        "saying",
        "scored",
        "shaped",
        "shaping",
        "shared",
        "shaving",
        "slipped",
        "slipping",
        "snapped",
        "snapping",
        "stacked",
        "stacking",
        "staged",
        "staging",
        "stalled",
        "stalling",
        "stared",
        "staring",
        "starting",
        "stated",
        "stating",
        "stayed",
        "staying",
        "stepped",
        "stepping",
        "swapped",
        "swapping",
        "sweeping",
        "talking",
        "tanking",
        "taping",
        "thanking",
        "thread",
        "treat",
        "treats",
        "tuning",
        "wasting",
    )
)

# Words skipped when matching, in messages and phrases alike, so "I just really want to
# fucking die" matches "want to die" and "jump off the bridge" matches "jump off a bridge".
_FILLERS = frozenset(
    _squeeze(word)
    for word in (
        "a",
        "an",
        "the",
        "just",
        "really",
        "so",
        "very",
        "literally",
        "actually",
        "honestly",
        "seriously",
        "genuinely",
        "totally",
        "truly",
        "bloody",
        "sodding",
        "damn",
        "damned",
        "fucking",
        "fuckin",
        "fuckn",
        "fking",
        "fkin",
        "fkn",
        "fcking",
        "fckin",
        "fcuking",
        "fukin",
        "fuking",
        # What is left of a starred-out swear word: "f***ing" reads "fing", "f-ing" "f ing".
        "fing",
        "f",
        "ing",
        "effing",
        "effin",
        "freaking",
        "freakin",
        "frigging",
        "friggin",
        "fricking",
        "frickin",
        "flipping",
        "flippin",
    )
)


# Beginnings of short filler words, so one broken in two ("a n", "th e") is skipped too.
_FILLER_PARTS = frozenset(
    word[:cut] for word in _FILLERS if len(word) <= 4 for cut in range(1, len(word))
)


def _tokens(text: str) -> list[str]:
    """Turn text into comparable words: folded case, plain letters, repeats squeezed."""
    if text.isascii():
        folded = text.lower()
        if "od'" in folded or "od`" in folded:
            folded = _OD_D.sub("oded", folded)
        if _NUMBER.search(folded):
            folded = _NUMBER.sub(_ANY_NUMBER, folded)
        words = _ASCII_REPEATS.sub(_first_letter, folded.translate(_ASCII_FOLD)).split()
    else:
        folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
        folded = _OD_D.sub("oded", folded)
        folded = _IGNORED.sub("", folded).translate(_LOOK_ALIKES)
        folded = _NUMBER.sub(_ANY_NUMBER, folded)
        words = _WORD.findall(_LETTER_REPEATS.sub(_first_letter, folded))
    singles = [index for index, word in enumerate(words) if len(word) == 1]
    if len(singles) >= _MIN_SPELT_OUT_LETTERS:
        words = _join_spelt_out(words, singles)
    return words


def _join_spelt_out(words: list[str], singles: list[int]) -> list[str]:
    """Read lone letters in a row as one word ("k m s" becomes "kms", "d i e" becomes "die")."""
    runs: list[tuple[int, int]] = []
    run_start = previous = singles[0]
    for index in [*singles[1:], -2]:
        if index != previous + 1:
            if previous - run_start + 1 >= _MIN_SPELT_OUT_LETTERS:
                runs.append((run_start, previous + 1))
            run_start = index
        previous = index
    if not runs:
        return words
    joined: list[str] = []
    done = 0
    for run_start, run_end in runs:
        joined.extend(words[done:run_start])
        joined.append(_squeeze("".join(words[run_start:run_end])))
        done = run_end
    joined.extend(words[done:])
    return joined


def _phrase_words(phrase: str) -> tuple[str, ...]:
    """The words of a listed phrase that the matcher compares: short forms in full, no fillers."""
    return tuple(
        part
        for word in _tokens(phrase)
        for part in _SHORT_FORMS.get(word, (word,))
        if part not in _FILLERS
    )


def _join(first: str, second: str) -> str:
    """Join two squeezed words as one squeezed word ("my" + "self" gives "myself")."""
    return first + second[1:] if first[-1] == second[0] else first + second


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _slips_of(word: str) -> set[str]:
    """Every squeezed way to mistype a squeezed word with one slip after its first letter.

    A slip is one letter dropped, added or changed, or two neighbouring letters swapped.
    Variants with a doubled letter are left out: message words are squeezed too.
    """
    found: set[str] = set()
    for i in range(1, len(word) + 1):
        before, after = word[:i], word[i:]
        last = before[-1]
        following = after[1:2]
        if after:
            if following != last:
                found.add(before + after[1:])
            if following and following != last and after[0] != after[2:3]:
                found.add(before + following + after[0] + after[2:])
        for letter in _LETTERS:
            if letter == last:
                continue
            if letter != after[:1]:
                found.add(before + letter + after)
                if after and letter != following:
                    found.add(before + letter + after[1:])
    found.discard(word)
    return found


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


class _PhraseTree:
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
                if len(word) >= _FUZZY_MIN_PHRASE_WORD and word.isalpha():
                    for slip in _slips_of(word) - self.words - _NOT_SLIPS:
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
            for short, full in _SHORT_FORMS.items():
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
            key = _join(joined, word)
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
                child = children.get(_join(word, following))
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
                if after and (word_here in node.prefixes or word_here in _FILLER_PARTS):
                    both = _join(word_here, after)
                    child = node.children.get(both)
                    if child is not None:
                        pending.append((child, position + 2, skipped))
                    elif both in _FILLERS and skipped < _MAX_SKIPPED_FILLERS:
                        pending.append((node, position + 2, skipped + 1))
                nears = slips.get(word_here)
                if nears:
                    for near in nears:
                        child = node.children.get(near)
                        if child is not None:
                            pending.append((child, position + 1, skipped))
                if word_here in _FILLERS and skipped < _MAX_SKIPPED_FILLERS:
                    pending.append((node, position + 1, skipped + 1))


@dataclass(frozen=True, slots=True)
class CrisisMatch:
    """A message shows possible risk; category is one of CATEGORIES (never the text itself)."""

    category: str


class CrisisMatcher:
    """Checked, precompiled crisis phrases; match() says whether a message shows risk."""

    def __init__(
        self,
        phrases: Mapping[str, Sequence[str]],
        not_a_crisis: Sequence[str] = (),
        source: str = "crisis phrases",
    ) -> None:
        """Compile phrase lists by category plus false alarms; ConfigError if anything is wrong."""
        if not phrases:
            raise ConfigError(source, "there are no crisis phrase lists; add at least one")
        self._tree = _PhraseTree()
        self._false_alarms = _PhraseTree()
        # False alarms whose words change when repeated letters are squeezed ("off" reads
        # as "of") must also appear as written, or "cutting myself of late" would be taken
        # for "cutting myself off" and get no reply. None: no such check is needed.
        self._exact: dict[str, list[re.Pattern[str] | None]] = {}
        self._matches = {category: CrisisMatch(category) for category in phrases}
        risk_phrases: dict[tuple[str, ...], str] = {}
        for category, entries in phrases.items():
            if not entries:
                raise ConfigError(
                    source,
                    f"the {category!r} list has no phrases; add at least one phrase under it",
                    category,
                )
            for phrase in entries:
                words = _checked_words(source, phrase, category)
                risk_phrases.setdefault(words, phrase)
                self._tree.add(words, category)
        for phrase in not_a_crisis:
            words = _checked_words(source, phrase, NOT_A_CRISIS)
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
            self._exact.setdefault(key, []).append(_exact_check(phrase))
        self._tree.finish(tolerate_slips=True)
        self._false_alarms.finish(tolerate_slips=False)
        self.categories: tuple[str, ...] = tuple(phrases)

    def match(self, text: str) -> CrisisMatch | None:
        """Return the category of the first risk phrase in text, or None; never raises."""
        if not isinstance(text, str) or not text:
            return None
        words = _tokens(text)
        false_alarms: list[tuple[int, int]] | None = None
        for start, end, category in self._tree.find(words):
            if false_alarms is None:
                false_alarms = [
                    (s, e)
                    for s, e, key in self._false_alarms.find(words)
                    if any(check is None or check.search(text) for check in self._exact[key])
                ]
            if not any(s <= start and end <= e for s, e in false_alarms):
                return self._matches[category]
        return None


def _exact_check(phrase: str) -> re.Pattern[str] | None:
    """For a false alarm with a doubled letter (which squeezing would hide), a pattern that
    finds it as written, ignoring case and the spaces or marks between words; else None."""
    words = phrase.casefold().split()
    if not any(_DOUBLED.search(word) for word in words):
        return None
    return re.compile(
        r"(?<!\w)" + r"[\W_]+".join(re.escape(word) for word in words) + r"(?!\w)",
        re.IGNORECASE,
    )


def _checked_words(source: str, phrase: object, where: str) -> tuple[str, ...]:
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
    words = _phrase_words(phrase)
    if not words:
        raise ConfigError(
            source,
            f"this phrase in {where!r} has no words the matcher can use (it is only punctuation "
            "or filler words like 'the' or 'really'); write the real words or delete the line",
            phrase,
        )
    return words


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe YAML loader that refuses a section name written twice (YAML would keep the last)."""


def _construct_unique_mapping(loader: Any, node: yaml.MappingNode) -> dict[Any, Any]:
    """Build a mapping, failing on a repeated or unusable key."""
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            repeated = key in seen
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a section name must be a plain word", key_node.start_mark
            ) from None
        if repeated:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"the section {key!r} appears twice; merge the two lists into one",
                key_node.start_mark,
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)


def load_crisis_matcher(path: Path) -> CrisisMatcher:
    """Read and check the crisis phrase file; return a ready matcher or raise ConfigError."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(source, "the file is not UTF-8 text; save it as UTF-8") from None
    except OSError as error:
        raise ConfigError(
            source, f"the file cannot be read ({error.strerror or error}); check the path"
        ) from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as error:
        raise ConfigError(
            source,
            f"the file is not valid YAML ({error}); check the indentation and that every "
            "phrase line starts with '- '",
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            source,
            "the file must be a list of sections ("
            + ", ".join(f"{name}:" for name in (*CATEGORIES, NOT_A_CRISIS))
            + ") each followed by its phrases",
        )
    allowed = (*CATEGORIES, NOT_A_CRISIS)
    for key in data:
        if key not in allowed:
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            problem = f"unknown section {key!r}; the sections are " + ", ".join(allowed)
            if hint:
                problem += f" (did you mean {hint[0]!r}?)"
            raise ConfigError(source, problem, str(key))
    phrases: dict[str, list[Any]] = {}
    for category in CATEGORIES:
        if category not in data:
            raise ConfigError(
                source,
                f"the {category!r} section is missing; add a line '{category}:' followed by "
                "its phrases, one per line starting with '- '",
                category,
            )
        phrases[category] = _phrase_list(source, category, data[category], required=True)
    if NOT_A_CRISIS not in data:
        raise ConfigError(
            source,
            f"the {NOT_A_CRISIS!r} section is missing; add a line '{NOT_A_CRISIS}:' (it may be "
            "followed by no phrases, written as 'not_a_crisis: []')",
            NOT_A_CRISIS,
        )
    not_a_crisis = _phrase_list(source, NOT_A_CRISIS, data[NOT_A_CRISIS], required=False)
    return CrisisMatcher(phrases, not_a_crisis, source=source)


def _phrase_list(source: str, section: str, value: object, *, required: bool) -> list[Any]:
    """One section's phrases as a list, or ConfigError if it is empty or not a list."""
    if value is None:
        if required:
            raise ConfigError(
                source,
                f"the {section!r} section has no phrases; add phrases under it, one per line "
                "starting with '- '",
                section,
            )
        return []
    if not isinstance(value, list):
        raise ConfigError(
            source,
            f"the {section!r} section must be a list, one phrase per line starting with '- '",
            section,
        )
    return value
