"""The survey's response table (one row per finished response) and the rule for what of it
may be published as a CSV file.

Columns are the survey's choice, choices (one yes/no column per option), scale and number
(banded) questions, in question order; free text never. A cell holds a plain code, not words:
an option id, True/False, 1..5, a band's position, or None for "no answer" (skipped or not
asked: the two are not told apart, which would only split the rows further).

The disclosure rule: columns are added in question order, and each is kept only if, with it,
every row's combination of kept values is shared by at least ``threshold`` rows; a column that
would break this is left out whole, never cell by cell (withheld cells next to published
counts could be worked back). So any cross-tab of published columns has no cell from 1 to
threshold - 1: each of its cells is a sum of whole combinations. Rows are sorted, so their
order says nothing about who finished when.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from bot.services.surveys.definition import (
    CHOICE,
    CHOICES,
    NUMBER,
    SCALE,
    SKIPPED,
    Answer,
    Question,
    Survey,
)

TABLE_KINDS = (CHOICE, CHOICES, SCALE, NUMBER)
MAX_BANDS = 5  # a number question with both bounds is split into at most this many bands
# Band edges for a number question without both bounds: how often, how many, how long.
OPEN_EDGES = (0, 1, 2, 5, 10, 20, 50, 100, 1000)
_NICE_STEPS = (1, 2, 5, 10)

Value = str | bool | int | None


@dataclass(frozen=True)
class NumberBand:
    """A band of a number question: low <= answer < high (None: open at that end).

    ``top`` is the largest answer the question allows, when it falls in this band (so the
    words can say "10 to 12" rather than "10 to 14")."""

    low: float | None
    high: float | None
    top: float | None = None

    def holds(self, value: float) -> bool:
        """Whether the answer falls in this band (the question's top value included)."""
        if self.top is not None and value >= self.top:
            return value == self.top
        return (self.low is None or value >= self.low) and (self.high is None or value < self.high)


@dataclass(frozen=True)
class SurveyColumn:
    """One column of the table: a question, or one option of a choices question."""

    question_id: str
    option_id: str | None = None


@dataclass(frozen=True)
class SurveyTable:
    """The publishable table: the columns kept, their rows (sorted), and the columns left out."""

    columns: tuple[SurveyColumn, ...]
    rows: tuple[tuple[Value, ...], ...]
    left_out: tuple[SurveyColumn, ...]


def number_bands(question: Question) -> tuple[NumberBand, ...]:
    """The bands a number question's answers are counted in, fixed by the file alone (never by
    the answers, which would give away the largest and smallest): with both bounds, at most
    MAX_BANDS bands of a round width; otherwise OPEN_EDGES within the bounds given."""
    low, high = question.minimum, question.maximum
    if low is not None and high is not None:
        return _even_bands(low, high, question.decimals)
    edges = [e for e in OPEN_EDGES if (low is None or e > low) and (high is None or e <= high)]
    bounds: list[float | None] = [low, *edges, None]
    return tuple(
        NumberBand(start, end, high if end is None else None)
        for start, end in itertools.pairwise(bounds)
    )


def _even_bands(low: float, high: float, decimals: bool) -> tuple[NumberBand, ...]:
    """At most MAX_BANDS bands of a round width (1, 2, 5, 10, 20, 50...) from low to high,
    starting at a multiple of the width (the first band starts at ``low``)."""
    span = high - low + (0 if decimals else 1)
    step = _round_step(span / MAX_BANDS)
    while len(bands := _bands_of(low, high, step, decimals)) > MAX_BANDS:
        step = _round_step(step * 1.001)  # the next round width
    return bands


def _bands_of(low: float, high: float, step: float, decimals: bool) -> tuple[NumberBand, ...]:
    """Bands of one width from low to high."""
    start = math.floor(low / step) * step
    bands = []
    while start <= high:
        end = start + step
        bands.append(NumberBand(max(start, low), end, high if end > high else None))
        start = end
    if len(bands) > 1 and bands[-1].low == high and (decimals or step > 1):
        # A last band holding only the top value joins the one before it ("50 to 100").
        bands[-2:] = [NumberBand(bands[-2].low, bands[-2].high, high)]
    return tuple(bands)


def _round_step(least: float) -> float:
    """The smallest round width (1, 2, 5 times a power of ten) of at least ``least``."""
    if least <= 1:
        return 1
    power = 10 ** math.floor(math.log10(least))
    return next(nice * power for nice in _NICE_STEPS if nice * power >= least)


def band_of(bands: Sequence[NumberBand], value: float) -> int | None:
    """The position of the band a number falls in, or None (outside every band)."""
    return next((i for i, band in enumerate(bands) if band.holds(value)), None)


def survey_columns(survey: Survey) -> tuple[SurveyColumn, ...]:
    """Every column the table could have, in question order."""
    columns: list[SurveyColumn] = []
    for question in survey.answerable:
        if question.kind == CHOICES:
            columns += [SurveyColumn(question.id, option.id) for option in question.options]
        elif question.kind in TABLE_KINDS:
            columns.append(SurveyColumn(question.id))
    return tuple(columns)


def column_value(survey: Survey, column: SurveyColumn, answers: Mapping[str, Answer]) -> Value:
    """One response's cell in a column: a code, or None for no answer (or one that does not
    fit the question, which a kept survey never holds)."""
    question = survey.question(column.question_id)
    answer = answers.get(column.question_id, SKIPPED)
    if question is None or answer is SKIPPED:
        return None
    if question.kind == CHOICES:
        if not isinstance(answer, tuple | list):
            return None
        return column.option_id in answer
    if question.kind == CHOICE:
        return answer if isinstance(answer, str) and question.option(answer) else None
    if isinstance(answer, bool) or not isinstance(answer, int | float):
        return None
    if question.kind == SCALE:
        return int(answer) if answer in range(1, 6) else None
    return band_of(number_bands(question), answer)


def disclosed(values: Sequence[Sequence[Value]], threshold: int) -> list[int]:
    """The columns kept by the disclosure rule, by position: ``values`` holds one sequence of
    cells per column (each of the same length, one cell per row)."""
    rows = len(values[0]) if values else 0
    if rows < threshold:
        return []
    kept: list[int] = []
    groups: list[tuple[Value, ...]] = [()] * rows
    for position, column in enumerate(values):
        trial = [(*group, cell) for group, cell in zip(groups, column, strict=True)]
        if min(Counter(trial).values()) >= threshold:
            kept.append(position)
            groups = trial
    return kept


def _sort_key(row: tuple[Value, ...]) -> tuple[tuple[bool, Value], ...]:
    """Rows in a fixed order (a column's cells are all of one type; no answer first)."""
    return tuple((cell is not None, 0 if cell is None else cell) for cell in row)


def response_table(
    survey: Survey,
    responses: Sequence[Mapping[str, Answer]],
    threshold: int,
    only: Collection[str] | None = None,
) -> SurveyTable | None:
    """The publishable table, or None when fewer than ``threshold`` responses finished.
    ``only``: the questions that may have columns at all (the others are left out)."""
    if len(responses) < threshold:
        return None
    every = survey_columns(survey)
    columns = [c for c in every if only is None or c.question_id in only]
    values = [
        [column_value(survey, column, answers) for answers in responses] for column in columns
    ]
    kept = [columns[i] for i in disclosed(values, threshold)]
    published = [values[columns.index(column)] for column in kept]
    rows = sorted(zip(*published, strict=True), key=_sort_key) if kept else []
    return SurveyTable(
        columns=tuple(kept),
        rows=tuple(tuple(row) for row in rows),
        left_out=tuple(column for column in every if column not in kept),
    )
