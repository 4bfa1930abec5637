"""What the crisis net's file readers share: names, lists of family names, and error messages
that say where in the file and suggest the nearest spelling."""

from __future__ import annotations

import difflib
import re

from config.errors import ConfigError
from config.yamlfile import line_of

# A family or rule name: lower-case letters, digits and _.
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def family_set(source: str, value: object, names: set[str], where: str) -> frozenset[str]:
    """A list of family names (for 'unless' fields)."""
    if not isinstance(value, list):
        raise ConfigError(source, "'unless' fields list family names, like [no, joke]", where)
    found = set()
    for name in value:
        if name not in names:
            raise ConfigError(source, unknown("family", name, sorted(names)), where)
        found.add(name)
    return frozenset(found)


def unknown(what: str, value: object, allowed: tuple[str, ...] | list[str]) -> str:
    """'unknown X' with the nearest allowed spelling, if one is close."""
    problem = f"unknown {what} {value!r}; use one of: " + ", ".join(allowed)
    hint = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1)
    if hint:
        problem = f"unknown {what} {value!r} (did you mean {hint[0]!r}?)"
    return problem


def at(container: object, key: object) -> str:
    """'<key> (line N)' for an error message."""
    line = line_of(container, key)
    return f"{key} (line {line})" if line else str(key)
