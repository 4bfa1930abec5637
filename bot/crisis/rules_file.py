"""Reading the crisis net's rules file (config/crisis_rules.yaml) strictly: word families,
concept rules and phrase guards, each checked, errors with the file, the line and a fix."""

from __future__ import annotations

from pathlib import Path

from bot.crisis.families import ANY_NUMBER_WORD, Family, entry_words, family
from bot.crisis.file_checks import NAME, at, family_set, unknown
from bot.crisis.kinds import KINDS
from bot.crisis.normalise import rule_words
from bot.crisis.rules import Rule
from config.errors import ConfigError
from config.yamlfile import line_of, read_yaml

# The fields a rule may have, and a family written as a mapping (the header of
# config/crisis_rules.yaml explains each; tests/crisis checks it does).
RULE_FIELDS: tuple[str, ...] = (
    "id",
    "kind",
    "find",
    "within",
    "in_order",
    "same_sentence",
    "unless_near",
    "unless_in_sentence",
    "unless_in_message",
    "only_in_messages_up_to",
    "why",
    "examples",
    "not_examples",
)
FAMILY_FIELDS: tuple[str, ...] = ("words", "exact", "not_with")
# The families that, anywhere in a message, switch off the listed phrases (a member telling
# their past as experience).
PHRASE_GUARDS = "phrases_unless_in_message"
# The section naming the examples file and the thresholds of the learned signal.
LEARNED = "learned"
_DEFAULT_WITHIN = 8
_MAX_WITHIN = 40
_MAX_PARTS = 6


def read_rules(path: Path) -> tuple[list[Family], list[Rule], frozenset[str]]:
    """The word families, the concept rules, and the families that switch listed phrases off."""
    return rules_in(path, read_yaml(path))


def rules_in(path: Path, data: object) -> tuple[list[Family], list[Rule], frozenset[str]]:
    """The families, rules and phrase guards in the rules file's contents, checked."""
    source = str(path)
    sections = {"families", "rules", PHRASE_GUARDS, LEARNED}
    if not isinstance(data, dict) or not {"families", "rules"} <= set(data) <= sections:
        raise ConfigError(
            source,
            "the file has the sections 'families:' and 'rules:' (and, if wanted, "
            f"'{PHRASE_GUARDS}:' and '{LEARNED}:')",
        )
    families = _families(source, data["families"])
    names = {group.name for group in families}
    guards = family_set(source, data.get(PHRASE_GUARDS) or [], names, PHRASE_GUARDS)
    raw_rules = data["rules"]
    if not isinstance(raw_rules, list) or not raw_rules:
        raise ConfigError(source, "'rules:' must be a list of rules, each starting with '- id:'")
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_rules):
        rule = _rule(source, raw, names, line_of(raw_rules, index))
        if rule.id in seen:
            raise ConfigError(
                source, f"two rules have the id {rule.id!r}; give each its own", rule.id
            )
        seen.add(rule.id)
        rules.append(rule)
    return families, rules, guards


def _families(source: str, raw: object) -> list[Family]:
    """Each family's words; a list brings every form of its words, 'exact:' only as written."""
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(source, "'families:' must list word families, each a name and words")
    families: list[Family] = []
    for name, value in raw.items():
        where = at(raw, name)
        if not isinstance(name, str) or not NAME.match(name):
            raise ConfigError(
                source,
                f"the family name {name!r} must be lower-case letters, digits and _",
                where,
            )
        words: list[str] = []
        exact: list[str] = []
        if isinstance(value, list):
            words = _words(source, name, value, where)
        elif isinstance(value, dict) and value and set(value) <= set(FAMILY_FIELDS):
            if "words" in value:
                words = _words(source, name, value["words"], where)
            if "exact" in value:
                exact = _words(source, name, value["exact"], where)
        else:
            raise ConfigError(
                source,
                f"the family {name!r} must be a list of words, or 'words:' and 'exact:' lists",
                where,
            )
        found = family(name, words)
        kept = family(name, exact, exact=True)
        if not found.entries and not kept.exact:
            raise ConfigError(source, f"the family {name!r} has no words the net can use", where)
        not_with = value.get("not_with", []) if isinstance(value, dict) else []
        if not isinstance(not_with, list):
            raise ConfigError(source, "'not_with:' lists family names, like [still_now]", where)
        families.append(
            Family(name, found.entries, kept.exact, frozenset(str(other) for other in not_with))
        )
    names = {group.name for group in families}
    for group in families:
        for other in sorted(group.not_with - names):
            raise ConfigError(source, unknown("family", other, sorted(names)), at(raw, group.name))
    return families


def _words(source: str, name: str, value: object, where: str) -> list[str]:
    """A family's listed words, each plain text."""
    if not isinstance(value, list) or not value:
        raise ConfigError(source, f"the family {name!r} needs at least one word", where)
    for word in value:
        if isinstance(word, bool) or not isinstance(word, str | int) or not str(word).strip():
            raise ConfigError(
                source,
                f"a word in the family {name!r} is empty or not plain text; "
                'put it in double quotes, for example - "no"',
                where,
            )
    for word in value:
        first = str(word).split()[0] if str(word).split() else ""
        if len(str(word).split()) > 1 and first != ANY_NUMBER_WORD and not rule_words(first):
            raise ConfigError(
                source,
                f"{str(word)!r} in the family {name!r} starts with {first!r}, which is skipped "
                "in every message (like 'just', 'really' or 'the'); start with the next word",
                where,
            )
        if not [part for part in entry_words(str(word)) if part != ANY_NUMBER_WORD]:
            raise ConfigError(
                source,
                f"the word {str(word)!r} in the family {name!r} is skipped in every message "
                "(like 'just', 'really' or 'the'), so it can never be found; delete it",
                where,
            )
    return [str(word) for word in value]


def _rule(source: str, raw: object, names: set[str], line: int | None) -> Rule:
    """One rule, checked: its kind, its parts, its limits and its examples."""
    where = f"line {line}" if line else None
    if not isinstance(raw, dict) or "id" not in raw:
        raise ConfigError(source, "each rule starts with '- id:' and a short name", where)
    rule_id = raw["id"]
    if not isinstance(rule_id, str) or not NAME.match(rule_id):
        raise ConfigError(
            source, "a rule id must be lower-case letters, digits and _ (say, wish_dead)", where
        )
    where = f"{rule_id} (line {line})" if line else rule_id
    for key in raw:
        if key not in RULE_FIELDS:
            raise ConfigError(source, unknown("field", key, RULE_FIELDS), where)
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ConfigError(source, unknown("kind", kind, KINDS), where)
    parts = raw.get("find")
    if not isinstance(parts, list) or not 1 <= len(parts) <= _MAX_PARTS:
        raise ConfigError(
            source,
            f"'find:' must list 1 to {_MAX_PARTS} families, like [me, want, die]; "
            "write a|b for either family",
            where,
        )
    within = raw.get("within", _DEFAULT_WITHIN)
    if not isinstance(within, int) or isinstance(within, bool) or not 1 <= within <= _MAX_WITHIN:
        raise ConfigError(
            source, f"'within:' must be a whole number of words from 1 to {_MAX_WITHIN}", where
        )
    shortest = raw.get("only_in_messages_up_to")
    if shortest is not None and (
        not isinstance(shortest, int) or isinstance(shortest, bool) or shortest < 1
    ):
        raise ConfigError(source, "'only_in_messages_up_to:' must be a number of words", where)
    for field in ("why",):
        if not isinstance(raw.get(field), str) or not raw[field].strip():
            raise ConfigError(source, "'why:' must say in a few words what the rule finds", where)
    examples = raw.get("examples")
    if (
        not isinstance(examples, list)
        or not examples
        or not all(isinstance(text, str) and text.strip() for text in examples)
    ):
        raise ConfigError(
            source, "'examples:' must list at least one message the rule finds", where
        )
    not_examples = raw.get("not_examples", [])
    if not isinstance(not_examples, list) or not all(
        isinstance(text, str) and text.strip() for text in not_examples
    ):
        raise ConfigError(source, "'not_examples:' must be a list of messages", where)
    return Rule(
        id=rule_id,
        kind=kind,
        parts=tuple(_part(source, part, names, where) for part in parts),
        within=within,
        in_order=_flag(source, raw, "in_order", True, where),
        same_sentence=_flag(source, raw, "same_sentence", True, where),
        unless_near=family_set(source, raw.get("unless_near", []), names, where),
        unless_sentence=family_set(source, raw.get("unless_in_sentence", []), names, where),
        unless_message=family_set(source, raw.get("unless_in_message", []), names, where),
        max_message_words=shortest,
        why=raw["why"].strip(),
        examples=tuple(examples),
        not_examples=tuple(not_examples),
    )


def _part(source: str, part: object, names: set[str], where: str) -> frozenset[str]:
    """One part of 'find:': a family, or several written a|b."""
    if not isinstance(part, str) or not part.strip():
        raise ConfigError(source, "each part of 'find:' is a family name, or a|b", where)
    options = frozenset(option.strip() for option in part.split("|"))
    for option in options:
        if option not in names:
            raise ConfigError(source, unknown("family", option, sorted(names)), where)
    return options


def _flag(source: str, raw: dict, field: str, default: bool, where: str) -> bool:
    """A yes/no field."""
    value = raw.get(field, default)
    if not isinstance(value, bool):
        raise ConfigError(source, f"'{field}:' must be true or false", where)
    return value
