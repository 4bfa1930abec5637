"""Loading the crisis net (bot/crisis/files.py): a matcher is built once per process for the
same contents of exactly the files it reads (the phrase file, the rules file and the examples
file the rules name), so other data files beside them never rebuild it, and a change to any of
the three does."""

from __future__ import annotations

from pathlib import Path

from bot.crisis import CRISIS_KINDS, load_crisis_matcher
from tests.crisis.test_rules_file_errors import PHRASES, VALID

LEARNED = """\
learned:
  examples: examples.yaml
  crisis_from: 0.8
  concern_from: 0.9
"""


def _examples(extra: str = "") -> str:
    """A tiny examples file: one message of each crisis kind, distress and everyday talk."""
    rows = [(f"a message about {kind} {extra}", "crisis", kind) for kind in CRISIS_KINDS]
    rows += [(f"feeling low today {extra}", "concern", "distress")]
    rows += [(f"see you at the meeting {extra}", "none", "meeting")]
    lines = ["sources:", "  made_up: written for this test", "messages:"]
    for text, tier, kind in rows:
        lines += [f"  - text: {text}", f"    tier: {tier}", f"    kind: {kind}"]
        lines += ["    source: made_up"]
    return "\n".join(lines) + "\n"


def test_a_matcher_is_rebuilt_only_when_a_file_it_reads_changes(tmp_path: Path) -> None:
    """Loading again gives the same matcher; a new data file beside the three does not
    change that; a changed examples, rules or phrase file gives a new one."""
    phrases = tmp_path / "crisis_phrases.yaml"
    phrases.write_text(PHRASES, encoding="utf-8")
    rules = tmp_path / "crisis_rules.yaml"
    rules.write_text(LEARNED + VALID, encoding="utf-8")
    examples = tmp_path / "examples.yaml"
    examples.write_text(_examples(), encoding="utf-8")

    first = load_crisis_matcher(phrases, rules)
    assert load_crisis_matcher(phrases, rules) is first
    (tmp_path / "forum.yaml").write_text("regions: []\n", encoding="utf-8")
    (tmp_path / "support_directory.yaml").write_text("services: []\n", encoding="utf-8")
    assert load_crisis_matcher(phrases, rules) is first

    examples.write_text(_examples("again"), encoding="utf-8")
    second = load_crisis_matcher(phrases, rules)
    assert second is not first
    assert load_crisis_matcher(phrases, rules) is second

    rules.write_text(LEARNED + VALID + "# edited\n", encoding="utf-8")
    third = load_crisis_matcher(phrases, rules)
    assert third is not second
    assert load_crisis_matcher(phrases, rules) is third

    phrases.write_text(PHRASES + "# edited\n", encoding="utf-8")
    assert load_crisis_matcher(phrases, rules) is not third
