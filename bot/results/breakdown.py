"""Small-count suppression for attendance figures: an adapter onto `suppression.protect`.

Attendance reports show a total, groups that add up to it (regions) and parts that add up to
each group (hubs). `protect` audits a national row and areas that add up to it, where each area's
"answered" is the sum of its option counts (single choice). So a group becomes an area, its
parts become the option counts, and the national row holds the totals: the group totals and the
parts are then protected together, secondary suppression included, by the same code that
protects consultation results. The "invited" column is each total plus a large slack and is
never shown; the audit takes every shown cell as known, so an attacker who sees less (the report
shows only totals, groups and parts) can work out no more than the audit allowed.

This layer only deals with counts of 1 to 4. Which groups may be shown at all (none under the
small-group threshold, see `small_groups`) is decided before: callers pass only groups and parts
that may be shown, small ones already put together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.results.suppression import (
    FEWER_THAN_THRESHOLD,
    HIDDEN,
    AreaCounts,
    Figure,
    RawResults,
    protect_table,
)

SLACK = 1000  # added to "invited" so that column carries nothing


@dataclass(frozen=True)
class SafeBreakdown:
    """A protected total, its groups, and each group's parts (in the order given)."""

    total: Figure
    groups: tuple[Figure, ...]
    parts: tuple[tuple[Figure, ...], ...]


def protect_breakdown(groups: Sequence[Sequence[int]]) -> SafeBreakdown:
    """Protect a total made of groups made of parts (each group's total is the sum of its parts).
    When `protect` can only keep the total safe, every group and part reads "hidden"."""
    if all(len(parts) <= 1 for parts in groups):
        return _one_level(groups)
    # Each part has a column of its own (0 in every other group), so a column's national sum
    # is just that part again and ties no group to another.
    width = sum(len(parts) for parts in groups)
    rows: list[tuple[int, ...]] = []
    start = 0
    for parts in groups:
        rows.append((0,) * start + tuple(parts) + (0,) * (width - start - len(parts)))
        start += len(parts)
    safe = protect_table(_raw([sum(row) for row in rows], rows, multiple=False))
    if len(safe.areas) != len(groups):
        return _total_only(safe.answered, groups)
    shown_parts = []
    start = 0
    for area, parts in zip(safe.areas, groups, strict=True):
        shown_parts.append(area.counts[start : start + len(parts)])
        start += len(parts)
    return SafeBreakdown(
        safe.answered, tuple(area.answered for area in safe.areas), tuple(shown_parts)
    )


def _one_level(groups: Sequence[Sequence[int]]) -> SafeBreakdown:
    """Groups that are not split further: only the "answered" column carries figures (the
    option column is all 0 and, with several choices allowed, tied to nothing)."""
    totals = [sum(parts) for parts in groups]
    safe = protect_table(_raw(totals, [(0,) for _ in groups], multiple=True))
    if len(safe.areas) != len(groups):
        return _total_only(safe.answered, groups)
    return SafeBreakdown(
        safe.answered,
        tuple(area.answered for area in safe.areas),
        tuple(
            tuple(area.answered for _ in parts)
            for area, parts in zip(safe.areas, groups, strict=True)
        ),
    )


def _raw(totals: Sequence[int], rows: Sequence[tuple[int, ...]], multiple: bool) -> RawResults:
    """The table `protect` audits: national row, one area per group. "Invited" is each total
    plus SLACK, so it ties nothing (it only says a total is at most itself plus SLACK)."""
    width = len(rows[0]) if rows else 1
    return RawResults(
        options=tuple(f"part {i}" for i in range(width)),
        multiple=multiple,
        invited=sum(totals) + SLACK * (len(totals) or 1),
        answered=sum(totals),
        counts=tuple(sum(row[i] for row in rows) for i in range(width)),
        areas=tuple(
            AreaCounts(str(index), total + SLACK, total, tuple(row))
            for index, (total, row) in enumerate(zip(totals, rows, strict=True))
        ),
    )


def _total_only(total: Figure, groups: Sequence[Sequence[int]]) -> SafeBreakdown:
    """Only the total could be kept safe: every group and part is hidden."""
    hidden = Figure(None, HIDDEN)
    return SafeBreakdown(
        total,
        tuple(hidden for _ in groups),
        tuple(tuple(hidden for _ in parts) for parts in groups),
    )


def protect_count(value: int) -> Figure:
    """One figure on its own (tied to no other), as a one-row table: 1 to 4 reads "fewer
    than 5"."""
    return protect_table(
        RawResults(options=("n",), multiple=False, invited=value, answered=value, counts=(value,))
    ).answered


def few(value: int, threshold: int) -> Figure:
    """A count about a group under the small-group threshold: "fewer than <threshold>" (it
    is), never its value, so it can read neither 0 nor "everyone"."""
    return Figure(None, FEWER_THAN_THRESHOLD if value < threshold else HIDDEN)
