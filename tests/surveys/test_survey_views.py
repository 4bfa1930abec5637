"""How any valid survey looks to a member (handlers/surveys/views.py): for random surveys from
the file reader's own strategies, every question's buttons fit Telegram's 64 bytes and read back
as presses on that very question (an option of it, a scale value, Done, Skip, Back or Stop),
every text fits one message and holds the author's words escaped, so nothing they write can
break the message or pass for a button of another question."""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services.surveys.definition import CHOICE, CHOICES, SCALE, SCALE_VALUES, Survey
from bot.services.surveys.records import CONSENT, QUESTION, Position
from bot.texts import load_texts
from config.settings import CONFIG_DIR
from handlers.shared.callbacks import MAX_BYTES
from handlers.surveys.codes import (
    AGREE,
    BACK,
    DONE,
    PRESS,
    SKIP,
    STOP,
    TICK,
    read_press,
    read_scale,
)
from handlers.surveys.views import SurveyViews
from tests.surveys.survey_strategies import surveys

LONDON = ZoneInfo("Europe/London")
TELEGRAM_LIMIT = 4096


@pytest.fixture(scope="module")
def views() -> SurveyViews:
    return SurveyViews(load_texts(CONFIG_DIR / "texts"), LONDON)


def shown(survey: Survey, number: int, back: bool, ticked: bool) -> list[Position]:
    """A position at each answerable question of the survey, as the service gives them."""
    positions = []
    for question in survey.answerable:
        pending = tuple(o.id for o in question.options[:1]) if ticked else ()
        positions.append(
            Position(
                survey_id=number,
                title=survey.title,
                anonymous=survey.anonymous,
                survey=survey,
                state=QUESTION,
                question=question,
                number=1,
                about_total=len(survey.answerable),
                can_go_back=back,
                pending=pending if question.kind == CHOICES else (),
            )
        )
    return positions


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(surveys(), st.integers(1, 10**9), st.booleans(), st.booleans())
def test_every_button_of_every_question_reads_back_as_a_press_on_it(
    views: SurveyViews, survey: Survey, survey_id: int, back: bool, ticked: bool
) -> None:
    for position in shown(survey, survey_id, back, ticked):
        question = position.question
        text, markup = views.question(position)
        assert len(text) <= TELEGRAM_LIMIT
        assert html.escape(question.text) in text  # the author's words, escaped
        presses = []
        for row in markup.inline_keyboard:
            for button in row:
                assert len(button.callback_data.encode()) <= MAX_BYTES
                presses.append(read_press(button.callback_data))
        assert all(p.survey_id == survey_id for p in presses)
        actions = [p.action for p in presses]
        assert actions[-1] == STOP
        assert (BACK in actions) == back
        assert (SKIP in actions) == question.optional
        answers = [p for p in presses if p.action in (PRESS, TICK, DONE, SKIP)]
        assert all(p.question_id == question.id for p in answers)
        values = [p.value for p in presses if p.action in (PRESS, TICK)]
        if question.kind in (CHOICE, CHOICES):
            assert values == [o.id for o in question.options]
        elif question.kind == SCALE:
            assert [read_scale(v) for v in values] == list(SCALE_VALUES)
        else:
            assert values == []  # typed: no answer buttons
        assert (DONE in actions) == (question.kind == CHOICES)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(surveys())
def test_the_consent_screen_shows_the_authors_words_and_two_buttons(
    views: SurveyViews, survey: Survey
) -> None:
    text, markup = views.consent(7, survey.title, survey)
    for words in (survey.consent.purpose, survey.consent.who_runs, survey.consent.kept_for):
        assert html.escape(words) in text
    assert [read_press(row[0].callback_data).action for row in markup.inline_keyboard] == [
        AGREE,
        STOP,
    ]
    state = views.position(
        Position(7, survey.title, survey.anonymous, survey, CONSENT)
    )  # the same screen through the dispatcher
    assert state[0] == text
