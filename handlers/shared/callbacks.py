"""Callback data: short, opaque strings for buttons, decoded defensively (never trusted)."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
SEPARATOR = ":"
_PART = re.compile(r"[A-Za-z0-9_\-]{1,40}")


class BadCallback(ValueError):
    """Callback data that is malformed, too long or of an unknown shape."""


@dataclass(frozen=True)
class Callback:
    """A decoded button press: what to do and its arguments, still to be checked."""

    action: str
    args: tuple[str, ...]

    def arg(self, index: int) -> str:
        """One argument, or BadCallback if it is missing."""
        if index >= len(self.args):
            raise BadCallback("missing argument")
        return self.args[index]

    def int_arg(self, index: int) -> int:
        """One argument as a non-negative whole number, or BadCallback."""
        value = self.arg(index)
        if not value.isdigit() or len(value) > 18:
            raise BadCallback("not a number")
        return int(value)


def encode(action: str, *args: object) -> str:
    """Build callback data; refuses anything that would break the rules."""
    parts = [action, *(str(arg) for arg in args)]
    for part in parts:
        if not _PART.fullmatch(part):
            raise ValueError(f"callback part {part!r} is not allowed")
    data = SEPARATOR.join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError("callback data longer than 64 bytes")
    return data


def decode(data: object, expected_action: str | None = None) -> Callback:
    """Parse callback data from a button press; anything odd raises BadCallback."""
    if not isinstance(data, str) or not data:
        raise BadCallback("empty")
    if len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise BadCallback("too long")
    parts = data.split(SEPARATOR)
    if not all(_PART.fullmatch(part) for part in parts):
        raise BadCallback("bad characters")
    callback = Callback(parts[0], tuple(parts[1:]))
    if expected_action is not None and callback.action != expected_action:
        raise BadCallback("unexpected action")
    return callback


def pattern(action: str) -> str:
    """The regex a CallbackQueryHandler uses to pick presses for one action."""
    return rf"^{re.escape(action)}(:|$)"
