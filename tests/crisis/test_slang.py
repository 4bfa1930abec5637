"""Text-speak and dropped g's: "some1", "plz", "2nite" and "jumpin" read as the words they
stand for, so a rule finds a message however it is typed; look-alikes such as "odd" (squeezed
to "od") and "begin" are never read as something else."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.crisis.families import FamilyIndex, family
from bot.crisis.files import read_rules
from bot.crisis.normalise import sentences
from bot.crisis.rules import RuleIndex, rule_match
from bot.crisis.wordlists import SHORT_FORMS

RULES = Path(__file__).resolve().parents[2] / "config" / "crisis_rules.yaml"
# How people type a word in a hurry, and the word it stands for.
TYPED = {
    "someone": "some1",
    "everyone": "every1",
    "anyone": "any1",
    "please": "plz",
    "have": "hav",
    "about": "abt",
    "everything": "evrything",
    "something": "sumthin",
    "nothing": "nothin",
    "tonight": "2nite",
    "sorry": "sry",
}


@functools.cache
def shipped() -> tuple[FamilyIndex, RuleIndex]:
    """The shipped families and rules, indexed."""
    families, rules, _ = read_rules(RULES)
    return FamilyIndex(families), RuleIndex(rules)


def rule_finds(rule_id: str, text: str) -> bool:
    """Whether the shipped rule with this id finds the text."""
    index, rules = shipped()
    read = sentences(text)
    found = index.find(read.words)
    rule = next(rule for rule in rules.rules if rule.id == rule_id)
    return rule_match(rule, found, read) is not None


def test_text_speak_reads_as_the_words_it_stands_for() -> None:
    """Each short form is read as its full words, in messages and family entries alike."""
    for full, typed in TYPED.items():
        assert sentences(f"i {typed} x").words == sentences(f"i {full} x").words, typed
    assert (
        sentences("plz some1 ring me 2nite").words
        == sentences("please someone ring me tonight").words
    )


def test_no_short_form_is_an_everyday_word_squeezed() -> None:
    """Repeated letters are squeezed ("odd" reads "od"), so no short form may be the
    squeezed spelling of an everyday word: "od" for overdose would make "odd socks" a crisis."""
    everyday = ("odd", "add", "off", "too", "see", "all", "bee", "egg", "inn", "ill", "well")
    squeezed = {re.sub(r"(.)\1+", r"\1", word) for word in everyday}
    assert not squeezed & set(SHORT_FORMS) - {"ill"}, squeezed & set(SHORT_FORMS)


def test_a_dropped_g_finds_the_ing_form() -> None:
    """ "jumpin" and "bleedin" are found as "jumping" and "bleeding"; a word that only looks
    like a dropped g ("begin", "cabin", "skin") is not turned into anything."""
    index = FamilyIndex([family("jump", ["jump"]), family("bleed", ["bleed"])])
    assert index.find(sentences("thinkin of jumpin").words) == {"jump": [(2, 3)]}
    assert index.find(sentences("wrist bleedin").words) == {"bleed": [(1, 2)]}
    assert index.find(sentences("begin the cabin skin").words) == {}


@given(
    example=st.sampled_from(
        [
            (rule.id, text)
            for rule in read_rules(RULES)[1]
            for text in rule.examples
            if any(re.search(rf"\b{word}\b", text.lower()) for word in TYPED)
        ]
    )
)
@settings(max_examples=60, deadline=None)
def test_a_rule_finds_its_example_typed_in_text_speak(example: tuple[str, str]) -> None:
    """A rule's example with its words typed the quick way ("some1", "plz") is still found."""
    rule_id, text = example
    typed = text.lower()
    for full, short in TYPED.items():
        typed = re.sub(rf"\b{full}\b", short, typed)
    assert rule_finds(rule_id, text), text
    assert rule_finds(rule_id, typed), typed


@given(
    example=st.sampled_from(
        [
            (rule.id, text)
            for rule in read_rules(RULES)[1]
            for text in rule.examples
            if re.search(r"\b[a-z]{3,}ing\b", text.lower())
        ]
    )
)
@settings(max_examples=60, deadline=None)
def test_a_rule_finds_its_example_with_the_g_dropped(example: tuple[str, str]) -> None:
    """A rule's example with every "-ing" typed "-in" ("cuttin", "thinkin") is still found."""
    rule_id, text = example
    dropped = re.sub(r"\b([a-z]{3,})ing\b", r"\1in", text.lower())
    assert rule_finds(rule_id, text), text
    assert rule_finds(rule_id, dropped), dropped
