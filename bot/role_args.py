"""Reading the words after /grant and /revoke: who, and which role."""

from __future__ import annotations

from dataclasses import dataclass

from storage.roles import COORDINATOR, DECISION_MAKER, READER

_ROLE_WORDS = {
    "coordinator": COORDINATOR,
    "coord": COORDINATOR,
    "decision-maker": DECISION_MAKER,
    "decision_maker": DECISION_MAKER,
    "decisionmaker": DECISION_MAKER,
    "dm": DECISION_MAKER,
    "reader": READER,
}
_MAX_ID = 2**52


class RoleArgsError(ValueError):
    """The words do not say who and which role."""


@dataclass(frozen=True)
class RoleArgs:
    """A parsed /grant or /revoke: a Telegram id or a contact request number, and a role."""

    role: str
    telegram_id: int | None = None
    request_id: int | None = None


def parse_role_args(words: list[str]) -> RoleArgs:
    """Accept '<telegram id> <role>' or 'request <number> <role>'; anything else is refused."""
    cleaned = [word.strip().lower() for word in words if word.strip()]
    if len(cleaned) == 3 and cleaned[0] in ("request", "req"):
        return RoleArgs(_role(cleaned[2]), request_id=_number(cleaned[1]))
    if len(cleaned) == 2:
        return RoleArgs(_role(cleaned[1]), telegram_id=_number(cleaned[0]))
    raise RoleArgsError("expected who and which role")


def _role(word: str) -> str:
    """The role a word names."""
    role = _ROLE_WORDS.get(word)
    if role is None:
        raise RoleArgsError("unknown role")
    return role


def _number(word: str) -> int:
    """A positive whole number of sensible size."""
    if not word.isascii() or not word.isdigit() or len(word) > 16:
        raise RoleArgsError("not a number")
    value = int(word)
    if not 0 < value < _MAX_ID:
        raise RoleArgsError("out of range")
    return value
