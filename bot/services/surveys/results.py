"""A closed survey's figures, safe to publish: per question, counts, percents and medians; the
response table for the CSV; and the free text, for coordinators only.

Pure functions, no I/O; the survey service calls `survey_results` once at closing and the
results pack (`handlers/surveys/results_messages.py`) renders what it returns.

Every figure goes through `bot.results.suppression.protect`: each question is a one-row
national table (who answered it, a count per option, scale value or number band), so counts of
1 to 4 read "fewer than 5", the figures that would give them away are hidden, and a question
fewer than the threshold answered reads "fewer than N" with no split. What is published about
one question is also checked against the others:

- who answered a question is always shown (or "fewer than N"), never hidden to protect its
  counts, because it can often be worked out anyway (a required question: everyone who
  finished; a question asked only after a given answer: that answer's count); where hiding it
  would have been needed, the question's split is withheld instead;
- a several-choices question's split is withheld too when a "fewer than 5" could be worked
  out from the fact that everyone who answered ticked at least one option (`leaks.py`);
- a question asked only after an answer to an earlier question whose figures had to be
  suppressed is held back whole (its number answered would give the hidden counts away), and
  so is any question asked after one held back; and so is one whose number answered would
  split a number band, or a mix of ticked options, into a group of 1 to 4 (`leaks.py`);
- a median is shown only when the published counts already fix where it falls, so it tells
  nothing about a hidden count (`leaks.py`);
- the CSV (`table.py`) has only questions whose figures are all shown, and each of its columns
  keeps every combination of answers at the threshold or more.

With fewer finished responses than the threshold there is no split at all: only how many were
asked and "fewer than N finished".
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from bot.results.chart import bar_chart_png
from bot.results.csvfile import safe_cell
from bot.results.small_groups import check_threshold
from bot.results.suppression import (
    FEWER_THAN_5,
    FEWER_THAN_THRESHOLD,
    HIDDEN,
    SHOWN,
    SMALL,
    Figure,
    RawResults,
    SafeResults,
    protect,
    withheld,
)
from bot.services.surveys import definition
from bot.services.surveys.definition import Answer, Condition, Question, Survey
from bot.services.surveys.leaks import median_if_fixed, splits_small_group, tick_pinned
from bot.services.surveys.table import (
    TABLE_KINDS,
    NumberBand,
    SurveyColumn,
    SurveyTable,
    column_value,
    number_bands,
    response_table,
)

Responses = Sequence[Mapping[str, Answer]]
FreeText = Mapping[str, list[str]]  # question id -> the words typed, for coordinators only

__all__ = [
    "FreeText",
    "QuestionResult",
    "SurveyColumn",
    "SurveyResults",
    "SurveyTable",
    "free_text",
    "question_chart",
    "responses_csv",
    "survey_results",
]


@dataclass(frozen=True)
class QuestionResult:
    """One question's published figures.

    ``figures`` is the protected one-row table: ``answered`` who answered it, ``counts`` one per
    option (choice, choices), scale value 1..5 (scale) or band (number, see ``bands``).
    ``median`` is set for a scale or number question only when it can be shown. When
    ``held_back`` names an earlier question, nothing of this one is shown (see the module)."""

    question_id: str
    kind: str
    figures: SafeResults
    median: float | None = None
    bands: tuple[NumberBand, ...] = ()
    held_back: str | None = None

    @property
    def too_few(self) -> bool:
        """Fewer than the threshold answered it: no split, "fewer than N" answered."""
        return self.figures.answered.status == FEWER_THAN_THRESHOLD

    @property
    def fully_shown(self) -> bool:
        """Every figure of it is shown (no count suppressed, nothing held back)."""
        return self.held_back is None and all(
            f.status == SHOWN for f in (self.figures.answered, *self.figures.counts)
        )


@dataclass(frozen=True)
class SurveyResults:
    """Everything a closed survey's results pack may show, already protected."""

    survey: Survey
    threshold: int
    invited: Figure
    finished: Figure
    response_rate: int | None
    questions: tuple[QuestionResult, ...] = ()
    table: SurveyTable | None = None

    @property
    def withheld(self) -> bool:
        """Fewer finished than the threshold: no figures per question and no CSV."""
        return self.finished.status != SHOWN

    def result(self, question_id: str) -> QuestionResult | None:
        """The figures of one question, or None (text, section, or withheld)."""
        return next((r for r in self.questions if r.question_id == question_id), None)


def survey_results(
    survey: Survey, responses: Responses, invited: int, threshold: int
) -> SurveyResults:
    """The protected figures of a closed survey from its finished responses (unfinished
    answers are never given here) and how many were invited."""
    check_threshold(threshold)
    finished = len(responses)
    invited = max(invited, finished)
    asked = Figure(None, FEWER_THAN_5) if invited in SMALL else Figure(invited, SHOWN)
    if finished < threshold:
        return SurveyResults(
            survey, threshold, asked, Figure(None, FEWER_THAN_THRESHOLD), None, (), None
        )
    done: dict[str, QuestionResult] = {}
    told: dict[str, list[Condition]] = {}  # question id -> skip rules on it whose count is out
    for question in survey.answerable:
        if question.kind not in TABLE_KINDS:
            continue
        result = _question_result(survey, question, responses, threshold, done)
        rule = question.show_if
        if rule is not None and rule.question in done and result.figures.answered.status == SHOWN:
            trial = [*told.get(rule.question, []), rule]
            condition = survey.question(rule.question)
            if condition is not None and splits_small_group(condition, trial, responses):
                result = _held(result, rule.question)
            else:
                told[rule.question] = trial
        done[question.id] = result
    shown = [qid for qid, result in done.items() if result.fully_shown]
    return SurveyResults(
        survey=survey,
        threshold=threshold,
        invited=asked,
        finished=Figure(finished, SHOWN),
        response_rate=round(100 * finished / invited) if asked.status == SHOWN else None,
        questions=tuple(done.values()),
        table=response_table(survey, responses, threshold, only=shown),
    )


def _question_result(
    survey: Survey,
    question: Question,
    responses: Responses,
    threshold: int,
    earlier: Mapping[str, QuestionResult],
) -> QuestionResult:
    """One question's figures, checked against the earlier question it depends on."""
    column = SurveyColumn(question.id)
    bands = number_bands(question) if question.kind == definition.NUMBER else ()
    codes = _codes(survey, question, responses)
    counts = _counts(question, codes, len(bands))
    answered = len(codes)
    raw = RawResults(
        options=tuple(str(i) for i in range(len(counts))),
        multiple=question.kind == definition.CHOICES,
        invited=answered,
        answered=answered,
        counts=tuple(counts),
    )
    if answered < threshold:
        figures = _no_split(raw, threshold, Figure(None, FEWER_THAN_THRESHOLD))
    else:
        figures = protect(raw, threshold)
    if not figures.withheld and (
        {figures.invited.status, figures.answered.status} != {SHOWN}
        or (raw.multiple and tick_pinned(figures, answered))
    ):
        figures = _no_split(raw, threshold, Figure(answered, SHOWN))
    held = _held_back_by(question, figures, earlier)
    if held is not None:
        return _held(QuestionResult(question.id, question.kind, figures, None, bands), held)
    median = None
    if question.kind in (definition.SCALE, definition.NUMBER) and codes:
        values = [_number(survey, column, answers) for answers in responses]
        median = median_if_fixed(figures, counts, [v for v in values if v is not None])
    return QuestionResult(question.id, question.kind, figures, median, bands)


def _codes(survey: Survey, question: Question, responses: Responses) -> list[object]:
    """The answers of those who answered, as positions: an option's (choice), a set of
    options' (choices), a scale value's, a band's (number)."""
    codes: list[object] = []
    for answers in responses:
        if question.kind == definition.CHOICES:
            cells = [
                column_value(survey, SurveyColumn(question.id, option.id), answers)
                for option in question.options
            ]
            if cells and cells[0] is not None and any(cells):
                codes.append({i for i, cell in enumerate(cells) if cell})
            continue
        cell = column_value(survey, SurveyColumn(question.id), answers)
        if cell is None:
            continue
        if question.kind == definition.CHOICE:
            codes.append(next(i for i, o in enumerate(question.options) if o.id == cell))
        elif question.kind == definition.SCALE:
            codes.append(definition.SCALE_VALUES.index(cell))
        else:
            codes.append(cell)
    return codes


def _counts(question: Question, codes: Iterable[object], bands: int) -> list[int]:
    """How many answered each option, scale value or band."""
    size = {definition.SCALE: len(definition.SCALE_VALUES)}.get(
        question.kind, bands or len(question.options)
    )
    counts = [0] * size
    for code in codes:
        for position in code if isinstance(code, set) else (code,):
            counts[position] += 1
    return counts


def _number(survey: Survey, column: SurveyColumn, answers: Mapping[str, Answer]) -> float | None:
    """A scale or number answer as given (None when not answered or not fitting)."""
    if column_value(survey, column, answers) is None:
        return None
    value = answers[column.question_id]
    return None if isinstance(value, bool) or not isinstance(value, int | float) else value


def _no_split(raw: RawResults | SafeResults, threshold: int, answered: Figure) -> SafeResults:
    """Who answered as given, every count withheld: "fewer than N" answered (none included:
    a 0 would say what a small group before it answered); or all shown when showing the split
    safely would have needed it hidden, which others can work out; or nothing (held back)."""
    return withheld(raw, answered, answered, threshold)


def _held(result: QuestionResult, because_of: str) -> QuestionResult:
    """The question with nothing of it shown, because of an earlier question."""
    nothing = _no_split(result.figures, result.figures.threshold, Figure(None, HIDDEN))
    return replace(result, figures=nothing, median=None, held_back=because_of)


def _held_back_by(
    question: Question, figures: SafeResults, earlier: Mapping[str, QuestionResult]
) -> str | None:
    """The earlier question whose small numbers this one's figures could give away, if any.

    A question asked only after some answer to another is answered by at most that answer's
    count (exactly it, when required). If the other question's counts are all shown, nothing
    hidden can be worked out; if it had too few answers to split, this one has too (it is
    answered by no more people). Otherwise this one is held back."""
    if question.show_if is None:
        return None
    condition = earlier.get(question.show_if.question)
    if condition is None:
        return None  # a text question's answers are never counted
    if condition.held_back is not None:
        return condition.question_id
    if condition.too_few and figures.answered.status == FEWER_THAN_THRESHOLD:
        return None
    if condition.fully_shown:
        return None
    return condition.question_id


def free_text(survey: Survey, responses: Responses) -> dict[str, list[str]]:
    """Each text question's answers, for coordinators only: shuffled on their own, so one
    person's answers to two questions cannot be put side by side, nor matched to the CSV."""
    shuffle = random.SystemRandom().shuffle
    words: dict[str, list[str]] = {}
    for question in survey.answerable:
        if question.kind != definition.TEXT:
            continue
        found = [
            answer.strip()
            for answers in responses
            if isinstance(answer := answers.get(question.id, definition.SKIPPED), str)
            and answer.strip()
        ]
        shuffle(found)
        words[question.id] = found
    return words


def question_chart(
    result: QuestionResult,
    labels: Sequence[str],
    *,
    title: str,
    status_words: Mapping[str, str],
) -> bytes | None:
    """A bar chart (PNG) of one question's counts, or None when none of them can be shown.
    Drawing takes a moment: call it off the event loop."""
    if result.held_back is not None or result.figures.withheld:
        return None
    return bar_chart_png(labels, result.figures.counts, title=title, status_words=status_words)


def responses_csv(header: Sequence[str], rows: Iterable[Sequence[str | int]]) -> bytes:
    """The response table as a CSV file that opens cleanly in Excel (UTF-8 with BOM), every
    text cell guarded against formula injection."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([cell if isinstance(cell, int) else safe_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")
