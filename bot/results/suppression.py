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
from dataclasses import dataclass, replace

from bot.results.small_groups import SMALL_GROUP_DEFAULT, check_threshold, fold

SHOWN, FEWER_THAN_5, HIDDEN = "shown", "fewer_than_5", "hidden"
# A whole under the small-group threshold: reads "fewer than 10" (the threshold).
FEWER_THAN_THRESHOLD = "fewer_than_threshold"
OTHER_AREAS = "*other"  # the area id of "other areas": small areas put together

_SMALL = range(1, 5)
_INVITED, _ANSWERED = 0, 1
_INF = float("inf")
MAX_SOLVER_NODES = 1000  # per whole-number solve; forum-sized tables need 1 (see _solve)


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


Cell = tuple[int, int]  # (row, column): row 0 is national, rows 1.. are areas


def suppress(raw: RawResults) -> SafeResults:
    """Apply primary and secondary suppression and return the safe figures."""
    _validate(raw)
    table = _Table(raw)
    status = {
        cell: (FEWER_THAN_5 if value in _SMALL else SHOWN) for cell, value in table.values.items()
    }
    small = sorted(cell for cell, s in status.items() if s == FEWER_THAN_5)
    if small:
        _secondary(table, status, small)
    return _build(raw, table, status)


# --- validation -------------------------------------------------------------------------------


def _validate(raw: RawResults) -> None:
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


# --- the table and what an attacker knows -----------------------------------------------------


class _Table:
    """The raw figures as a grid, with the structural constraints between its cells."""

    def __init__(self, raw: RawResults) -> None:
        self.k = len(raw.options)
        self.ncols = 2 + self.k
        rows = [(raw.invited, raw.answered, *raw.counts)]
        rows += [(a.invited, a.answered, *a.counts) for a in raw.areas]
        self.nrows = len(rows)
        self.values: dict[Cell, int] = {
            (r, c): v for r, row in enumerate(rows) for c, v in enumerate(row)
        }
        self.cells: list[Cell] = sorted(self.values)
        self.index = {cell: i for i, cell in enumerate(self.cells)}
        self.bound = raw.invited  # every figure is at most the national number invited
        # Each constraint: (coefficients, lower, upper) meaning lower <= sum(coef * x) <= upper.
        self.constraints: list[tuple[dict[Cell, int], float, float]] = []
        if self.nrows > 1:
            for c in range(self.ncols):
                coef = {(0, c): 1} | {(r, c): -1 for r in range(1, self.nrows)}
                self.constraints.append((coef, 0, 0))
        for r in range(self.nrows):
            self.constraints.append(({(r, _ANSWERED): 1, (r, _INVITED): -1}, -_INF, 0))
            for c in range(2, self.ncols):
                self.constraints.append(({(r, c): 1, (r, _ANSWERED): -1}, -_INF, 0))
            if not raw.multiple:
                coef = {(r, _ANSWERED): 1} | {(r, c): -1 for c in range(2, self.ncols)}
                self.constraints.append((coef, 0, 0))

    def alone_in_an_equation(self, cell: Cell, status: dict[Cell, str]) -> bool:
        """True when an equation holds this cell and only shown figures besides."""
        return any(
            lo == hi
            and cell in coef
            and all(status[other] == SHOWN for other in coef if other != cell)
            for coef, lo, hi in self.constraints
        )

    def shares_line(self, a: Cell, b: Cell) -> bool:
        """True when two cells sit in one row or (with areas) one column constraint."""
        return a[0] == b[0] or (a[1] == b[1] and self.nrows > 1)

    def satisfies(self, x: dict[Cell, int], status: dict[Cell, str]) -> bool:
        """Exact integer check that x is consistent with everything the attacker knows."""
        for cell, s in status.items():
            v = x[cell]
            if s == SHOWN and v != self.values[cell]:
                return False
            if s == FEWER_THAN_5 and v not in _SMALL:
                return False
            if s == HIDDEN and not (v == 0 or 5 <= v <= self.bound):
                return False
        for coef, lo, hi in self.constraints:
            total = sum(a * x[cell] for cell, a in coef.items())
            if not lo <= total <= hi:
                return False
        return True


# --- secondary suppression --------------------------------------------------------------------


def _secondary(table: _Table, status: dict[Cell, str], small: list[Cell]) -> None:
    """Hide figures of 5 or more until no small figure can be worked out, then show back spares."""
    pending = list(small)  # not yet proven to have two possible values
    hidden_order: list[Cell] = []
    witnesses: list[dict[Cell, int]] = []  # whole-number solutions found so far
    while (exposed := _first_exposed(table, status, pending, witnesses)) is not None:
        candidates = [cell for cell, s in status.items() if s == SHOWN and table.values[cell] >= 5]
        if not candidates:
            raise CannotProtect("too few answers to report without revealing a small count")
        best = min(
            candidates,
            key=lambda cell: (
                not table.shares_line(cell, exposed),
                cell[0] == 0,
                table.values[cell],
                cell,
            ),
        )
        status[best] = HIDDEN
        hidden_order.append(best)
        # Hiding only widens what the attacker must consider, so cells already proven safe
        # stay safe; only the pending ones are checked again.
    # The greedy steps can hide more than needed; show back every hidden figure whose
    # showing keeps all small figures safe, national figures (the headline) first, then the
    # last hidden first.
    for cell in sorted(reversed(hidden_order), key=lambda c: c[0] != 0):
        status[cell] = SHOWN
        if _first_exposed(table, status, list(small), witnesses) is not None:
            status[cell] = HIDDEN


def _first_exposed(
    table: _Table,
    status: dict[Cell, str],
    pending: list[Cell],
    witnesses: list[dict[Cell, int]],
) -> Cell | None:
    """The first pending small cell with only one possible value, or None when all are safe.

    Cells proven safe (by a witness solution) are removed from pending. A witness found for
    earlier statuses that still passes the exact check for these proves cells without a solve
    (showing a figure back keeps every witness that already had its true value).
    """
    for cell in pending:
        if table.alone_in_an_equation(cell, status):
            return cell  # the total minus the figures shown gives it away: no solve needed
    for witness in witnesses:
        if not pending:
            return None
        if table.satisfies(witness, status):
            for c in [c for c in pending if witness[c] != table.values[c]]:
                pending.remove(c)
    solver = _Solver(table, status, witnesses)
    while pending:
        cell = pending[0]
        if not solver.ambiguous(cell, pending):
            return cell
    return None


class _Solver:
    """The attacker's integer program for one set of statuses."""

    def __init__(
        self, table: _Table, status: dict[Cell, str], witnesses: list[dict[Cell, int]]
    ) -> None:
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint
        from scipy.sparse import csc_array

        self.table = table
        self.status = status
        self.witnesses = witnesses
        n = len(table.cells)
        hidden = [cell for cell in table.cells if status[cell] == HIDDEN]
        nvar = n + len(hidden)
        lb = np.zeros(nvar)
        ub = np.ones(nvar)
        for i, cell in enumerate(table.cells):
            s = status[cell]
            if s == SHOWN:
                lb[i] = ub[i] = table.values[cell]
            elif s == FEWER_THAN_5:
                lb[i], ub[i] = 1, 4
            else:
                lb[i], ub[i] = 0, table.bound
        rows, lo, hi = [], [], []
        for coef, clo, chi in table.constraints:
            row = np.zeros(nvar)
            for cell, a in coef.items():
                row[table.index[cell]] = a
            rows.append(row)
            lo.append(clo)
            hi.append(chi)
        for j, cell in enumerate(hidden):  # x == 0 or 5 <= x <= bound, with a binary b
            i, b = table.index[cell], n + j
            row = np.zeros(nvar)
            row[i], row[b] = 1, -5
            rows.append(row)
            lo.append(0)
            hi.append(_INF)
            row = np.zeros(nvar)
            row[i], row[b] = 1, -table.bound
            rows.append(row)
            lo.append(-_INF)
            hi.append(0)
        self.np = np
        self.nvar = nvar
        self.bounds = Bounds(lb, ub)
        # Sparse once here, not converted again on every solve.
        matrix = csc_array(np.array(rows))
        self.constraint = LinearConstraint(matrix, np.array(lo), np.array(hi))

    def ambiguous(self, cell: Cell, pending: list[Cell]) -> bool:
        """Whether cell can take another value; witnesses also clear other pending cells.

        Each direction (largest, then smallest) first solves the cheap linear relaxation: if
        even that cannot move the cell, no whole-number solution can; if its solution, rounded,
        passes the exact check, it proves the cell can move. Only otherwise is the integer
        program solved.
        """
        np = self.np
        true = self.table.values[cell]
        for sign in (-1.0, 1.0):  # maximise, then minimise
            objective = np.zeros(self.nvar)
            objective[self.table.index[cell]] = sign
            relaxed = self._solve(objective, integral=False)
            if relaxed is not None and abs(relaxed[self.table.index[cell]] - true) < 1e-6:
                continue  # the relaxation cannot move it this way: nor can whole numbers
            for integral in (False, True):
                solution = relaxed if not integral else self._solve(objective, integral=True)
                if solution is None:
                    continue  # no answer: treat as determined (safe side)
                witness = {c: int(np.rint(solution[i])) for i, c in enumerate(self.table.cells)}
                if not self.table.satisfies(witness, self.status):
                    continue  # a solution that only holds within tolerance proves nothing
                self.witnesses.append(witness)
                for c in [c for c in pending if witness[c] != self.table.values[c]]:
                    pending.remove(c)
                if witness[cell] != true:
                    return True
                break
        return False

    def _solve(self, objective, integral: bool):
        """The optimum of one objective (whole numbers or the relaxation), or None."""
        from scipy.optimize import milp

        # Options are checked one by one on every call (a tenth of the time of a small
        # solve), so the relaxation passes none; presolve is on by default.
        # A solve cut short proves nothing, which only hides more (the safe side). It is cut
        # by nodes, not seconds: a busy machine must not change which cells are hidden, or two
        # runs of the same table could be read together. Forum-sized tables take 1 node.
        options = {"mip_rel_gap": 0.0, "node_limit": MAX_SOLVER_NODES} if integral else None
        result = milp(
            objective,
            integrality=self.np.ones(self.nvar) if integral else None,
            bounds=self.bounds,
            constraints=self.constraint,
            options=options,
        )
        return result.x


# --- output -----------------------------------------------------------------------------------


def _figure(table: _Table, status: dict[Cell, str], cell: Cell) -> Figure:
    s = status[cell]
    return Figure(table.values[cell] if s == SHOWN else None, s)


def _rate(part: Figure, whole: Figure) -> int | None:
    if part.value is None or whole.value is None or whole.value <= 0:
        return None
    return round(100 * part.value / whole.value)


def _row(table: _Table, status: dict[Cell, str], r: int) -> list[Figure]:
    return [_figure(table, status, (r, c)) for c in range(table.ncols)]


def _build(raw: RawResults, table: _Table, status: dict[Cell, str]) -> SafeResults:
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
    _validate(raw)
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
    return Figure(None, FEWER_THAN_5) if value in _SMALL else Figure(value, SHOWN)


def _whole_only(raw: RawResults, threshold: int) -> SafeResults:
    """Fewer than the threshold answered: how many were asked, "fewer than <threshold>"
    answered, and no split by answer or by area."""
    return SafeResults(
        options=tuple(raw.options),
        multiple=raw.multiple,
        invited=_primary(raw.invited),
        answered=Figure(None, FEWER_THAN_THRESHOLD),
        counts=tuple(Figure(None, HIDDEN) for _ in raw.options),
        percents=tuple(None for _ in raw.options),
        response_rate=None,
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
    _validate(raw)
    invited, answered = _primary(raw.invited), _primary(raw.answered)
    return SafeResults(
        options=tuple(raw.options),
        multiple=raw.multiple,
        invited=invited,
        answered=answered,
        counts=tuple(Figure(None, HIDDEN) for _ in raw.options),
        percents=tuple(None for _ in raw.options),
        response_rate=_rate(answered, invited),
        areas=(),
        withheld=True,
    )


def all_figures(safe: SafeResults) -> Iterable[Figure]:
    """Every figure in a safe result, national first (handy for checks and counts)."""
    yield safe.invited
    yield safe.answered
    yield from safe.counts
    for area in safe.areas:
        yield area.invited
        yield area.answered
        yield from area.counts
