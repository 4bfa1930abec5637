"""Coordinators and the schedule, through the survey service on a real database: who may open,
list, close and cancel; the checks on a new survey; opening on time with invitations; one nudge
to those who have not finished; closing (also after downtime) with the results pack queued
once; who may read results; cancelling; the file listing; withdrawing answers."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.delivery import Audience
from bot.delivery.audience import EVERYONE, HUB, REGION
from bot.services.errors import InvalidChoice, NotAllowed
from bot.services.surveys import (
    CANCELLED,
    CLOSED,
    CONSENT,
    OPEN,
    SCHEDULED,
    WITHDRAWN,
    CloseTooFar,
    CloseTooSoon,
    ResultsNotReady,
    SurveyClosed,
    SurveyDraft,
    SurveyFileBroken,
    SurveyGone,
    WrongAudience,
)
from bot.services.surveys.messages import KIND_CANCELLED, KIND_INVITE, KIND_NUDGE, KIND_RESULTS
from storage.reach import ReachRepository
from tests.surveys.service_world import (  # noqa: F401 (the world fixture)
    CASEY,
    DANA,
    MIDLANDS,
    NW,
    PULSE,
    World,
    world_fixture,
)


async def finish(world: World, member: int, survey_id: int, idea: str | None = None) -> str:
    """Answer the pulse survey the short way ("never"); return the withdraw token."""
    service = world.surveys
    await service.agree(member, survey_id)
    await service.press(member, survey_id, "used", "never")
    await service.typed(member, survey_id, "days", "3")
    if idea is None:
        done = await service.skip(member, survey_id, "idea")
    else:
        done = await service.typed(member, survey_id, "idea", idea)
    assert done.withdraw_token is not None
    return done.withdraw_token


async def test_only_coordinators_open_list_close_and_cancel(world: World) -> None:
    survey_id = await world.open_survey()
    draft_audience = Audience(REGION, "north_west")
    for person in (NW[0], DANA):
        for attempt in (
            world.surveys.running(person),
            world.surveys.close_now(person, survey_id),
            world.surveys.cancel(person, survey_id),
            world.surveys.audience_size(person, draft_audience),
            world.surveys.decision_makers(person),
        ):
            with pytest.raises(NotAllowed):
                await attempt
        draft = SurveyDraft("pulse", draft_audience, None, world.clock.now() + timedelta(days=3))
        with pytest.raises(NotAllowed):
            await world.surveys.create(person, draft)
    assert (await world.surveys.get(survey_id)).state == OPEN
    refused = await world.db.fetch_value("SELECT COUNT(*) FROM audit_log WHERE action='refused'")
    assert refused == 12


async def test_a_new_survey_is_checked_before_anything_is_kept(world: World) -> None:
    now = world.clock.now()
    for changes, refusal in (
        ({"file_key": "broken"}, SurveyFileBroken),
        ({"file_key": "missing"}, SurveyFileBroken),
        ({"file_key": "../named"}, SurveyFileBroken),
        ({"audience": Audience(EVERYONE)}, WrongAudience),  # the file is for a region
        ({"audience": Audience(HUB, "nw_hub_1")}, WrongAudience),
        ({"audience": Audience(REGION, "atlantis")}, InvalidChoice),
        ({"closes_at": now + timedelta(minutes=30)}, CloseTooSoon),
        ({"closes_at": now + timedelta(days=200)}, CloseTooFar),
        ({"readers": (NW[0],)}, InvalidChoice),  # not a decision-maker
    ):
        with pytest.raises(refusal):
            await world.open_survey(**changes)
    assert await world.rows("surveys") == 0
    with pytest.raises(SurveyFileBroken) as broken:
        world.surveys.survey_file("broken")
    assert "broken.yaml" in broken.value.detail and "slider" in broken.value.detail


async def test_the_files_are_listed_with_titles_or_their_mistakes(world: World) -> None:
    entries = {entry.key: entry for entry in world.surveys.files()}
    assert set(entries) == {"broken", "named", "pulse"}
    assert entries["pulse"].title == "Getting help this month" and entries["pulse"].error is None
    assert entries["broken"].title is None
    assert "slider" in entries["broken"].error and "line" in entries["broken"].error
    (world.folder / "pulse.yaml").unlink()
    assert {entry.key for entry in world.surveys.files()} == {"broken", "named"}  # read now


async def test_it_opens_on_time_and_invites_those_who_get_consultations(world: World) -> None:
    opens = world.clock.now() + timedelta(days=1)
    survey_id = await world.open_survey(
        opens_at=opens, closes_at=opens + timedelta(days=3), readers=()
    )
    record = await world.surveys.get(survey_id)
    assert record.state == SCHEDULED and record.invited == 0
    assert [r.id for r in await world.surveys.running(CASEY)] == [survey_id]
    assert (await world.surveys.begin(NW[0], survey_id)).state == CLOSED  # not open yet
    assert await world.queued(KIND_INVITE) == []
    # The file changes meanwhile: the survey keeps the questions it was opened with.
    (world.folder / "pulse.yaml").write_text(PULSE.replace("this month", "this year"))

    world.clock.advance(timedelta(days=1))
    await world.surveys.sweep()
    record = await world.surveys.get(survey_id)
    assert record.state == OPEN and record.invited == 5
    assert record.title == "Getting help this month"
    (invitation,) = await world.queued(KIND_INVITE)
    assert invitation["to"] == NW  # not the one who turned consultations off, nor Midlands
    markup = await world.db.fetch_value(
        "SELECT reply_markup FROM broadcasts WHERE kind = ?", (KIND_INVITE,)
    )
    assert f"svs:{survey_id}" in markup
    await world.surveys.sweep()
    assert len(await world.queued(KIND_INVITE)) == 1  # once
    assert (await world.surveys.begin(NW[0], survey_id)).state == CONSENT


async def test_one_nudge_goes_to_those_who_have_not_finished(world: World) -> None:
    survey_id = await world.open_survey()  # closes in 3 days: the nudge is due a day before
    await finish(world, NW[0], survey_id)
    await world.surveys.agree(NW[1], survey_id)  # started, not finished
    world.clock.advance(timedelta(days=1, hours=23))
    await world.surveys.sweep()
    assert await world.queued(KIND_NUDGE) == []
    world.clock.advance(timedelta(hours=1))
    await world.surveys.sweep()
    await world.surveys.sweep()
    (nudge,) = await world.queued(KIND_NUDGE)
    assert nudge["to"] == NW[1:]
    assert (await world.surveys.get(survey_id)).nudge_state == "sent"


async def test_closing_keeps_only_finished_answers_and_queues_the_results_once(
    world: World,
) -> None:
    survey_id = await world.open_survey()
    for member in NW:
        await finish(world, member, survey_id, idea=f"More evening support {member % 10}")
    await world.surveys.agree(MIDLANDS, survey_id)  # not asked: nothing kept
    world.clock.advance(timedelta(days=3))
    await world.surveys.sweep()
    await world.surveys.sweep()
    record = await world.surveys.get(survey_id)
    assert record.state == CLOSED and record.results_sent
    assert (record.invited, record.finished) == (5, 5)
    assert await world.rows("survey_invites") == 0  # anonymous: nothing says who finished
    packs = await world.queued(KIND_RESULTS)
    assert packs
    to_casey = [part for part in packs if part["to"] == [CASEY]]
    to_dana = [part for part in packs if part["to"] == [DANA]]
    assert to_casey and to_dana and len(to_casey) + len(to_dana) == len(packs)
    assert "More evening support" in " ".join(part["text"] for part in to_casey)
    assert "More evening support" not in " ".join(part["text"] for part in to_dana)
    closed = await world.db.fetch_one(
        "SELECT actor_id, detail FROM audit_log WHERE action = 'survey.closed'"
    )
    assert (closed["actor_id"], closed["detail"]) == (None, f"survey {survey_id}: deadline")


async def test_a_survey_the_bot_slept_through_closes_without_asking_anyone(world: World) -> None:
    opens = world.clock.now() + timedelta(hours=1)
    survey_id = await world.open_survey(opens_at=opens, closes_at=opens + timedelta(hours=2))
    world.clock.advance(timedelta(days=1))
    await world.surveys.sweep()
    assert (await world.surveys.get(survey_id)).state == CLOSED
    assert await world.queued(KIND_INVITE) == []


async def test_results_are_for_coordinators_and_chosen_decision_makers_once_closed(
    world: World,
) -> None:
    survey_id = await world.open_survey()
    with pytest.raises(ResultsNotReady):
        await world.surveys.results_pack(CASEY, survey_id)
    for member in NW:
        await finish(world, member, survey_id, idea="Someone to talk to")
    await world.surveys.close_now(CASEY, survey_id)
    assert [r.id for r in await world.surveys.readable(CASEY)] == [survey_id]
    assert [r.id for r in await world.surveys.readable(DANA)] == [survey_id]
    with pytest.raises(NotAllowed):
        await world.surveys.readable(NW[0])
    with pytest.raises(NotAllowed):
        await world.surveys.results_pack(NW[0], survey_id)
    casey = " ".join(part.text_html for part in await world.surveys.results_pack(CASEY, survey_id))
    dana = " ".join(part.text_html for part in await world.surveys.results_pack(DANA, survey_id))
    assert "Someone to talk to" in casey and "Someone to talk to" not in dana
    other = await world.open_survey("named", readers=())
    await world.surveys.close_now(CASEY, other)
    with pytest.raises(NotAllowed):
        await world.surveys.results_pack(DANA, other)  # not chosen for this one
    assert [r.id for r in await world.surveys.readable(DANA)] == [survey_id]
    with pytest.raises(SurveyClosed):
        await world.surveys.close_now(CASEY, other)


async def test_cancelling_tells_everyone_asked_and_keeps_no_answers(world: World) -> None:
    survey_id = await world.open_survey()
    await finish(world, NW[0], survey_id)
    await world.surveys.agree(NW[1], survey_id)
    cancelled = await world.surveys.cancel(CASEY, survey_id)
    assert cancelled.state == CANCELLED and cancelled.finished == 0
    (notice,) = await world.queued(KIND_CANCELLED)
    assert notice["to"] == NW
    for table in ("survey_responses", "survey_answers", "survey_progress", "survey_invites"):
        assert await world.rows(table) == 0, table
    assert (await world.surveys.begin(NW[1], survey_id)).state == CLOSED
    with pytest.raises(SurveyGone):
        await world.surveys.cancel(CASEY, survey_id)
    assert await world.surveys.running(CASEY) == []
    world.clock.advance(timedelta(days=4))
    await world.surveys.sweep()
    assert await world.queued(KIND_RESULTS) == []


async def test_answers_can_be_withdrawn_until_closing(world: World) -> None:
    survey_id = await world.open_survey()
    token = await finish(world, NW[0], survey_id)
    kept = await finish(world, NW[1], survey_id)
    assert await world.surveys.withdraw(NW[0], "not a token") is False
    assert await world.surveys.withdraw(NW[0], token) is True
    assert await world.surveys.withdraw(NW[0], token) is False  # already gone
    assert len(await world.repo.responses(survey_id)) == 1
    assert (await world.surveys.begin(NW[0], survey_id)).state == WITHDRAWN
    assert survey_id not in [s.id for s in await world.surveys.for_member(NW[0])]
    await world.surveys.close_now(CASEY, survey_id)
    assert await world.surveys.withdraw(NW[1], kept) is False  # closed: the answers stay
    assert (await world.surveys.get(survey_id)).finished == 1


async def test_a_named_survey_offers_withdrawing_only_to_its_own_member(world: World) -> None:
    survey_id = await world.open_survey("named")
    token = await finish(world, NW[0], survey_id)
    assert await world.surveys.withdraw_token(NW[0], survey_id) == token
    assert await world.surveys.withdraw_token(NW[1], survey_id) is None
    assert await world.surveys.withdraw(NW[1], token) is False  # not theirs
    assert await world.surveys.withdraw(NW[0], token) is True
    assert await world.surveys.withdraw_token(NW[0], survey_id) is None
    pulse = await world.open_survey()
    pulse_token = await finish(world, NW[0], pulse)
    assert pulse_token and await world.surveys.withdraw_token(NW[0], pulse) is None  # anonymous


async def test_what_a_member_finds_in_their_data(world: World) -> None:
    named = await world.open_survey("named")
    pulse = await world.open_survey()
    await finish(world, NW[0], named, idea="Named words")
    await finish(world, NW[0], pulse, idea="Anonymous words")
    other = await world.open_survey()
    await world.surveys.agree(NW[0], other)
    await world.surveys.press(NW[0], other, "used", "never")
    data = await world.surveys.member_data(NW[0])
    assert [entry["survey"] for entry in data] == ["Getting help this month"] * 3
    named_entry = next(entry for entry in data if entry["answers"])
    assert named_entry["answers"] == {"used": "never", "days": 3, "idea": "Named words"}
    assert "Anonymous words" not in json.dumps(data)  # linked to nobody
    in_progress = next(entry for entry in data if entry["answers_in_progress"])
    assert in_progress["answers_in_progress"] == {"used": "never"}


async def test_a_planned_survey_called_off_tells_nobody_and_never_opens(world: World) -> None:
    opens = world.clock.now() + timedelta(days=1)
    survey_id = await world.open_survey(opens_at=opens, closes_at=opens + timedelta(days=2))
    assert (await world.surveys.cancel(CASEY, survey_id)).state == CANCELLED
    assert await world.queued(KIND_CANCELLED) == []
    world.clock.advance(timedelta(days=2))
    await world.surveys.sweep()
    assert (await world.surveys.get(survey_id)).state == CANCELLED
    assert await world.queued(KIND_INVITE) == []
    cancelled = await world.db.fetch_one(
        "SELECT actor_id, detail FROM audit_log WHERE action = 'survey.cancelled'"
    )
    assert (cancelled["actor_id"], cancelled["detail"]) == (CASEY, f"survey {survey_id}, 0 told")


async def test_coordinators_see_who_a_survey_would_reach_and_who_may_read_results(
    world: World,
) -> None:
    assert await world.surveys.audience_size(CASEY, Audience(REGION, "north_west")) == 5
    assert await world.surveys.audience_size(CASEY, Audience(EVERYONE)) == 6  # and Midlands
    with pytest.raises(InvalidChoice):
        await world.surveys.audience_size(CASEY, Audience(REGION, "atlantis"))
    readers = await world.surveys.decision_makers(CASEY)
    assert [(reader.telegram_id, reader.first_name) for reader in readers] == [(DANA, None)]
    # Dana is no member: once she opens the bot, coordinators see her name, not a number.
    await ReachRepository(world.db).name_role_holder(DANA, "Dana")
    readers = await world.surveys.decision_makers(CASEY)
    assert [(reader.telegram_id, reader.first_name) for reader in readers] == [(DANA, "Dana")]
