"""Small-count suppression for consultation results: 1 to 4 reads "fewer than 5", never worked out.

`protect(raw, threshold)` is what every report uses. It first applies the small-group rule
(`small_groups`): a whole with fewer than ``threshold`` answers shows only how many were asked
and "fewer than 10" answered, with no split by answer; an area with fewer than ``threshold``
answers is never shown on its own but put together with the others as "other areas"
(`OTHER_AREAS`), which itself is only shown with at least ``threshold`` answers (the smallest
areas join it until it has). So no group shown, nor any group worked out by subtraction, is
under the threshold, and no answer can read 0 or "everyone" for a small group. Then `suppress`
deals with counts of 1 to 4 in what is left.

The table has one national row and one row per area; its columns are invited, answered and one
per option. Primary suppression turns every figure of 1 to 4 into FEWER_THAN_5. Secondary
suppression then hides figures of 5 or more (HIDDEN) until an attacker who knows every shown
figure, every structural equation and inequality, that a FEWER_THAN_5 figure is 1..4 and that a
HIDDEN figure is 0 or at least 5, still finds at least two possible values for every
FEWER_THAN_5 figure. The audit solves small integer programs (scipy's HiGHS); an "it can differ"
answer is only accepted with a witness solution checked exactly in integers, so rounding can
only ever cause extra suppression, never a leak. A table that cannot be protected with these
three statuses raises `CannotProtect`, which callers should turn into "too few answers to report".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from bot.results.figures import (
    FEWER_THAN_5,
    FEWER_THAN_THRESHOLD,
    HIDDEN,
    OTHER_AREAS,
    SHOWN,
    SMALL,
    AreaCounts,
    CannotProtect,
    Figure,
    RawResults,
    SafeArea,
    SafeResults,
    validate,
)
from bot.results.secondary import Cell, Table, hide_until_safe
from bot.results.small_groups import SMALL_GROUP_DEFAULT, check_threshold, fold

__all__ = [
    "FEWER_THAN_5",
    "FEWER_THAN_THRESHOLD",
    "HIDDEN",
    "OTHER_AREAS",
    "SHOWN",
    "AreaCounts",
    "CannotProtect",
    "Figure",
    "RawResults",
    "SafeArea",
    "SafeResults",
    "all_figures",
    "fold_areas",
    "national",
    "protect",
    "protect_table",
    "suppress",
    "withheld",
]


def suppress(raw: RawResults) -> SafeResults:
    """Apply primary and secondary suppression and return the safe figures."""
    validate(raw)
    table = Table(raw)
    status = {
        cell: (FEWER_THAN_5 if value in SMALL else SHOWN) for cell, value in table.values.items()
    }
    small = sorted(cell for cell, s in status.items() if s == FEWER_THAN_5)
    if small:
        hide_until_safe(table, status, small)
    return _build(raw, table, status)


# --- output -----------------------------------------------------------------------------------


def _figure(table: Table, status: dict[Cell, str], cell: Cell) -> Figure:
    s = status[cell]
    return Figure(table.values[cell] if s == SHOWN else None, s)


def _rate(part: Figure, whole: Figure) -> int | None:
    if part.value is None or whole.value is None or whole.value <= 0:
        return None
    return round(100 * part.value / whole.value)


def _row(table: Table, status: dict[Cell, str], r: int) -> list[Figure]:
    return [_figure(table, status, (r, c)) for c in range(table.ncols)]


def _build(raw: RawResults, table: Table, status: dict[Cell, str]) -> SafeResults:
    national = _row(table, status, 0)
    invited, answered, counts = national[0], national[1], tuple(national[2:])
    areas: list[SafeArea] = []
    for r, area in enumerate(raw.areas, start=1):
        row = _row(table, status, r)
        areas.append(
            SafeArea(
                area.area_id,
                row[0],
                row[1],
                tuple(row[2:]),
                _rate(row[1], row[0]),
                area.parts,
            )
        )
    return SafeResults(
        options=tuple(raw.options),
        multiple=raw.multiple,
        invited=invited,
        answered=answered,
        counts=counts,
        percents=tuple(_rate(c, answered) for c in counts),
        response_rate=_rate(answered, invited),
        areas=tuple(areas),
    )


def protect(raw: RawResults, threshold: int = SMALL_GROUP_DEFAULT) -> SafeResults:
    """The figures safe to publish: the small-group rule, then `protect_table`.

    With fewer than ``threshold`` answers in all, only how many were asked (1 to 4 as "fewer
    than 5") and "fewer than <threshold>" answered are shown, every answer count withheld.
    Otherwise areas under the threshold are put together as "other areas" (`fold_areas`)
    and the table that is left goes through `protect_table`."""
    check_threshold(threshold)
    validate(raw)
    if raw.invited and raw.answered < threshold:
        return _whole_only(raw, threshold)
    return replace(protect_table(fold_areas(raw, threshold)), threshold=threshold)


def fold_areas(raw: RawResults, threshold: int) -> RawResults:
    """The table with every area under ``threshold`` answers put together as "other areas"
    (`OTHER_AREAS`, the ids in ``parts``), grown by the smallest areas until it reaches the
    threshold, or with no breakdown when nothing could be shown on its own."""
    if not raw.areas:
        return raw
    folding = fold([area.answered for area in raw.areas], threshold)
    if not folding.breakdown:
        return replace(raw, areas=())
    if not folding.folded:
        return raw
    group = [raw.areas[i] for i in folding.folded]
    other = AreaCounts(
        OTHER_AREAS,
        sum(area.invited for area in group),
        sum(area.answered for area in group),
        tuple(sum(column) for column in zip(*(area.counts for area in group), strict=True)),
        parts=tuple(area.area_id for area in group),
    )
    return replace(raw, areas=(*(raw.areas[i] for i in folding.shown), other))


def national(safe: SafeResults) -> SafeResults:
    """The same figures without the breakdown: what members are told. Taken from the very
    figures decision-makers get, so putting the two side by side tells nobody anything more."""
    return replace(safe, areas=())


def _primary(value: int) -> Figure:
    """A figure on its own: 1 to 4 reads "fewer than 5"."""
    return Figure(None, FEWER_THAN_5) if value in SMALL else Figure(value, SHOWN)


def _whole_only(raw: RawResults, threshold: int) -> SafeResults:
    """Fewer than the threshold answered: how many were asked, "fewer than <threshold>"
    answered, and no split by answer or by area."""
    return withheld(raw, _primary(raw.invited), Figure(None, FEWER_THAN_THRESHOLD), threshold)


def withheld(
    raw: RawResults | SafeResults,
    invited: Figure,
    answered: Figure,
    threshold: int = SMALL_GROUP_DEFAULT,
    response_rate: int | None = None,
) -> SafeResults:
    """Only who was asked and who answered, as given: every count withheld, no areas."""
    return SafeResults(
        options=tuple(raw.options),
        multiple=raw.multiple,
        invited=invited,
        answered=answered,
        counts=tuple(Figure(None, HIDDEN) for _ in raw.counts),
        percents=tuple(None for _ in raw.counts),
        response_rate=response_rate,
        areas=(),
        withheld=True,
        threshold=threshold,
    )


def protect_table(raw: RawResults) -> SafeResults:
    """suppress(), falling back when a table cannot be protected: first without the
    breakdown by area, then with every answer count withheld (only how many were asked and
    answered, small ones as "fewer than 5"). No small-group rule: callers fold first."""
    try:
        return suppress(raw)
    except CannotProtect:
        pass
    if raw.areas:
        try:
            return suppress(replace(raw, areas=()))
        except CannotProtect:
            pass
    validate(raw)
    invited, answered = _primary(raw.invited), _primary(raw.answered)
    return withheld(raw, invited, answered, response_rate=_rate(answered, invited))


def all_figures(safe: SafeResults) -> Iterable[Figure]:
    """Every figure in a safe result, national first (handy for checks and counts)."""
    yield safe.invited
    yield safe.answered
    yield from safe.counts
    for area in safe.areas:
        yield area.invited
        yield area.answered
        yield from area.counts
