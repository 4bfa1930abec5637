"""Members answering a survey through the service on a real database: consent, one question at
a time with its number and section, skip logic, back (answers shown again, old ones no longer
counted), ticks, typed answers, refusals that change nothing, stale buttons, carrying on after a
restart, and who may answer at all."""

from __future__ import annotations

import json

import pytest

from bot.services.errors import InvalidChoice
from bot.services.surveys import (
    CLOSED,
    CONSENT,
    FINISHED,
    NOT_INVITED,
    QUESTION,
    SurveyGone,
)
from bot.services.surveys.flow import AnswerRefused
from tests.surveys.service_world import (  # noqa: F401 (the world fixture)
    CASEY,
    MIDLANDS,
    NO_SURVEYS,
    NW,
    World,
    world_fixture,
)

MEMBER = NW[0]


async def responses(world: World, survey_id: int) -> list[dict]:
    """The finished responses as kept: question id -> answer."""
    return await world.repo.responses(survey_id)


async def test_consent_comes_first_then_questions_one_at_a_time_with_sections(
    world: World,
) -> None:
    survey_id = await world.open_survey()
    service = world.surveys
    start = await service.begin(MEMBER, survey_id)
    assert start.state == CONSENT
    assert start.title == "Getting help this month" and start.anonymous
    assert await world.rows("survey_progress") == 0  # reading the consent keeps nothing

    first = await service.agree(MEMBER, survey_id)
    assert first.state == QUESTION
    assert first.question.id == "used"
    assert first.section is not None and first.section.text == "Getting help"
    assert (first.number, first.about_total) == (1, 5)
    assert not first.can_go_back and first.previous is None

    again = await service.agree(MEMBER, survey_id)  # a second tap on "I agree"
    assert again.question.id == "used"

    after_yes = await service.press(MEMBER, survey_id, "used", "once")
    assert after_yes.question.id == "which"
    assert after_yes.section is None  # same part as before: no heading again
    assert (after_yes.number, after_yes.about_total) == (2, 5)
    assert after_yes.can_go_back


async def test_skip_logic_hides_what_does_not_apply_and_the_answers_are_kept(
    world: World,
) -> None:
    survey_id = await world.open_survey()
    service = world.surveys
    await service.agree(MEMBER, survey_id)
    days = await service.press(MEMBER, survey_id, "used", "never")
    assert days.question.id == "days"  # which and ease are only for those who used one
    assert days.section.text == "Your ideas"
    assert (days.number, days.about_total) == (2, 3)

    idea = await service.typed(MEMBER, survey_id, "days", " 12 ")
    assert idea.question.id == "idea" and idea.number == 3
    done = await service.skip(MEMBER, survey_id, "idea")
    assert done.state == FINISHED
    assert done.withdraw_token is not None and len(done.withdraw_token) >= 16
    assert await responses(world, survey_id) == [{"used": "never", "days": 12, "idea": None}]
    assert await world.rows("survey_progress") == 0
    assert (await service.begin(MEMBER, survey_id)).state == FINISHED
    assert (await service.begin(MEMBER, survey_id)).withdraw_token is None


async def test_every_kind_is_kept_as_its_value(world: World) -> None:
    survey_id = await world.open_survey()
    service = world.surveys
    await service.agree(MEMBER, survey_id)
    await service.press(MEMBER, survey_id, "used", "often")
    ticked = await service.tick(MEMBER, survey_id, "which", "team")
    ticked = await service.tick(MEMBER, survey_id, "which", "ae")
    assert ticked.pending == ("ae", "team")  # in the file's order
    ticked = await service.tick(MEMBER, survey_id, "which", "team")  # untick
    assert ticked.pending == ("ae",)
    await service.tick(MEMBER, survey_id, "which", "phone")
    ease = await service.done(MEMBER, survey_id, "which")
    assert ease.question.id == "ease" and ease.pending == ()
    days = await service.press(MEMBER, survey_id, "ease", "S2")  # as the button carries it
    assert days.question.id == "days"
    await service.typed(MEMBER, survey_id, "days", "7")
    done = await service.typed(MEMBER, survey_id, "idea", "  Someone who <listens>  ")
    assert done.state == FINISHED
    assert await responses(world, survey_id) == [
        {
            "used": "often",
            "which": ["ae", "phone"],
            "ease": 2,
            "days": 7,
            "idea": "Someone who <listens>",
        }
    ]


async def test_back_shows_the_answer_given_and_a_changed_answer_drops_what_no_longer_applies(
    world: World,
) -> None:
    survey_id = await world.open_survey()
    service = world.surveys
    await service.agree(MEMBER, survey_id)
    await service.press(MEMBER, survey_id, "used", "often")
    await service.tick(MEMBER, survey_id, "which", "ae")
    await service.tick(MEMBER, survey_id, "which", "phone")
    await service.done(MEMBER, survey_id, "which")
    await service.press(MEMBER, survey_id, "ease", "4")

    back = await service.back(MEMBER, survey_id)
    assert back.question.id == "ease" and back.previous == 4
    back = await service.back(MEMBER, survey_id)
    assert back.question.id == "which"
    assert back.previous == ("ae", "phone") and back.pending == ("ae", "phone")
    back = await service.back(MEMBER, survey_id)
    assert back.question.id == "used" and back.previous == "often"
    assert not back.can_go_back
    assert (await service.back(MEMBER, survey_id)).question.id == "used"  # nothing before

    days = await service.press(MEMBER, survey_id, "used", "never")
    assert days.question.id == "days"
    await service.skip(MEMBER, survey_id, "days")
    await service.skip(MEMBER, survey_id, "idea")
    assert await responses(world, survey_id) == [{"used": "never", "days": None, "idea": None}]


async def test_refused_answers_change_nothing_and_say_why(world: World) -> None:
    survey_id = await world.open_survey()
    service = world.surveys
    await service.agree(MEMBER, survey_id)
    with pytest.raises(AnswerRefused) as refused:
        await service.skip(MEMBER, survey_id, "used")
    assert refused.value.key == "surveys.answer_required"
    with pytest.raises(AnswerRefused):
        await service.press(MEMBER, survey_id, "used", "sometimes")  # not an option
    await service.press(MEMBER, survey_id, "used", "once")
    with pytest.raises(AnswerRefused) as refused:
        await service.done(MEMBER, survey_id, "which")
    assert refused.value.key == "surveys.answer_choose_one"
    with pytest.raises(InvalidChoice):
        await service.tick(MEMBER, survey_id, "which", "bus")
    await service.tick(MEMBER, survey_id, "which", "ae")
    await service.done(MEMBER, survey_id, "which")
    with pytest.raises(AnswerRefused):
        await service.press(MEMBER, survey_id, "ease", "9")
    await service.press(MEMBER, survey_id, "ease", "3")
    before = await world.db.fetch_one("SELECT path, answers, pending FROM survey_progress")
    for text, key in (
        ("a week", "surveys.answer_not_number"),
        ("400", "surveys.answer_between"),
        ("2.5", "surveys.answer_whole_number"),
    ):
        with pytest.raises(AnswerRefused) as refused:
            await service.typed(MEMBER, survey_id, "days", text)
        assert refused.value.key == key
    after = await world.db.fetch_one("SELECT path, answers, pending FROM survey_progress")
    assert tuple(before) == tuple(after)
    assert (await service.current(MEMBER, survey_id)).question.id == "days"


async def test_a_stale_button_or_text_changes_nothing_and_gives_the_current_question(
    world: World,
) -> None:
    survey_id = await world.open_survey()
    service = world.surveys
    assert (await service.press(MEMBER, survey_id, "used", "once")).state == CONSENT
    await service.agree(MEMBER, survey_id)
    await service.press(MEMBER, survey_id, "used", "never")
    for stale in (
        service.press(MEMBER, survey_id, "used", "often"),  # an old message's button
        service.tick(MEMBER, survey_id, "which", "ae"),
        service.done(MEMBER, survey_id, "which"),
        service.skip(MEMBER, survey_id, "idea"),
        service.typed(MEMBER, survey_id, "idea", "words for a later question"),
        service.press(MEMBER, survey_id, "days", "3"),  # a typed question has no buttons
    ):
        position = await stale
        assert position.state == QUESTION and position.question.id == "days"
    progress = await world.db.fetch_one("SELECT path, answers FROM survey_progress")
    assert json.loads(progress["path"]) == ["used"]
    assert json.loads(progress["answers"]) == {"used": "never"}


async def test_carry_on_after_a_restart_returns_to_the_same_question_with_its_ticks(
    world: World,
) -> None:
    survey_id = await world.open_survey()
    await world.surveys.agree(MEMBER, survey_id)
    await world.surveys.press(MEMBER, survey_id, "used", "often")
    await world.surveys.tick(MEMBER, survey_id, "which", "team")

    restarted = world.rebuilt()
    position = await restarted.current(MEMBER, survey_id)
    assert position.question.id == "which" and position.pending == ("team",)
    assert position.number == 2 and position.can_go_back
    assert await restarted.answering(MEMBER) is None  # a button question: no typed step

    await restarted.done(MEMBER, survey_id, "which")
    await restarted.press(MEMBER, survey_id, "ease", "5")
    again = world.rebuilt()
    typing = await again.answering(MEMBER)
    assert typing is not None
    assert (typing.survey_id, typing.question.id) == (survey_id, "days")
    assert (await again.typed(MEMBER, survey_id, "days", "0")).question.id == "idea"


async def test_only_members_asked_may_answer(world: World) -> None:
    survey_id = await world.open_survey()
    for outsider in (MIDLANDS, NO_SURVEYS, CASEY):
        assert (await world.surveys.begin(outsider, survey_id)).state == NOT_INVITED
        assert (await world.surveys.agree(outsider, survey_id)).state == NOT_INVITED
        position = await world.surveys.press(outsider, survey_id, "used", "never")
        assert position.state == NOT_INVITED
    assert await world.rows("survey_progress") == 0
    with pytest.raises(SurveyGone):
        await world.surveys.begin(MEMBER, survey_id + 99)


async def test_nothing_changes_once_closed_and_unfinished_answers_are_dropped(
    world: World,
) -> None:
    survey_id = await world.open_survey()
    service = world.surveys
    await service.agree(MEMBER, survey_id)
    await service.press(MEMBER, survey_id, "used", "never")
    await service.agree(NW[1], survey_id)
    await service.close_now(CASEY, survey_id)
    assert await world.rows("survey_progress") == 0
    for step in (
        service.current(MEMBER, survey_id),
        service.typed(MEMBER, survey_id, "days", "3"),
        service.agree(NW[2], survey_id),
    ):
        assert (await step).state == CLOSED
    assert await responses(world, survey_id) == []
    assert await service.answering(MEMBER) is None


async def test_a_member_sees_the_open_surveys_not_yet_finished(world: World) -> None:
    first = await world.open_survey()
    second = await world.open_survey("named")
    listed = await world.surveys.for_member(MEMBER)
    assert [s.id for s in listed] == [first, second]
    assert listed[0].title == "Getting help this month"
    assert listed[0].invited == 5 and listed[1].invited == 6
    await world.surveys.agree(MEMBER, first)
    await world.surveys.press(MEMBER, first, "used", "never")
    await world.surveys.skip(MEMBER, first, "days")
    await world.surveys.skip(MEMBER, first, "idea")
    assert [s.id for s in await world.surveys.for_member(MEMBER)] == [second]
    assert [s.id for s in await world.surveys.for_member(MIDLANDS)] == [second]
