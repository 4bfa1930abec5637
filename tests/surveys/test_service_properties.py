"""A property of the survey service on a real database: for any valid survey file and any
member wandering through it (answering, skipping, going back, pressing old buttons, typing
what does not fit), every question shown is one whose skip rule holds on the answers that
count, each step lands where the pure order of questions says it should, nothing refused
changes anything, and the finished response holds exactly the answers that count, with every
required question shown answered."""

from __future__ import annotations

import asyncio
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.delivery import Audience
from bot.delivery.audience import EVERYONE, HUB, REGION
from bot.services.surveys import FINISHED, QUESTION, Position
from bot.services.surveys.definition import (
    CHOICE,
    CHOICES,
    FORUM,
    NUMBER,
    SCALE,
    SKIPPED,
    Survey,
)
from bot.services.surveys.definition import HUB as FILE_HUB
from bot.services.surveys.definition import REGION as FILE_REGION
from bot.services.surveys.flow import AnswerRefused, holds, next_question, read_typed
from storage.db import open_database
from tests.surveys.service_world import NW, build_world
from tests.surveys.survey_strategies import answer_for, as_file, surveys

MEMBER = NW[0]
AUDIENCE = {
    FORUM: Audience(EVERYONE),
    FILE_REGION: Audience(REGION, "north_west"),
    FILE_HUB: Audience(HUB, "nw_hub_1"),
}


def typed_words(value: object) -> str:
    """How a member would type a number or words."""
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


async def walk(survey: Survey, data: st.DataObject) -> None:
    """Open the survey from its file and wander through it as one member."""
    with tempfile.TemporaryDirectory() as folder:
        db = await open_database(Path(folder) / "forum.db")
        try:
            world = await build_world(Path(folder), db)
            (world.folder / "random.yaml").write_text(as_file(survey), encoding="utf-8")
            survey_id = await world.open_survey("random", audience=AUDIENCE[survey.audience])
            service = world.surveys
            path: list[str] = []
            answers: dict[str, object] = {}
            position = await service.agree(MEMBER, survey_id)
            for _ in range(60):
                expected = next_question(
                    survey, _counted(path, answers), path[-1] if path else None
                )
                if expected is None:
                    break
                _check(position, survey, expected, path, answers)
                action = data.draw(st.sampled_from(("answer", "answer", "answer", "back", "stale")))
                if action == "back":
                    position = await service.back(MEMBER, survey_id)
                    path = path[:-1]
                elif action == "stale":  # an old message's button: nothing changes
                    others = [q for q in survey.answerable if q.id != expected.id]
                    if others:
                        other = data.draw(st.sampled_from(others))
                        position = await service.press(MEMBER, survey_id, other.id, "x")
                else:
                    position = await _answer(
                        service, survey_id, position, expected, data, path, answers
                    )
            else:
                return  # a long wander: checked all the way, no need to finish
            assert position.state == FINISHED and position.withdraw_token
            (response,) = await world.repo.responses(survey_id)
            counted = _counted(path, answers)
            assert {k: _plain(v) for k, v in counted.items()} == response
            for question in survey.answerable:
                if question.id in response:
                    assert question.show_if is None or holds(question.show_if, counted)
                    assert question.optional or response[question.id] is not None
        finally:
            await db.close()


def _counted(path: list[str], answers: dict[str, object]) -> dict[str, object]:
    """The answers on the path, as the service counts them."""
    return {q: answers[q] for q in path}


def _plain(value: object) -> object:
    """An answer as JSON gives it back (ticks as a list)."""
    return list(value) if isinstance(value, tuple) else value


def _check(position: Position, survey: Survey, expected, path, answers) -> None:
    """The member is on the question the order says, and its rule holds."""
    assert position.state == QUESTION
    assert position.question.id == expected.id
    rule = position.question.show_if
    assert rule is None or holds(rule, _counted(path, answers))
    assert position.number == len(path) + 1 and position.can_go_back == bool(path)


async def _answer(service, survey_id, position, question, data, path, answers) -> Position:
    """Answer the question as a member would; a refused answer must change nothing. Ticks
    given before (back to a several-choices question) start ticked."""
    value = data.draw(answer_for(question))
    if value is SKIPPED:
        position = await service.skip(MEMBER, survey_id, question.id)
        stored = None
    elif question.kind in (CHOICE, SCALE):
        position = await service.press(MEMBER, survey_id, question.id, str(value))
        stored = value
    elif question.kind == CHOICES:
        for option in set(value) ^ set(position.pending):  # tick or untick each that differs
            await service.tick(MEMBER, survey_id, question.id, option)
        position = await service.done(MEMBER, survey_id, question.id)
        stored = tuple(value)
    else:
        text = typed_words(value) if question.kind == NUMBER else value
        try:
            stored = read_typed(question, text)
        except AnswerRefused:
            try:
                await service.typed(MEMBER, survey_id, question.id, text)
            except AnswerRefused:
                return await service.current(MEMBER, survey_id)
            raise AssertionError("a refused answer was taken") from None
        position = await service.typed(MEMBER, survey_id, question.id, text)
    path.append(question.id)
    answers[question.id] = stored
    return position


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(surveys(longest=8), st.data())
def test_any_wander_through_any_survey_keeps_exactly_the_answers_that_count(
    survey: Survey, data: st.DataObject
) -> None:
    asyncio.run(walk(survey, data))
