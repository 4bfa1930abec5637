"""A series' trend across its rounds, pure: per question, the share of each answer in each
round and, for a scale or a number, the median per round.

Every cell comes from that round's own published figures (`bot/results/suppression.protect`,
as the round's pack shows them), never from raw counts: a figure hidden in a round stays hidden
in the trend ("fewer than 5" or "not shown"), so laying rounds side by side tells nobody more
than each pack did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.results.suppression import FEWER_THAN_5, SHOWN, SafeResults
from bot.services.surveys.definition import CHOICE, CHOICES, NUMBER, SCALE, SCALE_VALUES, Survey
from bot.services.surveys.results import QuestionResult, SurveyResults

NOT_SHOWN = "not_shown"  # a cell hidden for any other reason (too few, held back, deleted)
SHARE, MEDIAN = "share", "median"
CHART_ROUNDS = 3  # a line chart once there are this many rounds
_TREND_KINDS = (CHOICE, CHOICES, SCALE, NUMBER)


@dataclass(frozen=True)
class Cell:
    """One round's figure: a percent (SHARE) or a median (MEDIAN) when shown, else its status
    (FEWER_THAN_5 or NOT_SHOWN) and no value."""

    value: float | None
    status: str

    @property
    def shown(self) -> bool:
        """The figure is published."""
        return self.status == SHOWN and self.value is not None


HIDDEN_CELL = Cell(None, NOT_SHOWN)


@dataclass(frozen=True)
class TrendRow:
    """One answer's share (or one median) across the rounds, a cell per round."""

    what: str  # SHARE or MEDIAN
    label: str  # the answer's words; a scale value's number; "" for a median
    cells: tuple[Cell, ...]
    scale_value: int | None = None


@dataclass(frozen=True)
class TrendQuestion:
    """One question's rows."""

    text: str
    kind: str
    rows: tuple[TrendRow, ...]
    low_label: str = ""
    high_label: str = ""

    @property
    def shares(self) -> tuple[TrendRow, ...]:
        """The answers' share rows (what a chart draws)."""
        return tuple(row for row in self.rows if row.what == SHARE)


@dataclass(frozen=True)
class RoundLabel:
    """A round: its number in the series and when it opened."""

    number: int
    opened: datetime


@dataclass(frozen=True)
class Trend:
    """What the trend part of a round's pack shows."""

    title: str
    rounds: tuple[RoundLabel, ...]
    questions: tuple[TrendQuestion, ...]

    @property
    def charted(self) -> bool:
        """Whether there are enough rounds for a line chart."""
        return len(self.rounds) >= CHART_ROUNDS


def share_cells(figures: SafeResults | None, options: int) -> list[Cell]:
    """Each answer's published share in one round; hidden ones keep their status."""
    if figures is None or figures.withheld or figures.answered.status != SHOWN:
        return [HIDDEN_CELL] * options
    cells = []
    for figure, percent in zip(figures.counts, figures.percents, strict=True):
        if figure.status == SHOWN and percent is not None:
            cells.append(Cell(float(percent), SHOWN))
        elif figure.status == FEWER_THAN_5:
            cells.append(Cell(None, FEWER_THAN_5))
        else:
            cells.append(HIDDEN_CELL)
    return cells[:options] + [HIDDEN_CELL] * (options - len(cells))


def _rows(labels: Sequence[str], per_round: Sequence[list[Cell]]) -> list[TrendRow]:
    """One share row per answer from each round's cells."""
    return [
        TrendRow(SHARE, label, tuple(cells[index] for cells in per_round))
        for index, label in enumerate(labels)
    ]


def consultation_trend(
    question: str,
    options: Sequence[str],
    rounds: Sequence[tuple[RoundLabel, SafeResults | None]],
) -> Trend:
    """A consultation series' trend: one question, each answer's share per round."""
    per_round = [share_cells(figures, len(options)) for _, figures in rounds]
    row_set = _rows(options, per_round)
    return Trend(
        title=question,
        rounds=tuple(label for label, _ in rounds),
        questions=(TrendQuestion(question, CHOICE, tuple(row_set)),),
    )


def _question_cells(result: QuestionResult | None, width: int) -> list[Cell]:
    """One survey question's shares in one round (held back or too few: not shown)."""
    if result is None or result.held_back is not None or result.too_few:
        return [HIDDEN_CELL] * width
    return share_cells(result.figures, width)


def _median_cell(result: QuestionResult | None) -> Cell:
    """A scale's or number's median in one round, when that round's pack showed it."""
    if result is None or result.held_back is not None or result.median is None:
        return HIDDEN_CELL
    return Cell(float(result.median), SHOWN)


def survey_trend(
    survey: Survey, rounds: Sequence[tuple[RoundLabel, SurveyResults | None]]
) -> Trend:
    """A survey series' trend: for each choice, choices and scale question each answer's
    share per round, and for a scale or number question the median per round. A round whose
    results were withheld, or whose answers were deleted (None), shows nothing."""
    questions = []
    for question in survey.answerable:
        if question.kind not in _TREND_KINDS:
            continue
        results = [
            None if figures is None or figures.withheld else figures.result(question.id)
            for _, figures in rounds
        ]
        rows: list[TrendRow] = []
        if question.kind in (CHOICE, CHOICES):
            labels = [option.label for option in question.options]
            rows += _rows(labels, [_question_cells(r, len(labels)) for r in results])
        elif question.kind == SCALE:
            per_round = [_question_cells(r, len(SCALE_VALUES)) for r in results]
            rows += [
                TrendRow(SHARE, str(value), tuple(c[i] for c in per_round), scale_value=value)
                for i, value in enumerate(SCALE_VALUES)
            ]
        if question.kind in (SCALE, NUMBER):
            rows.append(TrendRow(MEDIAN, "", tuple(_median_cell(r) for r in results)))
        questions.append(
            TrendQuestion(
                question.text,
                question.kind,
                tuple(rows),
                low_label=question.low_label,
                high_label=question.high_label,
            )
        )
    return Trend(survey.title, tuple(label for label, _ in rounds), tuple(questions))
