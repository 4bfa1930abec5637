"""Reading the crisis net's two editable files, the phrase list and the concept rules, strictly:
any mistake stops start-up with the file, the line and what to do."""

from __future__ import annotations

import difflib
import hashlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.crisis.kinds import CONCERN, CRISIS, CRISIS_KINDS, DISTRESS, KINDS, NONE
from bot.crisis.learned import Example, LearnedCheck, trained_signal
from bot.crisis.matcher import NOT_A_CRISIS, CrisisMatcher, Learned
from bot.crisis.normalise import rule_words
from bot.crisis.rules import ANY_NUMBER_WORD, Family, Rule, entry_words, family
from config.errors import ConfigError
from config.yamlfile import line_of, read_yaml

_CONFIG = Path(__file__).resolve().parent.parent.parent / "config"
DEFAULT_PHRASES_PATH = _CONFIG / "crisis_phrases.yaml"
DEFAULT_RULES_PATH = _CONFIG / "crisis_rules.yaml"

# The phrase file's sections: one per kind ("concern" holds distress), then false alarms.
CONCERN_SECTION = "concern"
PHRASE_SECTIONS: tuple[str, ...] = (*CRISIS_KINDS, CONCERN_SECTION)
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
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


def load_crisis_matcher(phrases_path: Path, rules_path: Path | None = None) -> CrisisMatcher:
    """Read and check the phrase file and (if given) the rules file, with the examples it names
    for the learned signal; a ready matcher or ConfigError. A matcher is immutable, so one is
    built once per process for the same contents of the files it reads (every test bot shares
    it)."""
    key = _contents_key(phrases_path, rules_path)
    with _built_lock:
        built = _built.get(key) if key is not None else None
        if built is None or not built.current():
            built = _build_matcher(phrases_path, rules_path)
            if key is not None:
                _built[key] = built
        return built.matcher


@dataclass(frozen=True, slots=True)
class _Built:
    """A matcher, and the examples file its learned signal was trained on (named in the rules
    file, so known only once that is read) with a digest of its contents then."""

    matcher: CrisisMatcher
    examples: Path | None = None
    examples_digest: str = ""

    def current(self) -> bool:
        """Whether the examples file still holds what the signal was trained on."""
        if self.examples is None:
            return True
        try:
            return _digest(self.examples.read_bytes()) == self.examples_digest
        except OSError:
            return False


# Keyed by the phrase and rules files' names and contents; each entry checks its examples file.
_built: dict[str, _Built] = {}
_built_lock = threading.Lock()


def _contents_key(phrases_path: Path, rules_path: Path | None) -> str | None:
    """A key for the phrase and rules files' names and contents (None if one cannot be read:
    the build says why)."""
    digest = hashlib.sha256()
    try:
        for path in (phrases_path, rules_path):
            if path is not None:
                digest.update(str(path).encode() + b"\0" + Path(path).read_bytes() + b"\0")
    except OSError:
        return None
    return digest.hexdigest()


def _digest(contents: bytes) -> str:
    """A digest of a file's contents alone (the same examples anywhere train the same signal)."""
    return hashlib.sha256(contents).hexdigest()


def _build_matcher(phrases_path: Path, rules_path: Path | None) -> _Built:
    """Read the files (each once) and build a matcher."""
    phrases, not_a_crisis = read_phrases(phrases_path)
    families: list[Family] = []
    rules: list[Rule] = []
    guards: frozenset[str] = frozenset()
    learned: Learned | None = None
    examples: Path | None = None
    examples_digest = ""
    if rules_path is not None:
        data = read_yaml(rules_path)
        families, rules, guards = _rules_in(rules_path, data)
        trained = _learned_in(rules_path, data)
        if trained is not None:
            learned, examples, examples_digest = trained
    matcher = CrisisMatcher(
        phrases,
        not_a_crisis,
        families,
        rules,
        phrase_guards=guards,
        learned=learned,
        source=str(phrases_path),
    )
    return _Built(matcher, examples, examples_digest)


def read_learned(rules_path: Path) -> Learned | None:
    """The learned signal the rules file's 'learned:' section asks for, trained on its
    examples file (next to the rules file), or None if there is no such section."""
    trained = _learned_in(rules_path, read_yaml(rules_path))
    return None if trained is None else trained[0]


def _learned_in(rules_path: Path, data: object) -> tuple[Learned, Path, str] | None:
    """The learned signal the rules file's contents ask for, with the examples file it was
    trained on and a digest of that file's contents; None without a 'learned:' section."""
    source = str(rules_path)
    section = data.get(LEARNED) if isinstance(data, dict) else None
    if section is None:
        return None
    where = _at(data, LEARNED)
    fields = {"examples", "crisis_from", "concern_from"}
    optional = {"needs_one_of", "crisis_anywhere_from"}
    if not isinstance(section, dict) or not fields <= set(section) <= fields | optional:
        raise ConfigError(
            source,
            f"'{LEARNED}:' needs examples (a file name), crisis_from and concern_from (numbers "
            "between 0 and 1), and may have needs_one_of (a list of families) and "
            "crisis_anywhere_from (a number between 0 and 1)",
            where,
        )
    thresholds = []
    for field in ("crisis_from", "concern_from", "crisis_anywhere_from"):
        if field not in section:
            thresholds.append(1.0)
            continue
        value = section[field]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
            raise ConfigError(
                source, f"'{field}:' must be a number between 0 and 1, like 0.75", where
            )
        thresholds.append(float(value))
    names = {str(name) for name in data.get("families") or {}}
    needs = _family_set(source, section.get("needs_one_of") or [], names, where)
    examples_path = Path(rules_path).parent / str(section["examples"])
    examples = read_examples(examples_path)
    digest = _digest(examples_path.read_bytes())
    signal = trained_signal(digest, examples)
    learned = Learned(signal, thresholds[0], thresholds[1], needs, thresholds[2])
    return learned, examples_path, digest


def read_examples(path: Path) -> list[Example]:
    """The labelled examples the learned signal is trained on, checked whole."""
    source = str(path)
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ConfigError(source, "the file needs 'sources:' and then 'messages:'")
    sources = data.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise ConfigError(source, "'sources:' must list where the messages come from")
    examples = []
    for index, entry in enumerate(data["messages"]):
        line = line_of(data["messages"], index)
        where = f"line {line}" if line else None
        if not isinstance(entry, dict):
            raise ConfigError(source, "each message starts with '- text:'", where)
        text, tier, kind = entry.get("text"), entry.get("tier"), entry.get("kind")
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(source, "a message needs its words after 'text:'", where)
        if tier not in (CRISIS, CONCERN, NONE):
            raise ConfigError(source, "'tier:' must be crisis, concern or none", where)
        if tier == CRISIS and kind not in CRISIS_KINDS:
            raise ConfigError(source, _unknown("kind", kind, CRISIS_KINDS), where)
        if tier == CONCERN and kind != DISTRESS:
            raise ConfigError(source, "a concern message has 'kind: distress'", where)
        if entry.get("source") not in sources:
            raise ConfigError(
                source, f"unknown source {entry.get('source')!r}; add it under 'sources:'", where
            )
        examples.append(Example(text, tier, str(kind)))
    try:
        LearnedCheck.enough(examples)
    except ValueError as error:
        raise ConfigError(source, str(error)) from None
    return examples


def read_phrases(path: Path) -> tuple[dict[str, list[Any]], list[Any]]:
    """The phrase lists by kind, and the false alarms."""
    source = str(path)
    data = read_yaml(path)
    allowed = (*PHRASE_SECTIONS, NOT_A_CRISIS)
    if not isinstance(data, dict):
        raise ConfigError(
            source,
            "the file must be a list of sections ("
            + ", ".join(f"{name}:" for name in allowed)
            + ") each followed by its phrases",
        )
    for key in data:
        if key not in allowed:
            raise ConfigError(source, _unknown("section", key, allowed), _at(data, key))
    phrases: dict[str, list[Any]] = {}
    for section in PHRASE_SECTIONS:
        if section not in data:
            raise ConfigError(
                source,
                f"the {section!r} section is missing; add a line '{section}:' followed by its "
                "phrases, one per line starting with '- ' (or '[]' for none yet)",
                section,
            )
        kind = DISTRESS if section == CONCERN_SECTION else section
        phrases[kind] = _phrase_list(source, data, section)
    if NOT_A_CRISIS not in data:
        raise ConfigError(
            source,
            f"the {NOT_A_CRISIS!r} section is missing; add a line '{NOT_A_CRISIS}:' (it may be "
            "followed by no phrases, written as 'not_a_crisis: []')",
            NOT_A_CRISIS,
        )
    if not any(phrases.values()):
        raise ConfigError(source, "every section is empty; add at least one crisis phrase")
    return phrases, _phrase_list(source, data, NOT_A_CRISIS)


def _phrase_list(source: str, data: dict, section: str) -> list[Any]:
    """One section's phrases as a list, or ConfigError if it is not a list."""
    value = data[section]
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(
            source,
            f"the {section!r} section must be a list, one phrase per line starting with '- '",
            _at(data, section),
        )
    return value


def read_rules(path: Path) -> tuple[list[Family], list[Rule], frozenset[str]]:
    """The word families, the concept rules, and the families that switch listed phrases off."""
    return _rules_in(path, read_yaml(path))


def _rules_in(path: Path, data: object) -> tuple[list[Family], list[Rule], frozenset[str]]:
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
    guards = _family_set(source, data.get(PHRASE_GUARDS) or [], names, PHRASE_GUARDS)
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
        where = _at(raw, name)
        if not isinstance(name, str) or not _NAME.match(name):
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
            raise ConfigError(
                source, _unknown("family", other, sorted(names)), _at(raw, group.name)
            )
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
    if not isinstance(rule_id, str) or not _NAME.match(rule_id):
        raise ConfigError(
            source, "a rule id must be lower-case letters, digits and _ (say, wish_dead)", where
        )
    where = f"{rule_id} (line {line})" if line else rule_id
    for key in raw:
        if key not in RULE_FIELDS:
            raise ConfigError(source, _unknown("field", key, RULE_FIELDS), where)
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ConfigError(source, _unknown("kind", kind, KINDS), where)
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
        unless_near=_family_set(source, raw.get("unless_near", []), names, where),
        unless_sentence=_family_set(source, raw.get("unless_in_sentence", []), names, where),
        unless_message=_family_set(source, raw.get("unless_in_message", []), names, where),
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
            raise ConfigError(source, _unknown("family", option, sorted(names)), where)
    return options


def _family_set(source: str, value: object, names: set[str], where: str) -> frozenset[str]:
    """A list of family names (for 'unless' fields)."""
    if not isinstance(value, list):
        raise ConfigError(source, "'unless' fields list family names, like [no, joke]", where)
    found = set()
    for name in value:
        if name not in names:
            raise ConfigError(source, _unknown("family", name, sorted(names)), where)
        found.add(name)
    return frozenset(found)


def _flag(source: str, raw: dict, field: str, default: bool, where: str) -> bool:
    """A yes/no field."""
    value = raw.get(field, default)
    if not isinstance(value, bool):
        raise ConfigError(source, f"'{field}:' must be true or false", where)
    return value


def _unknown(what: str, value: object, allowed: tuple[str, ...] | list[str]) -> str:
    """'unknown X' with the nearest allowed spelling, if one is close."""
    problem = f"unknown {what} {value!r}; use one of: " + ", ".join(allowed)
    hint = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1)
    if hint:
        problem = f"unknown {what} {value!r} (did you mean {hint[0]!r}?)"
    return problem


def _at(container: object, key: object) -> str:
    """'<key> (line N)' for an error message."""
    line = line_of(container, key)
    return f"{key} (line {line})" if line else str(key)


__all__ = [
    "CONCERN",
    "CRISIS",
    "DEFAULT_PHRASES_PATH",
    "DEFAULT_RULES_PATH",
    "FAMILY_FIELDS",
    "RULE_FIELDS",
    "load_crisis_matcher",
    "read_phrases",
    "read_rules",
]
