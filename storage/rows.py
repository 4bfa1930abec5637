"""Rows into records (each field of a frozen dataclass read from the column of its name, a
time from its ISO text and a flag from 0 or 1, going by the field's type), and a time stamped
on a row once; the columns a record is read from, and a record as column values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from storage.db import Row, Session
from storage.timefmt import from_db, to_db

T = TypeVar("T")

_TIME, _FLAG, _PLAIN = "time", "flag", "plain"


@cache
def _kinds(cls: type) -> tuple[tuple[str, str], ...]:
    """Each field's name and how its column is read (the type may be written as text)."""
    kinds = []
    for field in fields(cls):
        kind = field.type if isinstance(field.type, str) else getattr(field.type, "__name__", "")
        kind = str(kind or field.type).removeprefix("datetime.")
        if kind in ("datetime", "datetime | None"):
            kinds.append((field.name, _TIME))
        elif kind == "bool":
            kinds.append((field.name, _FLAG))
        else:
            kinds.append((field.name, _PLAIN))
    return tuple(kinds)


def record(cls: type[T], row: Row, **overrides: Any) -> T:
    """The record ``cls`` built from ``row``: every field from the column of its name (a
    ``datetime`` from UTC ISO text, a ``bool`` from 0 or 1), except those in ``overrides``."""
    values: dict[str, Any] = {}
    for name, kind in _kinds(cls):
        if name in overrides:
            continue
        value = row[name]
        values[name] = from_db(value) if kind == _TIME else bool(value) if kind == _FLAG else value
    return cls(**values, **overrides)


def row_values(item: object, *, besides: tuple[str, ...] = ()) -> dict[str, Any]:
    """A frozen dataclass's fields as column values, the way `record` reads them back (a
    ``datetime`` as UTC ISO text, a ``bool`` as 0 or 1), but those in ``besides``."""
    values: dict[str, Any] = {}
    for name, kind in _kinds(type(item)):
        if name in besides:
            continue
        value = getattr(item, name)
        values[name] = to_db(value) if kind == _TIME else int(value) if kind == _FLAG else value
    return values


def columns(cls: type, *, besides: tuple[str, ...] = ()) -> str:
    """The columns the record ``cls`` is read from by `record`, for a SELECT: its fields'
    names, but those in ``besides`` (given another way)."""
    return ", ".join(field.name for field in fields(cls) if field.name not in besides)


async def move_state(
    tx: Session,
    table: str,
    row_id: int,
    state: str,
    now: datetime,
    only_from: Sequence[str],
    ending: Sequence[str] = ("closed", "cancelled"),
) -> bool:
    """Move the row ``row_id`` of ``table`` (a consultation, a survey) to ``state`` if it is in
    one of ``only_from``, with ``updated_at`` now and, for a state in ``ending``, ``closed_at``;
    True if it moved (so of two racing callers one does). The table is the caller's constant."""
    marks = ",".join("?" for _ in only_from)
    closed_at = to_db(now) if state in ending else None
    changed = await tx.execute(
        f"UPDATE {table} SET state = ?, updated_at = ?, closed_at = COALESCE(?, closed_at) "
        f"WHERE id = ? AND state IN ({marks})",
        (state, to_db(now), closed_at, row_id, *only_from),
    )
    return changed > 0


async def stamp_once(tx: Session, table: str, column: str, row_id: int, now: datetime) -> bool:
    """Set ``column`` of the row ``row_id`` of ``table`` to ``now`` unless it is set already:
    True when this call set it (so a second call, or a race, does nothing). The table and
    column are the caller's own constants."""
    changed = await tx.execute(
        f"UPDATE {table} SET {column} = ? WHERE id = ? AND {column} IS NULL",
        (to_db(now), row_id),
    )
    return changed > 0
