"""Everyday sentences said beside a message ("Hi, it's Sam from the North West hub.", "Anyway,
how was the meeting?"), added to copies of some examples when the learned signal is trained.

The examples' crises are said alone, and forum business is said only in everyday messages, so
a signal trained on them alone learns "meeting" and "hub" as signs of everyday talk: a crisis
said beside a greeting or a question about Thursday lost its reply about one time in eight
(`tests/crisis/test_framing.py`). The same sentences beside every kind of example teach that
they say nothing either way. They are the examples' own everyday messages of one sentence with
no word the signal listens for, so nothing is written for this alone."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from bot.crisis.families import Family, FamilyIndex
from bot.crisis.kinds import NONE
from bot.crisis.learned import Example
from bot.crisis.normalise import sentence_texts, sentences

# About this share of the examples gets a copy with an everyday sentence before or after it
# (cross-validated: a third kept the false alarms outside the contrast pairs where they were;
# more added false alarms: benchmarks/RESULTS.md, session 12).
FRAMED_SHARE = 0.3
_SEED = 12
# An everyday example is used as a framing sentence when it has this many words.
_FRAMING_WORDS = range(4, 21)
_SENTENCE_ENDS = ".!?"


def framing_check(families: Sequence[Family], listened_for: Iterable[str]) -> Callable[[str], bool]:
    """Whether a text says nothing the learned signal listens for: no word of these families
    (those it needs, and a story told)."""
    index = FamilyIndex(families)
    names = frozenset(listened_for)

    def says_nothing(text: str) -> bool:
        """No word of the families listened for."""
        return not any(name in names for name in index.find(sentences(text).words))

    return says_nothing


def framing_sentences(
    examples: Sequence[Example], says_nothing: Callable[[str], bool]
) -> list[str]:
    """The everyday examples of one sentence with no stop, comma or colon, of four to twenty
    words, that say nothing the signal listens for, in the order they come."""
    found: list[str] = []
    for example in examples:
        text = example.text.strip()
        if example.tier != NONE or len(sentence_texts(text)) != 1:
            continue
        if len(sentences(text).words) in _FRAMING_WORDS and says_nothing(text):
            found.append(text)
    return found


def with_framings(examples: Sequence[Example], framings: Sequence[str]) -> list[Example]:
    """The examples, then a copy of about FRAMED_SHARE of them (the same every time) with one
    of the framing sentences before or after it."""
    return [*examples, *(copy for _, _, copy in framed_copies(examples, framings))]


def framed_copies(
    examples: Sequence[Example], framings: Sequence[str]
) -> list[tuple[int, str, Example]]:
    """The copies with_framings adds: each with the index of its example and its framing."""
    chosen = random.Random(_SEED)
    framed: list[tuple[int, str, Example]] = []
    for index, example in enumerate(examples if framings else ()):
        if chosen.random() >= FRAMED_SHARE:
            continue
        framing = chosen.choice(framings)
        text = example.text.strip()
        if chosen.random() < 0.5:
            text = f"{framing}. {text}"
        else:
            stop = "" if text.endswith(tuple(_SENTENCE_ENDS)) else "."
            text = f"{text}{stop} {framing}."
        framed.append((index, framing, replace(example, text=text)))
    return framed
