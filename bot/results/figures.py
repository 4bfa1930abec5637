"""Consultation figures before and after suppression, their statuses, and the checks on raw ones."""

from __future__ import annotations

from dataclasses import dataclass

from bot.results.small_groups import SMALL_GROUP_DEFAULT

SHOWN, FEWER_THAN_5, HIDDEN = "shown", "fewer_than_5", "hidden"
# A whole under the small-group threshold: reads "fewer than 10" (the threshold).
FEWER_THAN_THRESHOLD = "fewer_than_threshold"
OTHER_AREAS = "*other"  # the area id of "other areas": small areas put together

SMALL = range(1, 5)  # the figures primary suppression turns into FEWER_THAN_5


@dataclass(frozen=True)
class Figure:
    """One number in a report: its value only when shown."""

    value: int | None
    status: str


@dataclass(frozen=True)
class AreaCounts:
    """Raw figures for one region or hub."""

    area_id: str
    invited: int
    answered: int
    counts: tuple[int, ...]
    parts: tuple[str, ...] = ()  # for OTHER_AREAS: the ids of the areas put together


@dataclass(frozen=True)
class RawResults:
    """Raw consultation figures, nationally and (optionally) per area."""

    options: tuple[str, ...]
    multiple: bool
    invited: int
    answered: int
    counts: tuple[int, ...]
    areas: tuple[AreaCounts, ...] = ()


@dataclass(frozen=True)
class SafeArea:
    """One area's figures after suppression."""

    area_id: str
    invited: Figure
    answered: Figure
    counts: tuple[Figure, ...]
    response_rate: int | None
    parts: tuple[str, ...] = ()  # for OTHER_AREAS: the ids of the areas put together


@dataclass(frozen=True)
class SafeResults:
    """Consultation results safe to give to decision-makers."""

    options: tuple[str, ...]
    multiple: bool
    invited: Figure
    answered: Figure
    counts: tuple[Figure, ...]
    percents: tuple[int | None, ...]
    response_rate: int | None
    areas: tuple[SafeArea, ...]
    withheld: bool = False  # every answer count withheld: too few answers to show safely
    threshold: int = SMALL_GROUP_DEFAULT  # the small-group threshold these were protected with


class CannotProtect(Exception):
    """Even with every figure of 5 or more hidden, some small figure could be worked out."""


def validate(raw: RawResults) -> None:
    """Raise ValueError when raw figures are impossible (wrong lengths, negative, not adding up)."""
    k = len(raw.options)
    if k == 0:
        raise ValueError("a consultation needs at least one option")
    rows: list[tuple[str, int, int, tuple[int, ...]]] = [
        ("national", raw.invited, raw.answered, tuple(raw.counts))
    ]
    rows += [(a.area_id, a.invited, a.answered, tuple(a.counts)) for a in raw.areas]
    for name, invited, answered, counts in rows:
        if len(counts) != k:
            raise ValueError(f"{name}: {len(counts)} counts for {k} options")
        values = (invited, answered, *counts)
        if any(not isinstance(v, int) or isinstance(v, bool) for v in values):
            raise ValueError(f"{name}: figures must be integers")
        if any(v < 0 for v in values):
            raise ValueError(f"{name}: negative figure")
        if answered > invited:
            raise ValueError(f"{name}: more answered than invited")
        if any(c > answered for c in counts):
            raise ValueError(f"{name}: a count is larger than the number who answered")
        if not raw.multiple and sum(counts) != answered:
            raise ValueError(f"{name}: single-choice counts must add up to the number answered")
    if raw.areas:
        ids = [a.area_id for a in raw.areas]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate area id")
        flat = [(invited, answered, *counts) for _, invited, answered, counts in rows]
        for col in range(2 + k):
            if sum(row[col] for row in flat[1:]) != flat[0][col]:
                raise ValueError("area figures do not add up to the national figures")
