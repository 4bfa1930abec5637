"""The movement figures of /progression checked against the rest of the report: who reached a
stage in the last 3 or 12 months are among the members at that stage or above now, and a stage
reached only through opportunities was reached by no more people than the outcomes the kind
table counts; so a movement figure is shown only when every figure it could be set against is
shown (tests/progression/test_report_together.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.results.suppression import HIDDEN, SHOWN, Figure
from bot.services.progression.stages import Stages

if TYPE_CHECKING:  # the report's own types; figures.py imports this module
    from bot.services.progression.figures import Movement, OpportunityLine, StageLine


def checked_together(
    stages: Stages,
    movement: tuple[Movement, ...],
    members: Figure,
    lines: Sequence[StageLine],
    kinds: Sequence[OpportunityLine],
    taken: Figure,
    completed: Figure,
) -> tuple[Movement, ...]:
    """The movement figures, each hidden (with its median) unless every figure it could be
    set against is shown: the stage lines from its stage up (or the total and those below),
    and for a stage reached only through opportunities the kind lines holding those kinds
    (or the totals when there is no kind table). Decided by what is shown, never by values,
    so hiding one says nothing either."""
    shown = [line.members.status == SHOWN for line in lines]
    total_shown = members.status == SHOWN
    tail_known = [
        all(shown[rank:]) or (total_shown and all(shown[:rank])) for rank in range(len(shown))
    ]
    line_of = {part: line for line in kinds for part in (line.parts or (line.key,))}
    known = []
    for rank, stage in enumerate(stages.stages):
        ok = tail_known[rank]
        if ok and stage.facts and all(fact[0] == "outcome" for fact in stage.facts):
            needed = [taken, completed] if not kinds else []
            for fact in stage.facts:
                line = line_of.get(fact[1])
                if line is not None:  # no line in a kind table: nobody took that kind
                    needed += [line.taken, line.completed]
            ok = all(figure.status == SHOWN for figure in needed)
        known.append(ok)
    hidden = Figure(None, HIDDEN)
    checked = []
    for window in movement:
        reached = tuple(
            line if known[rank] else replace(line, members=hidden, median_days=None)
            for rank, line in enumerate(window.reached, start=1)
        )
        moved = window.moved_up if tail_known[1] else hidden
        checked.append(replace(window, moved_up=moved, reached=reached))
    return tuple(checked)
