"""The skills list members pick from (config/journey_skills.yaml), read strictly, and a member's
own words for a skill, read and checked."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from config.errors import ConfigError
from config.yamlfile import line_of, read_yaml

KEY = re.compile(r"[a-z0-9_]{1,24}")
NAME_LIMIT = 40  # characters, for a listed name and for a member's own words
MOST_LISTED = 20
MOST_SKILLS = 20  # skills one member may hold, listed and own words together


@dataclass(frozen=True)
class Skill:
    """One listed skill: its stored key and the name members see."""

    key: str
    name: str


@dataclass(frozen=True)
class SkillList:
    """The skills members pick from, in the file's order."""

    skills: tuple[Skill, ...]

    def name_of(self, key: str) -> str | None:
        """The name of a listed key, or None when the file no longer lists it."""
        for skill in self.skills:
            if skill.key == key:
                return skill.name
        return None

    def matching(self, words: str) -> Skill | None:
        """The listed skill typed words name (its key or name, any case), or None."""
        folded = words.casefold()
        for skill in self.skills:
            if folded in (skill.key.casefold(), skill.name.casefold()):
                return skill
        return None


def load_skills(path: Path) -> SkillList:
    """Read and check the skills file; any mistake is a ConfigError with the line and a fix."""
    source = str(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict) or set(raw) != {"skills"}:
        raise ConfigError(
            source,
            "the file must have one part, 'skills:', with one 'key: name' line per skill.",
            entry=f"line {line_of(raw) or 1}",
        )
    entries = raw["skills"]
    where = f"line {line_of(raw, 'skills') or 1}"
    if not isinstance(entries, dict) or not entries:
        raise ConfigError(
            source, "'skills:' needs lines like 'speaking: \"Speaking\"' under it.", entry=where
        )
    if len(entries) > MOST_LISTED:
        raise ConfigError(
            source, f"list at most {MOST_LISTED} skills; this file has {len(entries)}.", entry=where
        )
    skills: list[Skill] = []
    names: set[str] = set()
    for key, name in entries.items():
        line = f"line {line_of(entries, key) or 1}"
        if not isinstance(key, str) or not KEY.fullmatch(key):
            raise ConfigError(
                source,
                f"{line}: the key {key!r} must be lower-case letters, digits and _ "
                "(at most 24), like training_others.",
                entry=line,
            )
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(
                source, f"{line}: '{key}' needs a name in quotes, like \"Speaking\".", entry=line
            )
        name = name.strip()
        if len(name) > NAME_LIMIT or any(_is_control(char) for char in name):
            raise ConfigError(
                source,
                f"{line}: the name of '{key}' must be one line of at most {NAME_LIMIT} characters.",
                entry=line,
            )
        if name.casefold() in names:
            raise ConfigError(
                source, f"{line}: the name {name!r} is used twice. Keep one.", entry=line
            )
        names.add(name.casefold())
        skills.append(Skill(key, name))
    return SkillList(tuple(skills))


class OwnWordsRefused(ValueError):
    """Typed words that cannot be a skill; ``reason`` is the catalogue key saying why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_own_words(text: str) -> str:
    """A member's own words for a skill: spaces tidied, at most NAME_LIMIT characters, one line
    of text (no control characters); else OwnWordsRefused."""
    words = " ".join(unicodedata.normalize("NFC", text or "").split())
    if not words:
        raise OwnWordsRefused("journey.own_empty")
    if len(words) > NAME_LIMIT:
        raise OwnWordsRefused("journey.own_too_long")
    if any(_is_control(char) for char in words):
        raise OwnWordsRefused("journey.own_odd")
    return words


def _is_control(char: str) -> bool:
    """Control and formatting characters (not letters, marks, symbols or spaces)."""
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") and char not in (
        "\u200d",  # joins emoji, as in a family
        "\ufe0f",  # asks for an emoji's picture form
    )
