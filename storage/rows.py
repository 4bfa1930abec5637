"""Rows into records (each field of a frozen dataclass read from the column of its name, a
time from its ISO text and a flag from 0 or 1, going by the field's type), and a time stamped
on a row once."""

from __future__ import annotations

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


async def stamp_once(tx: Session, table: str, column: str, row_id: int, now: datetime) -> bool:
    """Set ``column`` of the row ``row_id`` of ``table`` to ``now`` unless it is set already:
    True when this call set it (so a second call, or a race, does nothing). The table and
    column are the caller's own constants."""
    changed = await tx.execute(
        f"UPDATE {table} SET {column} = ? WHERE id = ? AND {column} IS NULL",
        (to_db(now), row_id),
    )
    return changed > 0
