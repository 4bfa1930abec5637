"""Late joiners are asked open surveys too, as consultations already are: on a real database with
every service wired by the composition root (the delivery engine queues but never sends). A
member who finishes setup, moves region or hub, turns consultations back on or ends a pause
while a survey for their places is open gets its invitation once (the setup screens and
/settings run the catch-up, as for consultations), and can answer; nobody the
opening would not have asked is asked, and a meeting's feedback survey (for those who came)
never goes to a late joiner."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import build_services
from bot.clock import Clock
from bot.delivery import Audience
from bot.delivery.audience import EVERYONE, HUB, REGION
from bot.services.catch_up import SURVEY_MARGIN, CaughtUp
from bot.services.registry import Services
from bot.services.surveys import SurveyDraft, SurveyRecord
from bot.services.surveys.messages import KIND_INVITE as SURVEY_INVITE
from bot.services.surveys.records import CONSENT, FINISHED, QUESTION
from storage.erasure import erase_person
from tests.catch_up.test_catch_up_service import CASEY, LATE, NW, join, meeting, queued
from tests.conftest import make_settings
from tests.surveys.e2e_world import write_surveys

FORUM_FILE, REGION_FILE = "getting_help", "hub_rooms"


@pytest.fixture
async def services(tmp_path: Path, clock: Clock) -> AsyncIterator[Services]:
    """Every service as the bot builds them, the test survey files, two North West members."""
    folder = write_surveys(tmp_path / "surveys")
    settings = make_settings(tmp_path, coordinator_ids=[CASEY], surveys_dir=folder)
    built = await build_services(settings, clock)
    try:
        for member_id in NW:
            await join(built, member_id, "north_west")
        yield built
    finally:
        await built.db.close()


async def open_survey(
    services: Services,
    clock: Clock,
    file_key: str = FORUM_FILE,
    audience: Audience | None = None,
    **changes: object,
) -> SurveyRecord:
    """Casey opens a survey now (for everyone unless told), closing in three days."""
    values: dict[str, object] = {
        "file_key": file_key,
        "audience": audience or Audience(EVERYONE),
        "opens_at": None,
        "closes_at": clock.now() + timedelta(days=3),
    }
    values.update(changes)
    return await services.surveys.create(CASEY, SurveyDraft(**values))  # type: ignore[arg-type]


async def asked(services: Services, survey_id: int, member_id: int) -> bool:
    """Whether the member has an invitation row to the survey."""
    return bool(
        await services.db.fetch_value(
            "SELECT COUNT(*) FROM survey_invites WHERE survey_id = ? AND member_id = ?",
            (survey_id, member_id),
        )
    )


async def invitation_buttons(services: Services, member_id: int) -> list[str]:
    """The button data of every survey invitation queued for a member, oldest first."""
    rows = await services.db.fetch_all(
        "SELECT b.reply_markup FROM broadcasts b JOIN deliveries d ON d.broadcast_id = b.id "
        "WHERE b.kind = ? AND d.recipient_id = ? ORDER BY b.id",
        (SURVEY_INVITE, member_id),
    )
    return [
        button["callback_data"]
        for row in rows
        for line in json.loads(row["reply_markup"])["inline_keyboard"]
        for button in line
    ]


async def test_a_late_joiner_is_asked_an_open_survey_once_and_can_answer_it(
    services: Services, clock: Clock
) -> None:
    survey = await open_survey(services, clock)
    assert await queued(services, SURVEY_INVITE) == [NW]
    clock.advance(timedelta(hours=5))

    await join(services, LATE, "midlands")
    caught = await services.catch_up.member(LATE)  # as the setup screens do when done

    assert caught == CaughtUp(surveys=(survey.id,))
    assert await queued(services, SURVEY_INVITE) == [NW, [LATE]]
    assert await invitation_buttons(services, LATE) == [f"svs:{survey.id}"]
    assert await services.catch_up.member(LATE) == CaughtUp()  # again: nothing more

    assert (await services.surveys.begin(LATE, survey.id)).state == CONSENT
    first = await services.surveys.agree(LATE, survey.id)
    assert first.state == QUESTION and first.question.id == "used"
    assert [s.id for s in await services.surveys.for_member(LATE)] == [survey.id]
    assert (await services.surveys.get(survey.id)).invited == len(NW) + 1


async def test_the_late_invitation_reads_as_the_one_sent_at_opening(
    services: Services, clock: Clock
) -> None:
    await open_survey(services, clock)
    await join(services, LATE, "north_west", "nw_hub_1")
    await services.catch_up.member(LATE)
    texts = [
        row["text_html"]
        for row in await services.db.fetch_all(
            "SELECT text_html FROM broadcasts WHERE kind = ? ORDER BY id", (SURVEY_INVITE,)
        )
    ]
    assert len(texts) == 2 and texts[0] == texts[1]
    assert "Getting help" in texts[1]


@pytest.mark.parametrize("why", ["consultations off", "paused", "other region", "hub elsewhere"])
async def test_no_late_survey_for_those_the_opening_would_not_have_asked(
    services: Services, clock: Clock, why: str
) -> None:
    audiences = {
        "other region": Audience(REGION, "midlands"),
        "hub elsewhere": Audience(HUB, "nw_hub_2"),
    }
    file_key = REGION_FILE if why == "other region" else FORUM_FILE
    if why == "hub elsewhere":
        (services.settings.surveys_dir / "hub_only.yaml").write_text(
            (services.settings.surveys_dir / f"{REGION_FILE}.yaml")
            .read_text(encoding="utf-8")
            .replace("audience: region", "audience: hub"),
            encoding="utf-8",
        )
        file_key = "hub_only"
    survey = await open_survey(services, clock, file_key, audiences.get(why))
    await join(
        services,
        LATE,
        "north_west",
        "nw_hub_1",
        turn_off="consultations" if why == "consultations off" else None,
    )
    if why == "paused":
        await services.members.pause(LATE, 2)

    assert await services.catch_up.member(LATE) == CaughtUp()
    assert not await asked(services, survey.id, LATE)
    assert await invitation_buttons(services, LATE) == []


async def test_no_late_survey_once_closed_cancelled_not_yet_open_or_about_to_close(
    services: Services, clock: Clock
) -> None:
    closed = await open_survey(services, clock)
    await services.surveys.close_now(CASEY, closed.id)
    cancelled = await open_survey(services, clock)
    await services.surveys.cancel(CASEY, cancelled.id)
    closing = await open_survey(
        services, clock, closes_at=clock.now() + SURVEY_MARGIN + timedelta(minutes=10)
    )
    clock.advance(timedelta(minutes=15))  # now it closes in under the margin
    later = await open_survey(
        services,
        clock,
        opens_at=clock.now() + timedelta(hours=1),
        closes_at=clock.now() + timedelta(days=2),
    )

    await join(services, LATE, "north_west")

    assert await services.catch_up.member(LATE) == CaughtUp()
    for survey in (closed, cancelled, closing, later):
        assert not await asked(services, survey.id, LATE)
    clock.advance(timedelta(hours=1))
    await services.surveys.sweep()  # opened on time: asked then, as everyone is
    assert await asked(services, later.id, LATE)
    assert await services.catch_up.member(LATE) == CaughtUp()


async def test_moving_region_asks_the_new_regions_survey_and_nothing_twice(
    services: Services, clock: Clock
) -> None:
    north_west = await open_survey(services, clock, REGION_FILE, Audience(REGION, "north_west"))
    south_east = await open_survey(services, clock, REGION_FILE, Audience(REGION, "south_east"))
    forum = await open_survey(services, clock)
    mover = NW[0]
    await services.surveys.agree(mover, forum.id)
    for value in ("no", "S3"):
        position = await services.surveys.current(mover, forum.id)
        answer = 3 if value == "S3" else value
        await services.surveys.press(mover, forum.id, position.question.id, answer)
    await services.surveys.typed(mover, forum.id, "days", "2")
    assert (await services.surveys.skip(mover, forum.id, "change")).state == FINISHED

    await services.members.choose_region(mover, "south_east")
    caught = await services.catch_up.member(mover)  # as /settings does after a move

    assert caught == CaughtUp(surveys=(south_east.id,))
    assert await asked(services, south_east.id, mover)
    assert await asked(services, north_west.id, mover)  # asked before: still theirs to answer
    assert await services.catch_up.member(mover) == CaughtUp()  # finished ones are not asked
    assert await invitation_buttons(services, mover) == [
        f"svs:{north_west.id}",
        f"svs:{forum.id}",
        f"svs:{south_east.id}",
    ]


async def test_ending_a_pause_or_turning_consultations_on_asks_the_open_survey(
    services: Services, clock: Clock
) -> None:
    paused, off = NW
    await services.members.pause(paused, 2)
    await services.members.toggle_preference(off, "consultations")
    survey = await open_survey(services, clock)
    assert await queued(services, SURVEY_INVITE) == []  # nobody to ask at opening

    await services.members.resume(paused)
    await services.members.toggle_preference(off, "consultations")

    assert await queued(services, SURVEY_INVITE) == [[paused], [off]]
    assert await asked(services, survey.id, paused) and await asked(services, survey.id, off)


async def test_a_meetings_feedback_survey_is_never_sent_to_a_late_joiner(
    services: Services, clock: Clock
) -> None:
    feedback = await open_survey(services, clock)
    created = await services.meetings.create(CASEY, meeting(Audience(EVERYONE)))
    await services.db.execute(
        "INSERT INTO meeting_feedback (meeting_id, file_key, state, survey_id, updated_at) "
        "VALUES (?, ?, 'opened', ?, ?)",
        (created.meeting.id, FORUM_FILE, feedback.id, "2026-12-10T14:30:00+00:00"),
    )

    await join(services, LATE, "north_west")

    caught = await services.catch_up.member(LATE)
    assert caught == CaughtUp(meetings=(created.meeting.id,))  # the meeting, not its feedback
    assert not await asked(services, feedback.id, LATE)
    assert await invitation_buttons(services, LATE) == []


async def test_leaving_erases_a_late_survey_invitation_like_any_other(
    services: Services, clock: Clock
) -> None:
    survey = await open_survey(services, clock)
    await join(services, LATE, "midlands")
    await services.catch_up.member(LATE)
    await services.surveys.agree(LATE, survey.id)
    await services.surveys.press(LATE, survey.id, "used", "no")

    await erase_person(services.db, LATE)

    assert not await asked(services, survey.id, LATE)
    assert not await services.db.fetch_value(
        "SELECT COUNT(*) FROM survey_progress WHERE member_id = ?", (LATE,)
    )
