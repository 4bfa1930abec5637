"""Reading the crisis net's phrase file (config/crisis_phrases.yaml) strictly: its sections by
kind, then the false alarms; any mistake is a ConfigError with the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.crisis.file_checks import at, unknown
from bot.crisis.kinds import CRISIS_KINDS, DISTRESS
from bot.crisis.matcher import NOT_A_CRISIS
from config.errors import ConfigError
from config.yamlfile import read_yaml

# The phrase file's sections: one per kind ("concern" holds distress), then false alarms.
CONCERN_SECTION = "concern"
PHRASE_SECTIONS: tuple[str, ...] = (*CRISIS_KINDS, CONCERN_SECTION)


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
            raise ConfigError(source, unknown("section", key, allowed), at(data, key))
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
            at(data, section),
        )
    return value
