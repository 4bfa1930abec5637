"""Mistakes in a concept-rules file: each stops start-up with a ConfigError that names the file,
the line or the rule, and says in plain words what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.crisis import CONCERN, CRISIS, DISTRESS, KINDS, Verdict, load_crisis_matcher
from bot.crisis.files import read_rules
from config.errors import ConfigError

PHRASES = """\
suicide:
  - kill myself
unsafe: []
self_harm: []
overdose: []
danger_now: []
child: []
sexual_violence: []
domestic_abuse: []
harm_to_others: []
concern: []
not_a_crisis: []
"""

VALID = """\
# A small rules file.
phrases_unless_in_message: [told_as_past]

families:
  me:
    words:
      - i
      - me
  want:
    - want
    - wish
  die:
    - die
    - not wake up
  negation:
    exact:
      - not
      - never
  low:
    exact:
      - low
      - down
  told_as_past:
    words:
      - years ago
    not_with: [still_now]
  still_now:
    exact:
      - still

rules:
  - id: wish_dead
    kind: suicide
    find: [me, want, die]
    within: 6
    unless_near: [negation]
    unless_in_message: [told_as_past]
    why: Wanting to die.
    examples:
      - I want to die
    not_examples:
      - I never want to die

  - id: feeling_low
    kind: distress
    find: [me, low]
    within: 4
    in_order: false
    why: Feeling low.
    examples:
      - I am so low
"""


def line_of(text: str, needle: str) -> int:
    """The number of the first line of text that holds needle."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} is not in the text")


def write(tmp_path: Path, text: str) -> Path:
    """Write a rules file and return its path."""
    path = tmp_path / "crisis_rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> ConfigError:
    """Load text as the rules file (with a good phrase file); return the ConfigError it must
    raise, after checking that it names the rules file."""
    phrases = tmp_path / "crisis_phrases.yaml"
    phrases.write_text(PHRASES, encoding="utf-8")
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_crisis_matcher(phrases, path)
    assert caught.value.source == str(path)
    assert str(path) in str(caught.value)
    return caught.value


def changed(old: str, new: str, text: str = VALID) -> str:
    """VALID with one piece changed (which must be there exactly once)."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


RULE_LINE = line_of(VALID, "- id: wish_dead")
WISH_DEAD = f"wish_dead (line {RULE_LINE})"


def test_a_small_valid_file_loads(tmp_path: Path) -> None:
    """The small file loads and its rules work with the phrase file."""
    phrases = tmp_path / "crisis_phrases.yaml"
    phrases.write_text(PHRASES, encoding="utf-8")
    matcher = load_crisis_matcher(phrases, write(tmp_path, VALID))
    assert matcher.check("I want to die") == Verdict(CRISIS, ("suicide",))
    assert matcher.check("I never want to die") is None
    assert matcher.check("down, so down, I am") == Verdict(CONCERN, (DISTRESS,))
    assert matcher.check("kill myself") == Verdict(CRISIS, ("suicide",))
    assert matcher.check("years ago I said kill myself") is None
    assert matcher.check("years ago I said kill myself and still do") is not None
    families, rules, guards = read_rules(write(tmp_path, VALID))
    assert [rule.id for rule in rules] == ["wish_dead", "feeling_low"]
    assert guards == frozenset({"told_as_past"})
    assert {group.name for group in families} >= {"me", "want", "die", "still_now"}


# ---------------------------------------------------------------------------
# Rules


def test_unknown_family_in_find_suggests_the_right_name(tmp_path: Path) -> None:
    """A misspelt family in find: names the rule and its line, and the family meant."""
    error = load_error(tmp_path, changed("find: [me, want, die]", "find: [me, wnat, die]"))
    assert error.entry == WISH_DEAD
    assert "unknown family 'wnat'" in error.problem
    assert "did you mean 'want'?" in error.problem


def test_unknown_family_with_nothing_close_lists_the_families(tmp_path: Path) -> None:
    """With no near spelling the error lists the families there are."""
    error = load_error(tmp_path, changed("find: [me, want, die]", "find: [me, banana, die]"))
    assert error.entry == WISH_DEAD
    assert "unknown family 'banana'" in error.problem
    assert "use one of" in error.problem
    assert "want" in error.problem


def test_unknown_family_in_an_unless_field(tmp_path: Path) -> None:
    """unless_near and the others name families too."""
    error = load_error(tmp_path, changed("unless_near: [negation]", "unless_near: [negaton]"))
    assert error.entry == WISH_DEAD
    assert "did you mean 'negation'?" in error.problem


def test_unknown_kind(tmp_path: Path) -> None:
    """A misspelt kind names the rule and the kind meant; one with nothing close lists them."""
    error = load_error(tmp_path, changed("kind: suicide", "kind: suicdie"))
    assert error.entry == WISH_DEAD
    assert "unknown kind 'suicdie'" in error.problem
    assert "did you mean 'suicide'?" in error.problem
    error = load_error(tmp_path, changed("kind: suicide", "kind: danger_from_others"))
    assert "unknown kind 'danger_from_others'" in error.problem
    error = load_error(tmp_path, changed("kind: suicide", "kind: banana"))
    assert all(kind in error.problem for kind in KINDS)


def test_duplicate_rule_id(tmp_path: Path) -> None:
    """Two rules with one id: names the id and says to give each its own."""
    error = load_error(tmp_path, changed("- id: feeling_low", "- id: wish_dead"))
    assert error.entry is not None and "wish_dead" in error.entry
    assert "two rules have the id 'wish_dead'" in error.problem
    assert "give each its own" in error.problem


@pytest.mark.parametrize("within", ["0", "41", "-3", "eight", "true", "3.5", "[6]"])
def test_within_out_of_range_or_not_a_number(tmp_path: Path, within: str) -> None:
    """within: a whole number of words from 1 to 40."""
    error = load_error(tmp_path, changed("within: 6", f"within: {within}"))
    assert error.entry == WISH_DEAD
    assert "'within:' must be a whole number of words from 1 to 40" in error.problem


@pytest.mark.parametrize("why", [None, '""', "'   '", "[a, b]"])
def test_missing_or_empty_why(tmp_path: Path, why: str | None) -> None:
    """Every rule says why, in a few words."""
    new = "" if why is None else f"    why: {why}\n"
    error = load_error(tmp_path, changed("    why: Wanting to die.\n", new))
    assert error.entry == WISH_DEAD
    assert "'why:' must say in a few words what the rule finds" in error.problem


@pytest.mark.parametrize(
    "examples",
    [None, "    examples: []\n", "    examples:\n", '    examples:\n      - ""\n'],
)
def test_missing_or_empty_examples(tmp_path: Path, examples: str | None) -> None:
    """Every rule lists at least one message it must find."""
    new = "" if examples is None else examples
    error = load_error(tmp_path, changed("    examples:\n      - I want to die\n", new))
    assert error.entry == WISH_DEAD
    assert "'examples:' must list at least one message the rule finds" in error.problem


def test_unknown_field_suggests_the_right_name(tmp_path: Path) -> None:
    """A misspelt field name is refused with the field meant, not silently ignored."""
    error = load_error(tmp_path, changed("    not_examples:\n", "    not_exmples:\n"))
    assert error.entry == WISH_DEAD
    assert "unknown field 'not_exmples'" in error.problem
    assert "did you mean 'not_examples'?" in error.problem


def test_find_with_no_families(tmp_path: Path) -> None:
    """find: lists one to six families."""
    error = load_error(tmp_path, changed("find: [me, want, die]", "find: []"))
    assert error.entry == WISH_DEAD
    assert "'find:'" in error.problem
    assert "a|b" in error.problem


def test_a_rule_without_an_id(tmp_path: Path) -> None:
    """Each rule starts with - id:, and the error gives the line."""
    error = load_error(tmp_path, changed("  - id: feeling_low\n    kind:", "  - kind:"))
    assert error.entry == f"line {line_of(VALID, '- id: feeling_low')}"
    assert "- id:" in error.problem


# ---------------------------------------------------------------------------
# Families


def test_a_family_word_that_is_only_a_filler(tmp_path: Path) -> None:
    """ "just" is skipped in every message, so a family word "just" can never be found."""
    error = load_error(tmp_path, changed("    - wish\n", "    - wish\n    - just\n"))
    assert error.entry == f"want (line {line_of(VALID, '  want:')})"
    assert "'just'" in error.problem
    assert "skipped in every message" in error.problem
    assert "delete it" in error.problem


def test_a_family_phrase_that_starts_with_a_filler(tmp_path: Path) -> None:
    """ "the lot" starts with a word skipped in every message: start with the next word."""
    error = load_error(tmp_path, changed("    - wish\n", "    - wish\n    - the lot\n"))
    assert error.entry == f"want (line {line_of(VALID, '  want:')})"
    assert "'the lot'" in error.problem
    assert "starts with 'the'" in error.problem
    assert "start with the next word" in error.problem


def test_not_with_naming_an_unknown_family(tmp_path: Path) -> None:
    """not_with names families; a misspelt one is refused with the family meant."""
    error = load_error(tmp_path, changed("not_with: [still_now]", "not_with: [still_nwo]"))
    assert error.entry == f"told_as_past (line {line_of(VALID, '  told_as_past:')})"
    assert "unknown family 'still_nwo'" in error.problem
    assert "did you mean 'still_now'?" in error.problem


def test_unknown_family_in_the_phrase_guards(tmp_path: Path) -> None:
    """phrases_unless_in_message names families too."""
    error = load_error(
        tmp_path,
        changed("phrases_unless_in_message: [told_as_past]", "phrases_unless_in_message: [told]"),
    )
    assert "unknown family 'told'" in error.problem


def test_a_family_word_yaml_reads_as_yes_or_no(tmp_path: Path) -> None:
    """An unquoted no (YAML reads it as false) is refused with the fix, or read as the word
    "no" itself: never silently looked for as the word "false"."""
    text = changed("      - never\n", "      - never\n      - no\n")
    path = write(tmp_path, text)
    try:
        families, _, _ = read_rules(path)
    except ConfigError as error:
        assert error.source == str(path)
        assert "quotes" in error.problem
        return
    negation = next(group for group in families if group.name == "negation")
    listed = {*negation.entries, *negation.exact}
    assert ("no",) in listed, listed
    assert ("false",) not in listed, listed


def test_a_bad_family_name(tmp_path: Path) -> None:
    """Family names are lower case letters, digits and _."""
    error = load_error(tmp_path, changed("  want:\n", "  Want-Words:\n"))
    assert "Want-Words" in (error.entry or "")
    assert "lower-case letters, digits and _" in error.problem


# ---------------------------------------------------------------------------
# The file as a whole (strict YAML)


def test_a_key_written_twice(tmp_path: Path) -> None:
    """A field written twice in one rule is refused with its line, not silently overwritten."""
    text = changed("    kind: distress\n", "    kind: distress\n    kind: suicide\n")
    error = load_error(tmp_path, text)
    line = line_of(VALID, "kind: distress") + 1
    assert error.entry == f"line {line}"
    assert "'kind'" in error.problem
    assert "twice" in error.problem


def test_a_tab(tmp_path: Path) -> None:
    """A tab is refused, naming its line and saying to use spaces."""
    error = load_error(tmp_path, changed("    - wish\n", "\t- wish\n"))
    assert error.entry == f"line {line_of(VALID, '- wish')}"
    assert "tab" in error.problem
    assert "spaces" in error.problem


@pytest.mark.parametrize("text", ["", "families: {}\n", "rules: []\n", "- id: x\n"])
def test_a_file_without_families_and_rules(tmp_path: Path, text: str) -> None:
    """The file has the sections families: and rules:."""
    error = load_error(tmp_path, text)
    assert "families" in error.problem
    assert "rules" in error.problem


# ---------------------------------------------------------------------------
# The learned signal's section (checked before any training)


def learned_error(tmp_path: Path, lines: str) -> ConfigError:
    """The error of a rules file whose learned: section has these lines after its examples."""
    text = VALID.replace(
        "# A small rules file.\n",
        f"# A small rules file.\nlearned:\n  examples: crisis_examples.yaml\n{lines}",
    )
    error = load_error(tmp_path, text)
    assert error.entry == "learned (line 2)"
    return error


@pytest.mark.parametrize(
    ("field", "lines"),
    [
        ("crisis_from", "  crisis_from: {v}\n  concern_from: 0.9\n"),
        ("concern_from", "  crisis_from: 0.8\n  concern_from: {v}\n"),
        (
            "crisis_anywhere_from",
            "  crisis_from: 0.8\n  concern_from: 0.9\n  crisis_anywhere_from: {v}\n",
        ),
        (
            "context_share",
            "  crisis_from: 0.8\n  concern_from: 0.9\n  context_head: h.npz\n"
            "  context_share: {v}\n",
        ),
    ],
)
@pytest.mark.parametrize("value", ["0", "1", "1.5", "-0.2", "high", "true"])
def test_a_learned_number_outside_0_and_1(
    tmp_path: Path, field: str, lines: str, value: str
) -> None:
    """crisis_from, concern_from, crisis_anywhere_from (optional) and context_share are
    probabilities, strictly between 0 and 1."""
    error = learned_error(tmp_path, lines.format(v=value))
    assert f"'{field}:' must be a number between 0 and 1" in error.problem


def test_a_learned_section_missing_a_line(tmp_path: Path) -> None:
    """learned: needs the examples file and both thresholds."""
    text = VALID.replace(
        "# A small rules file.\n", "# A small rules file.\nlearned:\n  crisis_from: 0.8\n"
    )
    error = load_error(tmp_path, text)
    assert error.entry == "learned (line 2)"
    assert "examples" in error.problem
    assert "concern_from" in error.problem


@pytest.mark.parametrize(
    "lines", ["  context_head: head.npz\n", "  context_share: 0.3\n"], ids=["head", "share"]
)
def test_a_context_head_and_its_share_go_together(tmp_path: Path, lines: str) -> None:
    """context_head (a file) and context_share (how much of it is heard) come as a pair."""
    error = learned_error(tmp_path, f"  crisis_from: 0.8\n  concern_from: 0.9\n{lines}")
    assert "'context_head:' and 'context_share:' go together" in error.problem
