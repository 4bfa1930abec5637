"""Callback data for opportunities, read defensively (never trusted; every id is checked
again by the service):

- members: `op:<verb>:<opportunity>`; verbs `i` interested, `n` not for me, `s` send without
  a note, `c` cancel the note, `w` take back interest;
- coordinators: `oc:<verb>:<opportunity>[:<member>[:<outcome>]]`; verbs `p` who is
  interested, `y` choose, `x` not this time, `t` tell them, `r` record what happened, `o`
  an outcome (`t` took part, `c` completed, `d` did not go ahead), `e` close early, `k` call
  off (asked first), `kk` yes call it off, `kn` keep it;
- kinds in /settings: `ok:show`, `ok:done`, `ok:t:<kind number>`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.opportunities.rules import KINDS
from handlers.shared.callbacks import BadCallback, decode, encode

MEMBER, COORDINATOR, KIND = "op", "oc", "ok"
MEMBER_VERBS = frozenset({"i", "n", "s", "c", "w"})
PERSON_VERBS = frozenset({"y", "x", "o"})  # these name a member
COORDINATOR_VERBS = frozenset({"p", "t", "r", "e", "k", "kk", "kn"}) | PERSON_VERBS
OUTCOME_CODES = {"t": "took_part", "c": "completed", "d": "did_not_go_ahead"}
CODE_OF = {outcome: code for code, outcome in OUTCOME_CODES.items()}
MAX_ID = 10**15


@dataclass(frozen=True)
class Pressed:
    """A press read from its data: the verb, the opportunity, and for some the member and
    the outcome."""

    verb: str
    opportunity_id: int
    member_id: int | None = None
    outcome: str | None = None


def member_data(verb: str, opportunity_id: int) -> str:
    """A member's button."""
    return encode(MEMBER, verb, opportunity_id)


def coordinator_data(
    verb: str, opportunity_id: int, member_id: int | None = None, outcome: str | None = None
) -> str:
    """A coordinator's button."""
    parts: list[object] = [verb, opportunity_id]
    if member_id is not None:
        parts.append(member_id)
    if outcome is not None:
        parts.append(CODE_OF[outcome])
    return encode(COORDINATOR, *parts)


def kind_data(kind: str | None = None, *, done: bool = False) -> str:
    """A kinds button: one kind's toggle, Done, or (no kind) show the kinds."""
    if done:
        return encode(KIND, "done")
    if kind is None:
        return encode(KIND, "show")
    return encode(KIND, "t", KINDS.index(kind))


def _id(text: str) -> int:
    """A positive whole number within range, or BadCallback."""
    if not text.isdigit() or not text.isascii() or len(text) > 15:
        raise BadCallback("not an id")
    value = int(text)
    if not 0 < value < MAX_ID or str(value) != text:  # no leading zeros: one spelling each
        raise BadCallback("id out of range")
    return value


def read_member(data: object) -> Pressed:
    """A member's press, or BadCallback."""
    callback = decode(data, MEMBER)
    if len(callback.args) != 2 or callback.args[0] not in MEMBER_VERBS:
        raise BadCallback("not a member's opportunity button")
    return Pressed(callback.args[0], _id(callback.args[1]))


def read_coordinator(data: object) -> Pressed:
    """A coordinator's press, or BadCallback."""
    callback = decode(data, COORDINATOR)
    args = callback.args
    if not args or args[0] not in COORDINATOR_VERBS:
        raise BadCallback("not a coordinator's opportunity button")
    verb = args[0]
    wanted = {"o": 4, "y": 3, "x": 3}.get(verb, 2)
    if len(args) != wanted:
        raise BadCallback("wrong number of parts")
    member = _id(args[2]) if verb in PERSON_VERBS else None
    outcome = None
    if verb == "o":
        if args[3] not in OUTCOME_CODES:
            raise BadCallback("unknown outcome")
        outcome = OUTCOME_CODES[args[3]]
    return Pressed(verb, _id(args[1]), member, outcome)


def read_kind(data: object) -> str | None:
    """A kinds press: the kind to toggle, "show", "done", or BadCallback."""
    callback = decode(data, KIND)
    args = callback.args
    if args in (("show",), ("done",)):
        return args[0]
    if len(args) == 2 and args[0] == "t" and args[1].isdigit() and args[1].isascii():
        index = int(args[1]) if len(args[1]) <= 2 else -1
        if 0 <= index < len(KINDS):
            return KINDS[index]
    raise BadCallback("not a kinds button")
