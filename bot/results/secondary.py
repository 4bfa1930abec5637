"""Secondary suppression: hide figures of 5 or more until no small figure can be worked out.

The attacker knows every shown figure, every structural equation and inequality of the table,
that a FEWER_THAN_5 figure is 1..4 and that a HIDDEN figure is 0 or at least 5. Small integer
programs (scipy's HiGHS) say whether each small figure can still take two values; an "it can
differ" answer is only accepted with a witness solution checked exactly in integers.
"""

from __future__ import annotations

from bot.results.figures import FEWER_THAN_5, HIDDEN, SHOWN, SMALL, CannotProtect, RawResults

_INVITED, _ANSWERED = 0, 1
_INF = float("inf")
MAX_SOLVER_NODES = 1000  # per whole-number solve; forum-sized tables need 1 (see _solve)

Cell = tuple[int, int]  # (row, column): row 0 is national, rows 1.. are areas


# --- the table and what an attacker knows -----------------------------------------------------


class Table:
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
            if s == FEWER_THAN_5 and v not in SMALL:
                return False
            if s == HIDDEN and not (v == 0 or 5 <= v <= self.bound):
                return False
        for coef, lo, hi in self.constraints:
            total = sum(a * x[cell] for cell, a in coef.items())
            if not lo <= total <= hi:
                return False
        return True


# --- secondary suppression --------------------------------------------------------------------


def hide_until_safe(table: Table, status: dict[Cell, str], small: list[Cell]) -> None:
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
    table: Table,
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
        self, table: Table, status: dict[Cell, str], witnesses: list[dict[Cell, int]]
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
