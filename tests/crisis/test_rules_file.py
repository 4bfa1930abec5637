"""The shipped concept-rules file (config/crisis_rules.yaml): it loads, every rule finds its own
examples and none of its not_examples, every kind has a rule, and nothing in it is unused.
These check properties of whatever the file holds, so they keep working while it is edited."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from bot.crisis import CRISIS_KINDS, DISTRESS, KINDS, CrisisMatcher, Hit, load_crisis_matcher
from bot.crisis.families import Family
from bot.crisis.files import FAMILY_FIELDS, RULE_FIELDS, read_rules
from bot.crisis.kinds import tier_of
from bot.crisis.rules import ASIDE_CLAUSES, Rule
from config.errors import ConfigError
from config.yamlfile import read_yaml

ROOT = Path(__file__).resolve().parents[2]
PHRASES = ROOT / "config" / "crisis_phrases.yaml"
RULES = ROOT / "config" / "crisis_rules.yaml"


@functools.cache
def shipped() -> tuple[list[Family], list[Rule], frozenset[str]]:
    """The families, rules and phrase guards of the shipped file."""
    return read_rules(RULES)


@functools.cache
def whole_net() -> CrisisMatcher:
    """The matcher the bot runs: the shipped phrases and rules."""
    return load_crisis_matcher(PHRASES, RULES)


def _rules_for_collection() -> list[Rule]:
    """The shipped rules, or none if the file does not load (test_the_file_loads says why)."""
    try:
        return shipped()[1]
    except ConfigError:
        return []


EXAMPLES = [
    pytest.param(rule, text, id=f"{rule.id}-{index}")
    for rule in _rules_for_collection()
    for index, text in enumerate(rule.examples)
]
NOT_EXAMPLES = [
    pytest.param(rule, text, id=f"{rule.id}-{index}")
    for rule in _rules_for_collection()
    for index, text in enumerate(rule.not_examples)
]


def test_the_file_loads() -> None:
    """The rules file reads, and together with the phrase file builds the bot's matcher."""
    families, rules, _guards = shipped()
    assert families
    assert rules
    matcher = whole_net()
    assert matcher.check("What time is the meeting on Tuesday?") is None


@pytest.mark.parametrize(("rule", "text"), EXAMPLES)
def test_every_example_is_found_by_its_own_rule(rule: Rule, text: str) -> None:
    """Each example is found by the rule that lists it (not only by some other rule or a
    phrase), and gets a reply of that rule's tier."""
    matcher = whole_net()
    hits = matcher.hits(text)
    assert Hit("rule", rule.id, rule.kind) in hits, (
        f"rule {rule.id!r} does not find its example {text!r}; found by: "
        f"{[f'{hit.source} {hit.name}' for hit in hits] or 'nothing'}"
    )
    found = matcher.check(text)
    tier = tier_of(rule.kind)
    assert found is not None and found.tier == tier, (
        f"rule {rule.id!r} example {text!r} gets {found}, not the {tier} reply"
    )


@pytest.mark.parametrize(("rule", "text"), NOT_EXAMPLES)
def test_no_not_example_is_found_by_its_rule(rule: Rule, text: str) -> None:
    """A rule's not_examples are never found by that rule."""
    hits = whole_net().hits(text)
    assert Hit("rule", rule.id, rule.kind) not in hits, (
        f"rule {rule.id!r} finds its not_example {text!r}"
    )


def test_every_example_list_is_there() -> None:
    """Every rule has at least one example (make test checks each one)."""
    _, rules, _ = shipped()
    assert [rule.id for rule in rules if not rule.examples] == []


def test_every_crisis_kind_and_distress_has_a_rule() -> None:
    """Each crisis kind and distress is found by at least one rule."""
    _, rules, _ = shipped()
    kinds = {rule.kind for rule in rules}
    assert [kind for kind in (*CRISIS_KINDS, DISTRESS) if kind not in kinds] == []
    assert kinds <= set(KINDS)


def test_rule_ids_are_unique_in_the_file() -> None:
    """No two rules share an id, as written in the file (not only as the loader sees it)."""
    raw = read_yaml(RULES)
    ids = [entry.get("id") for entry in raw["rules"]]
    assert sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1}) == []
    assert len({rule.id for rule in shipped()[1]}) == len(shipped()[1])


def test_every_family_is_used() -> None:
    """Every family is used by a rule (to find, or to stop it), as a phrase guard, by the
    learned signal (needs_one_of), or to cancel another family (not_with): an unused family
    is a mistake or a leftover."""
    from bot.crisis.files import read_learned

    families, rules, guards = shipped()
    learned = read_learned(RULES)
    used = set(guards) | (learned.needs_one_of if learned is not None else set())
    used |= set(ASIDE_CLAUSES)  # the engine reads these itself
    for rule in rules:
        for part in rule.parts:
            used |= part
        used |= rule.unless_near | rule.unless_sentence | rule.unless_message
    for group in families:
        used |= group.not_with
    unused = sorted(group.name for group in families if group.name not in used)
    assert unused == [], f"families no rule or guard uses: {unused}"


def test_no_family_word_is_read_as_yes_or_no() -> None:
    """YAML reads an unquoted no, yes, on or off as true/false: such a family word would be
    looked for as the word "false" or "true" and never found as written. Each must be quoted
    (or the loader must refuse it)."""
    raw = read_yaml(RULES)
    wrong = []
    for name, value in raw["families"].items():
        lists = [value] if isinstance(value, list) else [value.get("words"), value.get("exact")]
        for words in lists:
            wrong += [f"{name}: {word!r}" for word in words or [] if isinstance(word, bool)]
    assert wrong == [], f'quote these family words, for example - "no": {wrong}'


def _header(path: Path) -> str:
    """The comment block before the first entry of a data file, lower case."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines).lower()


def test_the_header_explains_every_kind_and_field() -> None:
    """An editor can write a rule from the header alone: it names every kind, every rule
    field and every family option the loader accepts, and says to run make test."""
    header = _header(RULES)
    needed = [
        *KINDS,
        *RULE_FIELDS,
        *(f"{field}:" for field in FAMILY_FIELDS),
        "make test",
    ]
    assert [word for word in needed if word not in header] == []
