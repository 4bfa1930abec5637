"""Reading text the way the crisis net compares it: folded case, plain letters, short forms in
full, repeated letters squeezed, spelt-out letters joined, and one-slip misspellings."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TypeVar

from bot.crisis.wordlists import (
    APOSTROPHES,
    DROPPED,
    EMOJI_WORDS,
    FILLERS,
    IGNORED_RANGES,
    KEPT_DOUBLES,
    LOOK_ALIKES,
    MASK_LETTERS,
    MASKED_WORDS,
    MASKS,
    NOT_SLIPS,
    SHORT_FORMS,
)

# How many lone letters in a row are read as one spelt-out word ("k m s", "d i e").
_MIN_SPELT_OUT_LETTERS = 3


def _char_class(ranges: Sequence[tuple[int, int]], extra: str) -> str:
    """Build a regex character class from code point ranges plus literal characters."""
    parts = [re.escape(extra)]
    for low, high in ranges:
        parts.append(f"\\U{low:08x}-\\U{high:08x}" if low != high else f"\\U{low:08x}")
    return "[" + "".join(parts) + "]"


_IGNORED = re.compile(_char_class(IGNORED_RANGES, DROPPED))
# "od'd" (overdosed) would otherwise read as the everyday word "odd".
_OD_D = re.compile(r"(?<![^\W_])od[" + re.escape(APOSTROPHES) + r"]d(?![^\W_])")
# "I'll" with its apostrophe is "I will" ("ill" without one is also a word: "I'm ill").
_I_WILL = re.compile(r"(?<![^\W_])i[" + re.escape(APOSTROPHES) + r"]ll(?![^\W_])")
# Upper case marks a kept double (_keep_doubles): folded text has none of its own.
_LETTER_REPEATS = re.compile(r"([^\W\dA-Z_])\1+")
_ASCII_REPEATS = re.compile(r"([a-z])\1+")
_PLAIN_REPEATS = re.compile(r"([^\W\d_])\1+")


def _kept_pattern(stem: str) -> str:
    """A stem's letters, each run as many times as typed, its doubles at least twice."""
    return "".join(
        re.escape(run[0]) + ("{2,}" if len(run) > 1 else "+")
        for run in (found.group(0) for found in re.finditer(r"(.)\1*", stem))
    )


# Any kept stem at the start of a word, however long its runs are typed.
_KEPT_DOUBLES = re.compile(r"\b(?:" + "|".join(_kept_pattern(stem) for stem in KEPT_DOUBLES) + ")")
# Each stem, by its letters with every run typed once ("son" for "soon"), in upper case.
_KEPT_MARKED = {re.sub(r"(.)\1+", r"\1", stem): stem.upper() for stem in KEPT_DOUBLES}


def _keep_doubles(text: str) -> str:
    """The text with each kept double's stem in upper case ("sooon" gives "SOON"), which
    squeezing leaves alone."""
    return _KEPT_DOUBLES.sub(_marked, text)


def plain(word: str) -> str:
    """A word with every repeated letter squeezed, kept doubles too: how a kept stem reads
    inside a word run together ("tieanoose" reads "tieanose")."""
    return _PLAIN_REPEATS.sub(_first_letter, word)


def kept_form(word: str) -> str:
    """A squeezed word that begins with a kept stem, read with its double ("nose" typed
    broken as "n oose" is "noose"); other words as they are."""
    for squeezed, marked in _KEPT_MARKED.items():
        if word.startswith(squeezed):
            return marked.lower() + word[len(squeezed) :]
    return word


def _marked(found: re.Match[str]) -> str:
    """The kept stem a match is, in upper case."""
    return _KEPT_MARKED[re.sub(r"(.)\1+", r"\1", found.group(0))]


def _masked_forms() -> dict[str, str]:
    """Each word of MASKED_WORDS with one or two letters hidden ("k*ll", "s*ic*de"), at least
    two shown, by the word it hides (the first listed where two could be meant)."""
    forms: dict[str, str] = {}
    for word in MASKED_WORDS:
        for hidden in (1, 2):
            if len(word) - hidden < 2:
                continue
            for places in combinations(range(len(word)), hidden):
                key = "".join("*" if at in places else letter for at, letter in enumerate(word))
                forms.setdefault(key, word)
    return forms


_MASKED_FORMS = _masked_forms()
_MASKED_SET = frozenset(MASKED_WORDS)
_MASK_OR_NUMBER = "0-9" + re.escape(MASKS)
# A run of letters, numbers and masks with a letter in it, beginning and ending in a letter or
# number (a mark after a word, "die!", is punctuation, and "**self harm**" is bold, not a hidden
# letter; "@" and "$" may begin one: "@buse").
_MASKED_TOKEN = re.compile(
    rf"(?<![a-z{_MASK_OR_NUMBER}])(?=[a-z{_MASK_OR_NUMBER}]*[a-z])"
    rf"[a-z0-9@$][a-z{_MASK_OR_NUMBER}]*[a-z0-9](?![a-z0-9])"
)
_MASK_OR_NUMBER_FOUND = re.compile(f"[{_MASK_OR_NUMBER}]")
_MASK_LETTER_TABLE = str.maketrans(MASK_LETTERS)
_MASK_STAR_TABLE = str.maketrans(dict.fromkeys(MASKS, "*"))


def unmasked(text: str) -> str:
    """Lower-case text with each masked word of MASKED_WORDS written out ("k*ll myself" reads
    "kill myself", "su1c1de" reads "suicide"); anything else as it was ("today!!", "m62")."""
    if _MASK_OR_NUMBER_FOUND.search(text) is None:
        return text
    return _MASKED_TOKEN.sub(_unmasked_word, text)


def _unmasked_word(found: re.Match[str]) -> str:
    """The word a masked token hides, or the token."""
    token = found.group(0)
    if len(token) < 3 or token.isalpha():
        return token
    read = token.translate(_MASK_LETTER_TABLE)
    if read in _MASKED_SET:
        return read
    # "@" and "$" hide a letter as often as they stand for "a" and "s" ("d@e", "0verd*sed").
    found_word = _MASKED_FORMS.get(read.translate(_MASK_STAR_TABLE))
    return found_word or _MASKED_FORMS.get(token.translate(_MASK_STAR_TABLE), token)


# Any number of two or more digits, in messages and phrases alike, so "took 20 paracetamol"
# also matches "took 32 paracetamol", but not "took 2 paracetamol".
_NUMBER = re.compile(r"\d{2,}")
ANY_NUMBER = "00"
_WORD = re.compile(r"[^\W_]+")
# Where a sentence ends: the concept rules look for words that belong together within one. A
# line break does not end one: phones break lines in the middle of sentences.
_SENTENCE_END = re.compile(r"[.!?;]+(?!\d)")
# For plain ASCII text: drop apostrophes and asterisks, make every other symbol a space.
_ASCII_FOLD = str.maketrans(
    {
        chr(code): (None if chr(code) in DROPPED else " ")
        for code in range(128)
        if not chr(code).isalnum()
    }
)
_LOOK_ALIKE_TABLE = str.maketrans(LOOK_ALIKES)
_EMOJI_TABLE = str.maketrans(EMOJI_WORDS)
_DROP_TABLE = str.maketrans(dict.fromkeys(DROPPED))


def _first_letter(found: re.Match[str]) -> str:
    """The letter of a run of one repeated letter."""
    return found.group(1)


def squeeze(word: str) -> str:
    """Collapse repeated letters ("killl" and "kill" both become "kil", "dieeee" becomes "die"),
    except the doubles of KEPT_DOUBLES ("feel" stays "feel", apart from "fell")."""
    kept = _keep_doubles(word)
    squeezed = _LETTER_REPEATS.sub(_first_letter, kept)
    return squeezed if kept == word else squeezed.lower()


SHORT: dict[str, tuple[str, ...]] = {
    squeeze(key): tuple(squeeze(word) for word in value.split())
    for key, value in SHORT_FORMS.items()
}
NEVER_SLIPS = frozenset(squeeze(word) for word in NOT_SLIPS)
FILLER_WORDS = frozenset(squeeze(word) for word in FILLERS)
# Beginnings of short filler words, so one broken in two ("a n", "th e") is skipped too.
FILLER_PARTS = frozenset(
    word[:cut] for word in FILLER_WORDS if len(word) <= 4 for cut in range(1, len(word))
)


def _fold(text: str, *, any_number: bool) -> str:
    """Folded case and plain letters; other marks become spaces later."""
    if text.isascii():
        folded = text.lower()
        if "od'" in folded or "od`" in folded:
            folded = _OD_D.sub("oded", folded)
        if "i'll" in folded or "i`ll" in folded:
            folded = _I_WILL.sub("i will", folded)
    else:
        # Apostrophes go first: NFKD would turn some of them (the acute accent "´") into a
        # space and a mark, splitting "can´t" in two.
        folded = _OD_D.sub("oded", text.translate(_EMOJI_TABLE).casefold())
        folded = _I_WILL.sub("i will", folded)
        folded = unmasked(folded)  # before "*" is dropped
        folded = folded.translate(_DROP_TABLE)
        folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", folded).casefold())
        folded = _IGNORED.sub("", folded).translate(_LOOK_ALIKE_TABLE)
    folded = unmasked(folded)
    if any_number and _NUMBER.search(folded):
        folded = _NUMBER.sub(ANY_NUMBER, folded)
    return folded


def _split(folded: str, ascii_only: bool) -> list[str]:
    """Squeezed words of folded text (the doubles of KEPT_DOUBLES kept)."""
    text = folded.translate(_ASCII_FOLD) if ascii_only else folded
    kept = _keep_doubles(text)
    if ascii_only:
        words = _ASCII_REPEATS.sub(_first_letter, kept).split()
    else:
        words = _WORD.findall(_LETTER_REPEATS.sub(_first_letter, kept))
    return words if kept == text else [word.lower() for word in words]


def spellings(phrase: str) -> tuple[str, ...]:
    """A listed phrase as written, and with "I'll" written "ill" too (read as the word "ill",
    as a message typed without apostrophes is)."""
    if _I_WILL.search(phrase.lower()) is None:
        return (phrase,)
    return (phrase, _I_WILL.sub("ill", phrase.lower()))


def tokens(text: str) -> list[str]:
    """Turn text into comparable words: folded case, plain letters, repeats squeezed."""
    words = _split(_fold(text, any_number=True), text.isascii())
    singles = [index for index, word in enumerate(words) if len(word) == 1]
    if len(singles) >= _MIN_SPELT_OUT_LETTERS:
        words = join_spelt_out(words, singles)
    return words


_T = TypeVar("_T")


def join_spelt_out(words: list[str], singles: list[int]) -> list[str]:
    """Read lone letters in a row as one word ("k m s" becomes "kms", "d i e" becomes "die")."""
    return _joined(words, _spelt_out_runs(singles), lambda run: squeeze("".join(run)))


def _spelt_out_runs(singles: list[int]) -> list[tuple[int, int]]:
    """Where lone letters (at these places) run on long enough to be one spelt-out word."""
    runs: list[tuple[int, int]] = []
    run_start = previous = singles[0]
    for index in [*singles[1:], -2]:
        if index != previous + 1:
            if previous - run_start + 1 >= _MIN_SPELT_OUT_LETTERS:
                runs.append((run_start, previous + 1))
            run_start = index
        previous = index
    return runs


def _joined(
    items: list[_T], runs: list[tuple[int, int]], merge: Callable[[list[_T]], _T]
) -> list[_T]:
    """The items with each run merged into one."""
    if not runs:
        return items
    joined: list[_T] = []
    done = 0
    for run_start, run_end in runs:
        joined.extend(items[done:run_start])
        joined.append(merge(items[run_start:run_end]))
        done = run_end
    joined.extend(items[done:])
    return joined


@dataclass(frozen=True, slots=True)
class Sentences:
    """A message as the concept rules read it: words (short forms in full, no fillers, numbers
    kept as written) and, for each word, which sentence it is in and which part of the message
    between commas, colons and sentence ends (its clause)."""

    words: tuple[str, ...]
    sentence: tuple[int, ...]
    clause: tuple[int, ...] = ()


def sentences(text: str) -> Sentences:
    """Read text into words and sentence numbers for the concept rules."""
    ascii_only = text.isascii()
    words: list[str] = []
    numbers: list[int] = []
    clauses: list[int] = []
    clause = 0
    for index, part in enumerate(_SENTENCE_END.split(_fold(text, any_number=False))):
        found: list[str] = []
        found_in: list[int] = []
        for piece in _CLAUSE_BREAK.split(part):
            piece_words = _split(piece, ascii_only)
            found.extend(piece_words)
            found_in.extend([clause] * len(piece_words))
            clause += 1
        singles = [at for at, word in enumerate(found) if len(word) == 1 and not word.isdigit()]
        if len(singles) >= _MIN_SPELT_OUT_LETTERS:
            runs = _spelt_out_runs(singles)
            found = _joined(found, runs, lambda run: squeeze("".join(run)))
            found_in = _joined(found_in, runs, lambda run: run[0])
        for word, word_clause in zip(found, found_in, strict=True):
            for part_word in SHORT.get(word, (word,)):
                if part_word not in FILLER_WORDS:
                    words.append(part_word)
                    numbers.append(index)
                    clauses.append(word_clause)
    return Sentences(tuple(words), tuple(numbers), tuple(clauses))


# Where a clause ends inside a sentence: commas, colons and dashes between words.
_CLAUSE_BREAK = re.compile(r"[,:]+(?!\d)|\s[-\u2013\u2014]+\s")


def sentences_as_written(text: str) -> list[str] | None:
    """The message's sentences as written, numbered as `sentences` numbers them; None where
    folding moved a sentence end (then they cannot be matched up)."""
    parts = _SENTENCE_END.split(text)
    if len(parts) != len(_SENTENCE_END.split(_fold(text, any_number=False))):
        return None
    return parts


# Where an everyday saying cannot run on: sentence ends, commas, colons and line breaks.
_PHRASE_BREAK = re.compile(r"[.!?;,:]+(?!\d)|[\r\n]+")


def sentence_texts(text: str) -> list[str]:
    """The text's parts between sentence ends, commas, colons and line breaks, as written."""
    return _PHRASE_BREAK.split(text)


def rule_words(text: str) -> tuple[str, ...]:
    """The words of a listed word or phrase as the concept rules compare them."""
    return sentences(text).words


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# A listed word this long (after squeezing repeated letters) also matches a message word one
# typing slip away, as long as the first letter is the same.
FUZZY_MIN_WORD = 6


def slips_of(word: str) -> set[str]:
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
