"""The order of a survey's questions and the reading of answers: pure functions, no I/O.

Skip rules (`show_if`) only look back (the file reader makes sure), so one pass in file order
decides what is shown. An answer counts only while the question it answers is itself shown: a
member who goes back and changes an earlier answer hides the questions that depended on it,
and their old answers stop counting too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from bot.services.surveys import definition
from bot.services.surveys.definition import Answer, Condition, Question, Survey

Answers = Mapping[str, Answer]  # question id -> answer (SKIPPED is None); unshown: absent

# Without bounds a number question still takes at most this far from zero.
NUMBER_LIMIT = 10**12
_LONGEST_NUMBER = 40  # characters typed for a number
# Digits, with commas or spaces between thousands, then maybe a decimal point.
_NUMBER = re.compile(
    r"^(?P<sign>[+-]?)(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)"
    r"(?:\.(?P<fraction>[0-9]+))?$"
)
# Minus signs and spaces people's keyboards type, read as the plain ones.
_SAME = str.maketrans({"\u2212": "-", "\u2013": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " "})


class AnswerRefused(Exception):
    """An answer that does not fit its question. ``key`` is the catalogue text that says why
    (config/texts/surveys.yaml) and ``values`` fill it in. Nothing was changed."""

    def __init__(self, key: str, **values: object) -> None:
        """Remember the catalogue key and its values."""
        super().__init__(key)
        self.key = key
        self.values = values


def holds(condition: Condition, answers: Answers) -> bool:
    """Whether an earlier answer matches the condition. A skipped or unshown question never
    matches; for a choices question any one chosen option in ``any_of`` is enough."""
    answer = answers.get(condition.question, definition.SKIPPED)
    if answer is definition.SKIPPED:
        return False
    if condition.any_of:
        chosen = answer if isinstance(answer, tuple) else (answer,)
        return any(option in condition.any_of for option in chosen)
    if condition.at_least is None and condition.at_most is None:
        return True  # no part but the question: answered at all
    if isinstance(answer, bool) or not isinstance(answer, int | float):
        return False
    if condition.at_least is not None and answer < condition.at_least:
        return False
    return condition.at_most is None or answer <= condition.at_most


def shown_answers(survey: Survey, answers: Answers) -> dict[str, Answer]:
    """The answers that count: those of questions shown, given the answers before them."""
    counted: dict[str, Answer] = {}
    for question in survey.questions:
        if question.answerable and question.id in answers and _shown(question, counted):
            counted[question.id] = answers[question.id]
    return counted


def is_shown(survey: Survey, answers: Answers, question_id: str) -> bool:
    """Whether the question is shown, given the answers before it."""
    question = _question(survey, question_id)
    return question.answerable and _shown(question, shown_answers(survey, answers))


def next_question(survey: Survey, answers: Answers, after: str | None) -> Question | None:
    """The first answerable question after ``after`` (None: from the start) whose show_if
    holds; None when the survey is finished. Section headings are never returned."""
    counted = shown_answers(survey, answers)
    for question in survey.questions[_start(survey, after) :]:
        if question.answerable and _shown(question, counted):
            return question
    return None


def section_of(survey: Survey, question_id: str) -> Question | None:
    """The nearest section heading before the question, or None if there is none."""
    index = _index(survey, question_id)
    for question in reversed(survey.questions[:index]):
        if not question.answerable:
            return question
    return None


def count_left(survey: Survey, answers: Answers, after: str | None) -> int:
    """How many questions after ``after`` may still be shown, at most: one whose skip rule
    waits on an answer not given yet counts, one whose rule is already decided counts only
    when it holds. For "Question 3 of about 8": 3 + count_left(survey, answers, that one)."""
    start = _start(survey, after)
    decided = {q.id for q in survey.questions[:start]}
    counted = shown_answers(survey, {k: v for k, v in answers.items() if k in decided})
    possible: dict[str, bool] = {}
    left = 0
    for index, question in enumerate(survey.questions):
        if not question.answerable:
            continue
        if index < start:
            possible[question.id] = _shown(question, counted)
            continue
        rule = question.show_if
        if rule is None:
            maybe = True
        elif rule.question in decided:
            maybe = holds(rule, counted)
        else:
            maybe = possible.get(rule.question, False)
        possible[question.id] = maybe
        left += maybe
    return left


def read_typed(question: Question, text: str) -> Answer:
    """A typed answer read for its question. A number: "12", "12.5" (only if decimals),
    "1,200", " 7 ", within its minimum and maximum. A text: trimmed, 1 to max_length
    characters. A scale takes a typed 1 to 5 and a choice an option's exact words, as kindness;
    anything else there (and on a several-choices question) means "use the buttons".
    Raises AnswerRefused."""
    if not question.answerable:
        raise ValueError(f"{question.id!r} is a section heading, not a question")
    if question.kind == definition.NUMBER:
        return _typed_number(question, text)
    if question.kind == definition.TEXT:
        return _typed_text(question, text)
    cleaned = " ".join(text.split()).casefold()
    if question.kind == definition.SCALE and cleaned in {str(v) for v in definition.SCALE_VALUES}:
        return int(cleaned)
    if question.kind == definition.CHOICE:
        for option in question.options:
            if cleaned in (option.label.casefold(), option.id):
                return option.id
    raise AnswerRefused("surveys.answer_use_buttons")


def check_answer(question: Question, answer: Answer) -> Answer:
    """The answer, checked and tidied (a pressed "3" on a scale is 3; ticks in the file's
    order), or AnswerRefused: an option that is not this question's, a scale value outside
    1 to 5, no ticks, a number out of bounds, or a skip of a question that needs an answer."""
    if not question.answerable:
        raise ValueError(f"{question.id!r} is a section heading, not a question")
    if answer is definition.SKIPPED:
        if question.optional:
            return definition.SKIPPED
        raise AnswerRefused("surveys.answer_required")
    if question.kind == definition.CHOICE:
        if isinstance(answer, str) and question.option(answer) is not None:
            return answer
        raise AnswerRefused("surveys.answer_not_an_option")
    if question.kind == definition.CHOICES:
        return _ticks(question, answer)
    if question.kind == definition.SCALE:
        value = _whole(answer)
        if value in definition.SCALE_VALUES:
            return value
        raise AnswerRefused("surveys.answer_not_on_scale")
    if question.kind == definition.NUMBER:
        if isinstance(answer, str):
            return _typed_number(question, answer)
        if isinstance(answer, bool) or not isinstance(answer, int | float):
            raise AnswerRefused("surveys.answer_not_number")
        try:
            return _in_bounds(question, Decimal(str(answer)))
        except InvalidOperation:
            raise AnswerRefused("surveys.answer_not_number") from None
    if isinstance(answer, str):
        return _typed_text(question, answer)
    raise AnswerRefused("surveys.answer_use_buttons")


def _shown(question: Question, counted: Answers) -> bool:
    """Whether the question's rule holds on the answers that count."""
    return question.show_if is None or holds(question.show_if, counted)


def _index(survey: Survey, question_id: str) -> int:
    """Where a question is in the file; ValueError for an id the survey does not have."""
    for index, question in enumerate(survey.questions):
        if question.id == question_id:
            return index
    raise ValueError(f"the survey {survey.key!r} has no question {question_id!r}")


def _question(survey: Survey, question_id: str) -> Question:
    """The question with this id; ValueError if there is none."""
    return survey.questions[_index(survey, question_id)]


def _start(survey: Survey, after: str | None) -> int:
    """The position just after ``after`` (0 for None)."""
    return 0 if after is None else _index(survey, after) + 1


def _ticks(question: Question, answer: Answer) -> tuple[str, ...]:
    """Ticked option ids, each an option of the question, once each, in the file's order."""
    if not isinstance(answer, tuple | list) or not all(isinstance(a, str) for a in answer):
        raise AnswerRefused("surveys.answer_not_an_option")
    if any(question.option(a) is None for a in answer):
        raise AnswerRefused("surveys.answer_not_an_option")
    if not answer:
        raise AnswerRefused("surveys.answer_choose_one")
    return tuple(o.id for o in question.options if o.id in answer)


def _whole(answer: Answer) -> int | None:
    """A whole number from a pressed or kept value ("3" or 3), else None."""
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int):
        return answer
    if isinstance(answer, str) and answer.isascii() and answer.isdigit() and len(answer) < 4:
        return int(answer)
    return None


def _typed_number(question: Question, text: str) -> int | float:
    """A typed number, read and checked against the question's bounds."""
    cleaned = text.translate(_SAME).strip()
    if len(cleaned) > _LONGEST_NUMBER:
        raise AnswerRefused("surveys.answer_not_number")
    cleaned = re.sub(r"^([+-])\s+", r"\1", cleaned)  # "- 3"
    match = _NUMBER.match(cleaned)
    if match is None:
        raise AnswerRefused("surveys.answer_not_number")
    whole = match["whole"].replace(",", "").replace(" ", "")
    number = Decimal(f"{match['sign']}{whole}.{match['fraction'] or '0'}")
    return _in_bounds(question, number)


def _in_bounds(question: Question, number: Decimal) -> int | float:
    """The number as the question keeps it, refused when not whole (and it must be) or
    outside its bounds."""
    if not number.is_finite():
        raise AnswerRefused("surveys.answer_not_number")
    if not question.decimals and number != number.to_integral_value():
        raise AnswerRefused("surveys.answer_whole_number")
    low = question.minimum if question.minimum is not None else -NUMBER_LIMIT
    high = question.maximum if question.maximum is not None else NUMBER_LIMIT
    if not Decimal(str(low)) <= number <= Decimal(str(high)):
        if question.minimum is not None and question.maximum is not None:
            raise AnswerRefused(
                "surveys.answer_between", minimum=number_words(low), maximum=number_words(high)
            )
        if number < Decimal(str(low)):
            raise AnswerRefused("surveys.answer_too_small", minimum=number_words(low))
        raise AnswerRefused("surveys.answer_too_big", maximum=number_words(high))
    if question.decimals:
        return float(number)
    return int(number)


def _typed_text(question: Question, text: str) -> str:
    """Typed words, trimmed, within the question's length."""
    cleaned = text.strip()
    if not cleaned:
        raise AnswerRefused("surveys.answer_empty")
    if len(cleaned) > question.max_length:
        raise AnswerRefused(
            "surveys.answer_too_long",
            length=f"{len(cleaned):,}",
            limit=f"{question.max_length:,}",
        )
    return cleaned


def number_words(value: float) -> str:
    """A number as people write it: 1,200 or 2.5 (never 2.50 or 1e3)."""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"
