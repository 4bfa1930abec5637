"""The survey flow on the shipped example: which question comes next, skip rules, sections, how
many are left, and how typed and pressed answers are read or refused (each refusal a catalogue
text that exists and fills in)."""

from __future__ import annotations

import pytest

from bot.services.surveys.definition import (
    CHOICE,
    CHOICES,
    NUMBER,
    SCALE,
    SECTION,
    SKIPPED,
    TEXT,
    Condition,
    Option,
    Question,
)
from bot.services.surveys.files import read_survey
from bot.services.surveys.flow import (
    AnswerRefused,
    check_answer,
    count_left,
    holds,
    is_shown,
    next_question,
    number_words,
    read_typed,
    section_of,
    shown_answers,
)
from bot.texts import load_texts
from config.settings import CONFIG_DIR

EXAMPLE = read_survey(CONFIG_DIR / "surveys" / "example.yaml")
TEXTS = load_texts(CONFIG_DIR / "texts")


def walk(answers: dict) -> list[str]:
    """The questions a member is asked, in order, answering each from ``answers``."""
    asked: list[str] = []
    given: dict = {}
    question = next_question(EXAMPLE, given, None)
    while question is not None:
        asked.append(question.id)
        given[question.id] = answers.get(question.id, SKIPPED)
        question = next_question(EXAMPLE, given, question.id)
    return asked


def refusal(call, *args) -> AnswerRefused:
    """The refusal a call raises, checked to be a catalogue text that fills in."""
    with pytest.raises(AnswerRefused) as caught:
        call(*args)
    refused = caught.value
    assert refused.key in set(TEXTS.keys()), refused.key
    assert TEXTS.fields(refused.key) <= set(refused.values), refused.key
    TEXTS.get(refused.key, **refused.values)
    return refused


def test_someone_who_never_used_a_crisis_service_skips_the_questions_about_it() -> None:
    assert walk({"used_crisis": "never", "what_helps": ("housing",)}) == [
        "used_crisis",
        "what_helps",
        "one_change",
    ]


def test_once_shows_the_services_and_the_ease_but_not_how_soon_they_went_back() -> None:
    asked = walk({"used_crisis": "once", "which_services": ("ae",), "how_easy": 4})
    assert asked == ["used_crisis", "which_services", "how_easy", "what_helps", "one_change"]


def test_a_hard_time_asks_what_was_hard_and_a_repeat_asks_how_soon() -> None:
    asked = walk({"used_crisis": "many_times", "which_services": ("ae", "police"), "how_easy": 2})
    assert asked == [
        "used_crisis",
        "which_services",
        "how_easy",
        "what_was_hard",
        "went_back_days",
        "what_helps",
        "one_change",
    ]


def test_changing_an_earlier_answer_hides_what_depended_on_it_and_its_old_answer() -> None:
    answers = {"used_crisis": "many_times", "which_services": ("ae",), "how_easy": 1}
    assert is_shown(EXAMPLE, answers, "what_was_hard")
    # They go back to the first question and answer "No": the old answers stay kept, but no
    # longer count, so nothing that hung on them is asked.
    answers["used_crisis"] = "never"
    assert not is_shown(EXAMPLE, answers, "what_was_hard")
    assert shown_answers(EXAMPLE, answers) == {"used_crisis": "never"}
    assert next_question(EXAMPLE, answers, "used_crisis").id == "what_helps"


def test_headings_are_never_asked_but_are_found_above_their_questions() -> None:
    assert next_question(EXAMPLE, {}, None).id == "used_crisis"  # not the heading before it
    assert section_of(EXAMPLE, "used_crisis").text == "About getting help"
    assert section_of(EXAMPLE, "went_back_days").text == "About getting help"
    assert section_of(EXAMPLE, "what_helps").text == "What would help"
    assert section_of(EXAMPLE, "one_change").kind == SECTION


def test_a_question_before_any_heading_has_none() -> None:
    survey = EXAMPLE.__class__(
        **{**EXAMPLE.__dict__, "questions": EXAMPLE.questions[1:]}  # the first heading gone
    )
    assert section_of(survey, "used_crisis") is None


def test_how_many_are_left_counts_what_may_still_be_asked() -> None:
    answerable = len(EXAMPLE.answerable)
    assert count_left(EXAMPLE, {}, None) == answerable == 7
    # Before anything is answered every question that could be asked counts, even those that
    # hang on an answer not given yet; once it is given (or passed by), only those it shows.
    assert count_left(EXAMPLE, {}, "section-1") == 7
    assert count_left(EXAMPLE, {}, "used_crisis") == 2
    # "No": only the two questions for everyone are left.
    assert count_left(EXAMPLE, {"used_crisis": "never"}, "used_crisis") == 2
    # "Once": the services, the ease, maybe what was hard, and the two for everyone.
    assert count_left(EXAMPLE, {"used_crisis": "once"}, "used_crisis") == 5
    # An easy time: nothing about what was hard.
    easy = {"used_crisis": "once", "which_services": ("ae",), "how_easy": 5}
    assert count_left(EXAMPLE, easy, "how_easy") == 2
    assert count_left(EXAMPLE, easy, "one_change") == 0


def test_an_unknown_question_id_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="no question 'nope'"):
        next_question(EXAMPLE, {}, "nope")
    with pytest.raises(ValueError):
        count_left(EXAMPLE, {}, "nope")
    with pytest.raises(ValueError):
        section_of(EXAMPLE, "nope")


def rule(**parts) -> Condition:
    """A condition on the question 'q'."""
    return Condition("q", **parts)


@pytest.mark.parametrize(
    ("condition", "answer", "expected"),
    [
        (rule(any_of=("a", "b")), "a", True),
        (rule(any_of=("a", "b")), "c", False),
        (rule(any_of=("a",)), ("c", "a"), True),  # several choices: one is enough
        (rule(any_of=("a",)), ("b", "c"), False),
        (rule(any_of=("a",)), SKIPPED, False),
        (rule(at_least=4), 4, True),
        (rule(at_least=4), 3, False),
        (rule(at_most=2), 2, True),
        (rule(at_most=2), 2.5, False),
        (rule(at_least=2, at_most=3), 2.5, True),
        (rule(at_least=2, at_most=3), 3.5, False),
        (rule(at_least=1), SKIPPED, False),
        (rule(at_least=1), "words", False),
        (rule(), 0, True),  # no parts: answered at all
        (rule(), SKIPPED, False),
    ],
)
def test_holds(condition: Condition, answer, expected: bool) -> None:
    assert holds(condition, {"q": answer}) is expected


def test_a_condition_on_a_question_never_shown_does_not_hold() -> None:
    assert not holds(rule(any_of=("a",)), {})
    assert not holds(rule(), {})


AGE = Question("age", NUMBER, "How old are you?", minimum=16, maximum=120)
NIGHTS = Question("nights", NUMBER, "Nights?", minimum=0, decimals=True)
ANY = Question("any", NUMBER, "Any number?")
SAID = Question("said", TEXT, "What happened?", max_length=20)
MOOD = Question("mood", SCALE, "How was it?", optional=True)
WENT = Question("went", CHOICE, "Did you go?", options=(Option("y", "Yes"), Option("n", "No")))
WHY = Question(
    "why",
    CHOICES,
    "Why?",
    options=(Option("time", "The time"), Option("place", "The place"), Option("cost", "Cost")),
)


@pytest.mark.parametrize(
    ("question", "typed", "expected"),
    [
        (AGE, "42", 42),
        (AGE, " 42 ", 42),
        (AGE, "42.0", 42),
        (AGE, "+42", 42),
        (ANY, "1,200", 1200),
        (ANY, "1 200 000", 1_200_000),
        (ANY, "-3", -3),
        (ANY, "\u22123", -3),  # a typographic minus
        (ANY, "- 3", -3),
        (ANY, "007", 7),
        (NIGHTS, "2.5", 2.5),
        (NIGHTS, "1,000.25", 1000.25),
        (NIGHTS, "3", 3.0),
        (SAID, "  It was fine.  ", "It was fine."),
        (SAID, "x" * 20, "x" * 20),
        (MOOD, "4", 4),
        (MOOD, " 5 ", 5),
        (WENT, "yes", "y"),
        (WENT, "  NO ", "n"),
    ],
)
def test_typed_answers_that_fit(question: Question, typed: str, expected) -> None:
    answer = read_typed(question, typed)
    assert answer == expected and type(answer) is type(expected)


@pytest.mark.parametrize(
    ("question", "typed", "key", "values"),
    [
        (AGE, "forty", "surveys.answer_not_number", {}),
        (AGE, "", "surveys.answer_not_number", {}),
        (AGE, "4 2", "surveys.answer_not_number", {}),
        (AGE, "1,2", "surveys.answer_not_number", {}),
        (AGE, "12.", "surveys.answer_not_number", {}),
        (AGE, "\u0664\u0662", "surveys.answer_not_number", {}),  # digits of another script
        (AGE, "4" * 41, "surveys.answer_not_number", {}),
        (AGE, "42.5", "surveys.answer_whole_number", {}),
        (AGE, "12", "surveys.answer_between", {"minimum": "16", "maximum": "120"}),
        (AGE, "1,000", "surveys.answer_between", {"minimum": "16", "maximum": "120"}),
        (NIGHTS, "-1", "surveys.answer_too_small", {"minimum": "0"}),
        (ANY, "9" * 20, "surveys.answer_too_big", {"maximum": "1,000,000,000,000"}),
        (SAID, "   ", "surveys.answer_empty", {}),
        (SAID, "x" * 21, "surveys.answer_too_long", {"length": "21", "limit": "20"}),
        (MOOD, "6", "surveys.answer_use_buttons", {}),
        (MOOD, "good", "surveys.answer_use_buttons", {}),
        (WENT, "maybe", "surveys.answer_use_buttons", {}),
        (WHY, "The time", "surveys.answer_use_buttons", {}),
    ],
)
def test_typed_answers_that_do_not_fit_say_why(
    question: Question, typed: str, key: str, values: dict
) -> None:
    refused = refusal(read_typed, question, typed)
    assert (refused.key, refused.values) == (key, values)


def test_a_refusal_reads_as_kind_words() -> None:
    refused = refusal(read_typed, AGE, "12")
    assert TEXTS.get(refused.key, **refused.values) == "Please type a number from 16 to 120."


@pytest.mark.parametrize(
    ("question", "pressed", "expected"),
    [
        (WENT, "y", "y"),
        (MOOD, "3", 3),
        (MOOD, 5, 5),
        (MOOD, SKIPPED, SKIPPED),  # optional
        (WHY, ("cost", "time"), ("time", "cost")),  # in the file's order
        (WHY, ["place", "place"], ("place",)),
        (AGE, 30, 30),
        (AGE, "30", 30),
        (NIGHTS, 0.5, 0.5),
        (SAID, " fine ", "fine"),
    ],
)
def test_pressed_and_kept_answers_that_fit(question: Question, pressed, expected) -> None:
    assert check_answer(question, pressed) == expected


@pytest.mark.parametrize(
    ("question", "pressed", "key"),
    [
        (WENT, "maybe", "surveys.answer_not_an_option"),
        (WENT, 1, "surveys.answer_not_an_option"),
        (WENT, SKIPPED, "surveys.answer_required"),
        (MOOD, "0", "surveys.answer_not_on_scale"),
        (MOOD, 6, "surveys.answer_not_on_scale"),
        (MOOD, True, "surveys.answer_not_on_scale"),
        (MOOD, "three", "surveys.answer_not_on_scale"),
        (WHY, (), "surveys.answer_choose_one"),
        (WHY, ("time", "money"), "surveys.answer_not_an_option"),
        (WHY, "time", "surveys.answer_not_an_option"),
        (AGE, 200, "surveys.answer_between"),
        (AGE, 30.5, "surveys.answer_whole_number"),
        (AGE, float("nan"), "surveys.answer_not_number"),
        (AGE, True, "surveys.answer_not_number"),
        (SAID, "x" * 21, "surveys.answer_too_long"),
        (SAID, 3, "surveys.answer_use_buttons"),
    ],
)
def test_pressed_and_kept_answers_that_do_not_fit(question: Question, pressed, key: str) -> None:
    assert refusal(check_answer, question, pressed).key == key


def test_a_heading_is_never_answered() -> None:
    heading = Question("part", SECTION, "Part one")
    with pytest.raises(ValueError, match="heading"):
        check_answer(heading, "x")
    with pytest.raises(ValueError, match="heading"):
        read_typed(heading, "x")


@pytest.mark.parametrize(
    ("value", "words"),
    [(16, "16"), (1200, "1,200"), (2.5, "2.5"), (1e12, "1,000,000,000,000"), (-0.25, "-0.25")],
)
def test_numbers_in_words(value: float, words: str) -> None:
    assert number_words(value) == words
