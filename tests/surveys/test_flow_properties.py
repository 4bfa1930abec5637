"""Property tests for the survey flow: for a random VALID survey and random answers, the next
question is never one whose skip rule is false and never passes a required one that is shown;
"about N more" never promises fewer than are asked; typed input is read or refused plainly."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services.surveys.definition import NUMBER, SKIPPED, TEXT, Question, Survey
from bot.services.surveys.flow import (
    AnswerRefused,
    check_answer,
    count_left,
    holds,
    next_question,
    read_typed,
    section_of,
    shown_answers,
)
from bot.texts import load_texts
from config.settings import CONFIG_DIR
from tests.surveys.survey_strategies import answer_for, number_bounds, surveys

TEXTS = load_texts(CONFIG_DIR / "texts")
MANY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def shown_now(survey: Survey, answers: dict, question: Question) -> bool:
    """Whether the question's skip rule holds on the answers that count."""
    return question.show_if is None or holds(question.show_if, shown_answers(survey, answers))


@MANY
@given(surveys(plain=True), st.data())
def test_answering_a_random_survey_asks_exactly_the_questions_whose_rules_hold(
    survey: Survey, data
) -> None:
    answers: dict = {}
    asked: list[str] = []
    promised = [count_left(survey, answers, None)]
    question = next_question(survey, answers, None)
    while question is not None:
        # Never a heading, never one whose condition is false, never one asked before.
        assert question.answerable
        assert shown_now(survey, answers, question)
        assert question.id not in asked
        answer = data.draw(answer_for(question), label=question.id)
        assert check_answer(question, answer) == answer  # a valid answer passes as it is
        answers[question.id] = answer
        asked.append(question.id)
        promised.append(count_left(survey, answers, question.id))
        question = next_question(survey, answers, question.id)
    # Every question shown by the final answers was asked, in file order: none was passed,
    # required or not, and none whose rule is false was shown.
    expected = [
        q.id
        for q in survey.questions
        if q.answerable and (q.show_if is None or holds(q.show_if, answers))
    ]
    assert asked == expected
    # Required questions that were shown all have an answer.
    assert all(
        answers[q.id] is not SKIPPED for q in survey.questions if q.id in asked and not q.optional
    )
    # "Question n of about N": what is left is never more than promised, and it ends at 0.
    for index, left in enumerate(promised):
        assert left >= len(asked) - index
    assert promised[-1] == 0


@MANY
@given(surveys(plain=True), st.data())
def test_with_any_answers_kept_even_stale_ones_the_next_question_is_one_that_shows(
    survey: Survey, data
) -> None:
    # Answers as a member going back and forth might leave them: any questions, any order.
    answerable = list(survey.answerable)
    kept = data.draw(st.lists(st.sampled_from(answerable), unique_by=lambda q: q.id))
    answers = {q.id: data.draw(answer_for(q)) for q in kept}
    after = data.draw(st.none() | st.sampled_from([q.id for q in survey.questions]))
    found = next_question(survey, answers, after)
    ids = [q.id for q in survey.questions]
    start = 0 if after is None else ids.index(after) + 1
    between = survey.questions[start : ids.index(found.id) if found else len(ids)]
    # Nothing it passed over would have been shown.
    assert not any(q.answerable and shown_now(survey, answers, q) for q in between)
    if found is not None:
        assert found.answerable and shown_now(survey, answers, found)
        heading = section_of(survey, found.id)
        assert heading is None or not heading.answerable
    assert count_left(survey, answers, after) >= (found is not None)


@st.composite
def number_questions(draw) -> Question:
    """A number question with random bounds."""
    return Question("n", NUMBER, "How many?", **draw(number_bounds()))


@MANY
@given(number_questions(), st.text(max_size=60))
def test_any_typed_text_on_a_number_question_is_a_number_in_bounds_or_a_kind_refusal(
    question: Question, typed: str
) -> None:
    try:
        number = read_typed(question, typed)
    except AnswerRefused as refused:
        TEXTS.get(refused.key, **refused.values)  # a catalogue text that fills in
        return
    assert isinstance(number, float if question.decimals else int)
    assert question.minimum is None or number >= question.minimum
    assert question.maximum is None or number <= question.maximum


@MANY
@given(number_questions(), st.integers(-(10**6), 10**6), st.sampled_from(["{:,}", "{}", " {} "]))
def test_whole_numbers_as_people_write_them_read_back(
    question: Question, number: int, form: str
) -> None:
    typed = form.format(number)
    inside = (question.minimum is None or number >= question.minimum) and (
        question.maximum is None or number <= question.maximum
    )
    try:
        assert read_typed(question, typed) == number
        assert inside
    except AnswerRefused as refused:
        assert not inside and refused.key.startswith(("surveys.answer_too", "surveys.answer_bet"))


@MANY
@given(st.integers(1, 2000), st.text(max_size=2100))
def test_any_typed_text_is_kept_trimmed_within_its_length_or_refused(
    longest: int, typed: str
) -> None:
    question = Question("t", TEXT, "Tell us", max_length=longest)
    try:
        kept = read_typed(question, typed)
    except AnswerRefused as refused:
        assert refused.key in ("surveys.answer_empty", "surveys.answer_too_long")
        TEXTS.get(refused.key, **refused.values)
        return
    assert kept == typed.strip() and 1 <= len(kept) <= longest
