"""Surveys and finished responses for the results tests: a fixed survey with every kind, and
random valid surveys (tests/surveys/survey_strategies.py) answered through the real flow, with
few distinct answers per question so that groups, small and large, really happen."""

from __future__ import annotations

import random
from collections.abc import Mapping

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from bot.services.surveys.definition import (
    CHOICE,
    CHOICES,
    NUMBER,
    SCALE,
    SKIPPED,
    TEXT,
    Answer,
    Condition,
    Consent,
    Option,
    Question,
    Survey,
)
from bot.services.surveys.flow import next_question
from tests.surveys.survey_strategies import answer_for, surveys

Response = dict[str, Answer]


def property_settings(examples: int) -> settings:
    """Hypothesis settings for the results property tests: the same examples every run, no
    deadline (protection solves small integer programs; a busy machine is slow)."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
        ],
    )


WEIGHTS = (12, 3, 1)

WHERE = Question(
    "where",
    CHOICE,
    "Where did you go first for help?",
    options=(Option("gp", "My GP"), Option("ae", "A&E"), Option("none", "Nowhere")),
)
WHY_AE = Question(
    "why_ae",
    CHOICE,
    "Why A&E?",
    options=(Option("open", "It was open"), Option("told", "I was told to")),
    show_if=Condition("where", any_of=("ae",)),
)
WHICH = Question(
    "which",
    CHOICES,
    "Which of these helped?",
    options=(
        Option("friend", "A friend"),
        Option("peer", "A peer worker"),
        Option("app", "An app"),
    ),
    optional=True,
)
EASY = Question("easy", SCALE, "How easy was it?", low_label="Very hard", high_label="Very easy")
TIMES = Question("times", NUMBER, "How many times?", minimum=0, maximum=20)
SAY = Question("say", TEXT, "Anything else?", optional=True)

SURVEY = Survey(
    key="getting_help",
    title="Getting help",
    audience="forum",
    anonymous=True,
    consent=Consent("To learn", "The forum", "Coordinators", "One year"),
    questions=(
        Question("intro", "section", "About you"),
        WHERE,
        WHY_AE,
        WHICH,
        EASY,
        TIMES,
        SAY,
    ),
)


def response(**answers: Answer) -> Response:
    """One finished response of SURVEY (only the questions given)."""
    return dict(answers)


def walk(survey: Survey, pick: Mapping[str, list[Answer]], rng: random.Random) -> Response:
    """One member's way through the survey, by the real flow: each question shown is answered
    with one of its few answers (a skip among them for optional questions)."""
    answers: Response = {}
    question = next_question(survey, answers, None)
    while question is not None:
        few = pick[question.id]
        # One common answer and rarer ones, so that small counts really happen.
        answers[question.id] = rng.choices(few, weights=WEIGHTS[: len(few)])[0]
        question = next_question(survey, answers, question.id)
    return answers


@st.composite
def answered_surveys(draw: st.DrawFn, most: int = 60) -> tuple[Survey, list[Response]]:
    """A random valid survey and 0..most finished responses to it."""
    survey = draw(surveys(longest=7))
    pick = {
        q.id: draw(st.lists(answer_for(q), min_size=1, max_size=len(WEIGHTS)))
        for q in survey.questions
        if q.answerable
    }
    rng = random.Random(draw(st.integers(0, 2**32)))
    count = draw(st.integers(0, 12) | st.integers(13, most))
    return survey, [walk(survey, pick, rng) for _ in range(count)]


@st.composite
def answered_sample(draw: st.DrawFn, most: int = 60) -> list[Response]:
    """10..most finished responses to SURVEY, every answer possible, some much rarer than
    others (weights drawn per question), so that hidden counts and held-back questions come."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    weights = {
        q.id: draw(st.lists(st.integers(0, 12), min_size=7, max_size=7))
        for q in SURVEY.questions
        if q.answerable
    }

    def one() -> Response:
        answers: Response = {}
        question = next_question(SURVEY, answers, None)
        while question is not None:
            answers[question.id] = _weighted(question, weights[question.id], rng)
            question = next_question(SURVEY, answers, question.id)
        return answers

    return [one() for _ in range(draw(st.integers(10, most)))]


def _weighted(question: Question, weights: list[int], rng: random.Random) -> Answer:
    """An answer to a SURVEY question, drawn with the given weights."""
    if question.kind == CHOICES:
        ticked = tuple(
            o.id for o, w in zip(question.options, weights, strict=False) if rng.random() * 13 < w
        )
        return ticked or (SKIPPED if question.optional else (question.options[0].id,))
    if question.kind == CHOICE:
        values: list[Answer] = [o.id for o in question.options]
    elif question.kind == SCALE:
        values = [1, 2, 3, 4, 5]
    elif question.kind == NUMBER:
        values = [0, 2, 5, 8, 12, 20]
    else:
        values = ["It was fine.", "Too slow."]
    if question.optional:
        values.append(SKIPPED)
    chosen = weights[: len(values)]
    return rng.choices(values, weights=[w + 0.01 for w in chosen])[0]


def without_skips(answers: Mapping[str, Answer]) -> dict[str, Answer]:
    """The answers given (skipped ones left out)."""
    return {k: v for k, v in answers.items() if v is not SKIPPED}
