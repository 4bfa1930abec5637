"""Properties of the whole net on every example in the shipped rules file: how a message is
typed (capitals, spaces, line breaks, apostrophes, a doubled letter) never changes the tier of
the reply; and any text at all gives a verdict without raising. Bounded runs; no timing here
(that belongs to the benchmarks)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.crisis import KINDS, CrisisMatcher, load_crisis_matcher
from bot.crisis.families import FamilyIndex
from bot.crisis.files import read_rules
from bot.crisis.kinds import verdict_of
from bot.crisis.normalise import FILLER_WORDS, sentences
from bot.crisis.rules import Rule, RuleIndex, rule_match
from bot.crisis.wordlists import APOSTROPHES
from config.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
PHRASES = ROOT / "config" / "crisis_phrases.yaml"
RULES = ROOT / "config" / "crisis_rules.yaml"
# Each property runs this many cases: enough to cover every example over a few runs while the
# whole file stays well under a minute on a shared machine.
EXAMPLES_PER_PROPERTY = 150


@functools.cache
def whole_net() -> CrisisMatcher:
    """The matcher the bot runs: the shipped phrases and rules."""
    return load_crisis_matcher(PHRASES, RULES)


def _examples() -> list[tuple[str, str]]:
    """Every (rule id, example) in the shipped rules file; one stand-in if it does not load
    (test_rules_file says why)."""
    try:
        _, rules, _ = read_rules(RULES)
    except ConfigError:
        return [("none", "the rules file does not load")]
    return [(rule.id, text) for rule in rules for text in rule.examples]


EXAMPLES = _examples()


def tier_of(text: str) -> str | None:
    """The tier of the whole net's reply to text, or None for no reply."""
    found = whole_net().check(text)
    return None if found is None else found.tier


def assert_same_tier(rule_id: str, example: str, changed: str) -> None:
    """The changed example gets a reply of the same tier as the example as written."""
    before, after = tier_of(example), tier_of(changed)
    assert after == before, (
        f"rule {rule_id!r}: {example!r} gets {before}, but written as {changed!r} gets {after}"
    )


def property_settings(examples: int = EXAMPLES_PER_PROPERTY) -> settings:
    """Bounded, without deadlines (the machine is shared)."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


@given(example=st.sampled_from(EXAMPLES), flips=st.lists(st.booleans(), min_size=1, max_size=9))
@property_settings()
def test_capitals_never_change_the_tier(example: tuple[str, str], flips: list[bool]) -> None:
    """Upper or lower case, anywhere."""
    rule_id, text = example
    changed = "".join(
        char.upper() if flips[index % len(flips)] else char.lower()
        for index, char in enumerate(text)
    )
    assert_same_tier(rule_id, text, changed)


@given(
    example=st.sampled_from(EXAMPLES),
    gaps=st.lists(st.sampled_from([" ", "  ", "   ", "\t", " \t "]), min_size=1, max_size=9),
    lead=st.sampled_from(["", " ", "  "]),
    tail=st.sampled_from(["", " ", "   "]),
)
@property_settings()
def test_extra_spaces_between_words_never_change_the_tier(
    example: tuple[str, str], gaps: list[str], lead: str, tail: str
) -> None:
    """More spaces (or tabs) between words, before or after."""
    rule_id, text = example
    words = text.split(" ")
    changed = words[0]
    for index, word in enumerate(words[1:]):
        changed += gaps[index % len(gaps)] + word
    assert_same_tier(rule_id, text, lead + changed + tail)


@given(
    example=st.sampled_from(EXAMPLES),
    where=st.integers(min_value=0, max_value=1000),
    brk=st.sampled_from(["\n", "\r\n", " \n", "\n "]),
)
@property_settings()
def test_a_line_break_between_words_never_changes_the_tier(
    example: tuple[str, str], where: int, brk: str
) -> None:
    """A line break where a space was (phones wrap and people press return mid-sentence)."""
    rule_id, text = example
    spaces = [index for index, char in enumerate(text) if char == " "]
    if not spaces:
        return
    at = spaces[where % len(spaces)]
    assert_same_tier(rule_id, text, text[:at] + brk + text[at + 1 :])


@given(
    example=st.sampled_from([entry for entry in EXAMPLES if any(a in entry[1] for a in "'’")]),
    apostrophes=st.lists(st.sampled_from(["’", "‘", "ʼ", "'", ""]), min_size=1, max_size=4),
)
@property_settings()
def test_curly_or_dropped_apostrophes_never_change_the_tier(
    example: tuple[str, str], apostrophes: list[str]
) -> None:
    """don't, don’t and dont are alike."""
    rule_id, text = example
    count = 0
    changed = ""
    for char in text:
        if char in APOSTROPHES:
            changed += apostrophes[count % len(apostrophes)]
            count += 1
        else:
            changed += char
    assert_same_tier(rule_id, text, changed)


@given(example=st.sampled_from(EXAMPLES), where=st.integers(min_value=0, max_value=10_000))
@property_settings()
def test_a_doubled_letter_inside_a_word_never_changes_the_tier(
    example: tuple[str, str], where: int
) -> None:
    """A letter typed twice ("wantt", "diie")."""
    rule_id, text = example
    letters = [found.start() for found in re.finditer(r"[^\W\d_]", text)]
    if not letters:
        return
    at = letters[where % len(letters)]
    assert_same_tier(rule_id, text, text[: at + 1] + text[at:])


@given(st.text(max_size=400))
@property_settings(200)
def test_random_text_never_raises(text: str) -> None:
    """Any string: a verdict of known kinds, the same as its hits give."""
    matcher = whole_net()
    found = matcher.check(text)
    assert found is None or set(found.kinds) <= set(KINDS)
    assert found == verdict_of({hit.kind for hit in matcher.hits(text)})


def _family_words() -> list[str]:
    """Words the shipped families list (first words of entries) and fillers: random mixes of
    them reach deep into the rules."""
    try:
        families, _, _ = read_rules(RULES)
    except ConfigError:
        return ["i", "want", "die"]
    words = sorted({entry[0] for group in families for entry in group.entries})
    return [*words, *sorted(FILLER_WORDS), "not", "never", ".", "!", "\n", "'", "💊"]


FAMILY_WORDS = _family_words()


@given(
    words=st.lists(st.sampled_from(FAMILY_WORDS), max_size=120),
    glue=st.sampled_from([" ", "  ", ", ", ". ", "\n", ""]),
)
@property_settings(200)
def test_random_mixes_of_family_words_never_raise(words: list[str], glue: str) -> None:
    """Messages made of the rules' own words, however joined, give a consistent verdict."""
    text = glue.join(words)
    matcher = whole_net()
    found = matcher.check(text)
    assert found is None or set(found.kinds) <= set(KINDS)
    assert found == verdict_of({hit.kind for hit in matcher.hits(text)})


@functools.cache
def indexed_rules() -> tuple[FamilyIndex, RuleIndex, tuple[Rule, ...]]:
    """The shipped families, the rule index the matcher uses, and the rules in file order."""
    families, rules, _ = read_rules(RULES)
    return FamilyIndex(families), RuleIndex(rules), tuple(rules)


@given(
    words=st.lists(st.sampled_from(FAMILY_WORDS), max_size=60),
    glue=st.sampled_from([" ", ", ", ". ", "\n"]),
)
@property_settings(200)
def test_the_rule_index_skips_only_rules_that_cannot_match(words: list[str], glue: str) -> None:
    """The matcher tries a message only against the rules the index gives for its families;
    trying every rule in the file finds the same rules, in the same order."""
    families, index, rules = indexed_rules()
    read = sentences(glue.join(words))
    found = families.find(read.words)
    every = [rule.id for rule in rules if rule_match(rule, found, read) is not None]
    tried = [
        rule.id for rule in index.candidates(found) if rule_match(rule, found, read) is not None
    ]
    assert tried == every


@given(
    text=st.text(
        alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()),
        min_size=3000,
        max_size=4096,
    )
)
@property_settings(20)
def test_long_messages_of_any_code_point_never_raise(text: str) -> None:
    """Up to Telegram's 4,096 characters, surrogates and unassigned code points included."""
    found = whole_net().check(text)
    assert found is None or set(found.kinds) <= set(KINDS)
