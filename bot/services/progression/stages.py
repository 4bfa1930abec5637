"""The progression stages file (config/progression_stages.yaml), read strictly and checked whole.

Each stage names the recorded facts that reach it; every mistake is a ConfigError with the
file, the line and a plain fix, so a broken file stops start-up (and `python -m bot check`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from config.errors import ConfigError
from config.yamlfile import line_of, read_yaml
from storage.progression import FactRanks

KINDS = ("volunteering", "mentoring", "training", "paid", "job", "speaking", "research")
OUTCOMES = ("took_part", "completed")  # did_not_go_ahead never counts
CONTRIBUTIONS = ("meeting_role", "survey_designed", "story_shared", "other")
JOINED, MEETING, ANSWERED = "joined", "came_to_a_meeting", "answered"
FACT_KEYS = (JOINED, MEETING, ANSWERED, "contributions", "opportunities")
MIN_STAGES, MAX_STAGES = 2, 10
NAME_LONGEST = 40
_KEY = re.compile(r"^[a-z0-9_]{1,24}$")

# A fact: ("joined",), ("meeting",), ("answered",), ("contribution", kind),
# ("outcome", opportunity kind, outcome).
Fact = tuple[str, ...]


@dataclass(frozen=True)
class Stage:
    """One stage: its key, the name people see, and the facts that reach it."""

    key: str
    name: str
    facts: frozenset[Fact]


@dataclass(frozen=True)
class Stages:
    """The stages in order, lowest first, and which stage each fact reaches."""

    stages: tuple[Stage, ...]
    source: str = "config/progression_stages.yaml"

    def rank_of(self) -> dict[Fact, int]:
        """Each fact's stage, by position (0 is the first stage)."""
        return {fact: rank for rank, stage in enumerate(self.stages) for fact in stage.facts}

    def fact_ranks(self) -> FactRanks:
        """The same, in the form storage reads the facts by."""
        rank = self.rank_of()
        return FactRanks(
            meeting=rank.get(("meeting",)),
            answered=rank.get(("answered",)),
            outcomes={(f[1], f[2]): r for f, r in rank.items() if f[0] == "outcome"},
            contributions={f[1]: r for f, r in rank.items() if f[0] == "contribution"},
        )


def _at(container: object, key: object = None) -> str:
    """'line N: ' for where a mistake is, or '' when not known."""
    line = line_of(container, key)
    return f"line {line}: " if line else ""


def _refuse_unknown(source: str, mapping: dict, known: tuple[str, ...], where: str) -> None:
    """Refuse any key that is not one of ``known``, naming the nearest spelling."""
    for key in mapping:
        if key in known:
            continue
        close = difflib.get_close_matches(str(key), known, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ConfigError(
            source,
            _at(mapping, key)
            + f"'{key}' is not something {where} can have.{hint} "
            + "It can have: "
            + ", ".join(known)
            + ".",
            entry=str(key),
        )


def _yes(source: str, block: dict, key: str, stage: str) -> None:
    """A fact written as 'name: yes'."""
    if block[key] is not True:
        raise ConfigError(
            source,
            _at(block, key) + f"write '{key}: yes' (or leave the line out) in stage '{stage}'.",
            entry=stage,
        )


def _words(
    source: str, container: object, key: object, allowed: tuple[str, ...], what: str, stage: str
) -> list[str]:
    """A list like [a, b] whose words are all ``allowed``, each once, at least one."""
    value = container[key]  # type: ignore[index]
    example = f"[{', '.join(allowed[:2])}]"
    if not isinstance(value, list) or not value:
        raise ConfigError(
            source,
            _at(container, key) + f"'{key}' needs a list of {what} in square brackets, like "
            f"{key}: {example}.",
            entry=stage,
        )
    seen: list[str] = []
    for word in value:
        if not isinstance(word, str) or word not in allowed:
            close = difflib.get_close_matches(str(word), allowed, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ConfigError(
                source,
                _at(container, key) + f"'{word}' is not one of the {what}.{hint} "
                f"Use: {', '.join(allowed)}.",
                entry=stage,
            )
        if word in seen:
            raise ConfigError(
                source,
                _at(container, key) + f"'{word}' is written twice under '{key}'. Keep it once.",
                entry=stage,
            )
        seen.append(word)
    return seen


def _facts(source: str, item: dict, key: str) -> frozenset[Fact]:
    """The facts a stage's 'reached_by' names."""
    if "reached_by" not in item:
        raise ConfigError(
            source,
            _at(item) + f"stage '{key}' needs 'reached_by:' with what counts towards it, "
            "like '    came_to_a_meeting: yes'.",
            entry=key,
        )
    block = item["reached_by"]
    if not isinstance(block, dict) or not block:
        raise ConfigError(
            source,
            _at(item, "reached_by") + f"'reached_by:' in stage '{key}' needs at least one fact "
            "under it, indented by two more spaces, like '      answered: yes'.",
            entry=key,
        )
    _refuse_unknown(source, block, FACT_KEYS, "'reached_by'")
    facts: set[Fact] = set()
    for name in (JOINED, MEETING, ANSWERED):
        if name in block:
            _yes(source, block, name, key)
            facts.add(("meeting",) if name == MEETING else (name,))
    if "contributions" in block:
        for word in _words(source, block, "contributions", CONTRIBUTIONS, "contributions", key):
            facts.add(("contribution", word))
    if "opportunities" in block:
        kinds = block["opportunities"]
        if not isinstance(kinds, dict) or not kinds:
            raise ConfigError(
                source,
                _at(block, "opportunities") + "'opportunities:' needs kinds under it, each with "
                "its outcomes, like '        volunteering: [took_part, completed]'.",
                entry=key,
            )
        _refuse_unknown(source, kinds, KINDS, "'opportunities'")
        for kind in kinds:
            for outcome in _words(source, kinds, kind, OUTCOMES, "outcomes", key):
                facts.add(("outcome", kind, outcome))
    return frozenset(facts)


def _stage(source: str, items: list, index: int, keys: set[str]) -> Stage:
    """One stage entry, checked."""
    item = items[index]
    where = _at(items, index)
    if not isinstance(item, dict):
        raise ConfigError(
            source,
            where + "each stage starts with '- key:' and has a name and 'reached_by:'.",
            entry=f"stage {index + 1}",
        )
    _refuse_unknown(source, item, ("key", "name", "reached_by"), "a stage")
    key = item.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        raise ConfigError(
            source,
            where + "each stage needs a key: a short id in lower case letters, numbers and _, "
            "like 'key: took_part'.",
            entry=f"stage {index + 1}",
        )
    if key in keys:
        raise ConfigError(
            source,
            where + f"the key '{key}' is used by two stages. Give each stage its own key.",
            entry=key,
        )
    keys.add(key)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(
            source,
            where + f"stage '{key}' needs a name people see, like 'name: Took part'.",
            entry=key,
        )
    if len(name.strip()) > NAME_LONGEST:
        raise ConfigError(
            source,
            _at(item, "name") + f"the name of stage '{key}' is too long. Keep it to "
            f"{NAME_LONGEST} characters.",
            entry=key,
        )
    return Stage(key, " ".join(name.split()), _facts(source, item, key))


def load_stages(path: Path) -> Stages:
    """Read and check the stages file; any mistake raises ConfigError and nothing is loaded."""
    source = str(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict) or "stages" not in raw:
        raise ConfigError(
            source,
            "the file needs 'stages:' with the stages under it. Put back the file that came "
            "with the bot and change it a little at a time.",
        )
    _refuse_unknown(source, raw, ("stages",), "the file")
    items = raw["stages"]
    if not isinstance(items, list) or not MIN_STAGES <= len(items) <= MAX_STAGES:
        raise ConfigError(
            source,
            _at(raw, "stages") + f"'stages:' needs between {MIN_STAGES} and {MAX_STAGES} "
            "stages, each starting with '- key:'.",
            entry="stages",
        )
    keys: set[str] = set()
    stages = [_stage(source, items, index, keys) for index in range(len(items))]
    owner: dict[Fact, str] = {}
    for index, stage in enumerate(stages):
        has_joined = (JOINED,) in stage.facts
        if index == 0 and stage.facts != {(JOINED,)}:
            raise ConfigError(
                source,
                _at(items, 0) + "the first stage is reached by joining only: give it "
                "'reached_by:' with just 'joined: yes'.",
                entry=stage.key,
            )
        if index > 0 and has_joined:
            raise ConfigError(
                source,
                _at(items, index) + f"only the first stage can have 'joined: yes'. Take it "
                f"out of stage '{stage.key}'.",
                entry=stage.key,
            )
        for fact in sorted(stage.facts):
            if fact in owner:
                raise ConfigError(
                    source,
                    _at(items, index) + f"{_fact_words(fact)} already counts towards stage "
                    f"'{owner[fact]}'. Each fact counts towards one stage only: take it out "
                    "of one of them.",
                    entry=stage.key,
                )
            owner[fact] = stage.key
    return Stages(tuple(stages), source)


def _fact_words(fact: Fact) -> str:
    """A fact as written in the file, for error messages."""
    if fact[0] == "contribution":
        return f"the contribution '{fact[1]}'"
    if fact[0] == "outcome":
        return f"'{fact[2]}' for '{fact[1]}' opportunities"
    return f"'{MEETING if fact[0] == 'meeting' else fact[0]}'"
