"""Late joiners are asked too, on a real database with every service wired by the composition
root (the delivery engine queues but never sends): open consultations and upcoming meetings
reach a member who finishes setup or moves region or hub, once, by the usual rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import build_services
from bot.clock import Clock
from bot.delivery import Audience
from bot.delivery.audience import EVERYONE, HUB, REGION
from bot.services.catch_up import CONSULTATION_MARGIN, CaughtUp
from bot.services.consultations.messages import KIND_INVITE as CONSULTATION_INVITE
from bot.services.consultations.rules import ConsultationDraft
from bot.services.meetings import MeetingDraft
from bot.services.meetings.messages import KIND_INVITE as MEETING_INVITE
from bot.services.meetings.messages import KIND_NUDGE, KIND_REMINDER
from bot.services.registry import Services
from storage.erasure import erase_person
from storage.meetings import GOING
from tests.conftest import make_settings

CASEY = 900_000_001  # coordinator
NW = [600_000_001, 600_000_002]
LATE = 600_000_050  # joins after things were sent


@pytest.fixture
async def services(tmp_path: Path, clock: Clock) -> AsyncIterator[Services]:
    """Every service as the bot builds them (the clock at Thursday 10 December 2026, 14:30),
    with two North West members already in."""
    built = await build_services(make_settings(tmp_path, coordinator_ids=[CASEY]), clock)
    try:
        for member_id in NW:
            await join(built, member_id, "north_west")
        yield built
    finally:
        await built.db.close()


async def join(
    services: Services,
    member_id: int,
    region: str | None,
    hub: str | None = None,
    *,
    turn_off: str | None = None,
    finish: bool = True,
) -> None:
    """Join as the setup screens do: consent, region, hub, choices, done."""
    await services.members.join(member_id, "Member")
    await services.members.choose_region(member_id, region)
    if hub is not None:
        await services.members.choose_hub(member_id, hub)
    if turn_off is not None:
        await services.members.toggle_preference(member_id, turn_off)
    if finish:
        await services.members.finish_setup(member_id)


def consultation_draft(
    clock: Clock, audience: Audience | None = None, **changes: object
) -> ConsultationDraft:
    """A yes / no question for everyone, closing in two days."""
    values: dict[str, object] = {
        "question": "Should hub meetings move to evenings?",
        "options": ("Yes", "No"),
        "multiple": False,
        "ask_comment": False,
        "audience": audience or Audience(EVERYONE),
        "closes_at": clock.now() + timedelta(days=2),
        "member_note": "The national board reads the results.",
    }
    values.update(changes)
    return ConsultationDraft(**values)  # type: ignore[arg-type]


def meeting(audience: Audience | None = None, **changes: object) -> MeetingDraft:
    """A North West meeting on Tuesday 15 December at 14:00 (reminders 24 and 2 hours before)."""
    values: dict[str, object] = {
        "title": "Hub meeting",
        "starts_at": datetime(2026, 12, 15, 14, 0, tzinfo=UTC),
        "duration_minutes": 120,
        "audience": audience or Audience(REGION, "north_west"),
        "place": "Central Library, Room 2",
    }
    values.update(changes)
    return MeetingDraft(**values)  # type: ignore[arg-type]


async def queued(services: Services, kind: str) -> list[list[int]]:
    """The recipients of each broadcast of a kind, oldest first."""
    found = []
    for row in await services.db.fetch_all(
        "SELECT id FROM broadcasts WHERE kind = ? ORDER BY id", (kind,)
    ):
        people = await services.db.fetch_all(
            "SELECT DISTINCT recipient_id FROM deliveries WHERE broadcast_id = ? "
            "ORDER BY recipient_id",
            (row["id"],),
        )
        found.append([p["recipient_id"] for p in people])
    return found


async def invite_place(services: Services, consultation_id: int, member_id: int):
    """The region and hub kept with a member's invitation, or None if not invited."""
    row = await services.db.fetch_one(
        "SELECT region_id, hub_id FROM consultation_invites "
        "WHERE consultation_id = ? AND member_id = ?",
        (consultation_id, member_id),
    )
    return None if row is None else (row["region_id"], row["hub_id"])


async def test_a_late_joiner_is_asked_once_and_their_answer_counts(
    services: Services, clock: Clock
) -> None:
    opened = await services.consultations.create(CASEY, consultation_draft(clock))
    assert await queued(services, CONSULTATION_INVITE) == [NW]
    clock.advance(timedelta(hours=3))

    await join(services, LATE, "north_west", "nw_hub_1")
    caught = await services.catch_up.member(LATE)

    assert caught == CaughtUp(consultations=(opened.id,))
    assert await queued(services, CONSULTATION_INVITE) == [NW, [LATE]]
    assert await invite_place(services, opened.id, LATE) == ("north_west", "nw_hub_1")
    vote = await services.consultations.vote(LATE, opened.id, 1)
    assert vote.answer.answered and vote.first_answer
    assert await services.consultations.open_for(LATE) == [
        await services.consultations.for_member(LATE, opened.id)
    ]

    assert await services.catch_up.member(LATE) == CaughtUp()  # twice sends nothing more
    assert await queued(services, CONSULTATION_INVITE) == [NW, [LATE]]

    await services.consultations.close_now(CASEY, opened.id)
    kept = await services.db.fetch_all(
        "SELECT region_id, hub_id, invited, answered FROM consultation_result_places "
        "WHERE consultation_id = ? ORDER BY hub_id",
        (opened.id,),
    )
    assert [tuple(row) for row in kept] == [
        ("north_west", "", 2, 0),
        ("north_west", "nw_hub_1", 1, 1),
    ]


async def test_leaving_erases_a_late_invitation_like_any_other(
    services: Services, clock: Clock
) -> None:
    opened = await services.consultations.create(CASEY, consultation_draft(clock))
    await join(services, LATE, "midlands")
    await services.catch_up.member(LATE)
    await services.consultations.vote(LATE, opened.id, 0)

    await erase_person(services.db, LATE)

    assert await invite_place(services, opened.id, LATE) is None
    assert (
        await services.db.fetch_value(
            "SELECT COUNT(*) FROM consultation_choices WHERE member_id = ?", (LATE,)
        )
        == 0
    )


@pytest.mark.parametrize("why", ["consultations off", "paused", "other region", "hub elsewhere"])
async def test_no_late_question_for_those_the_opening_would_not_have_asked(
    services: Services, clock: Clock, why: str
) -> None:
    audiences = {
        "other region": Audience(REGION, "midlands"),
        "hub elsewhere": Audience(HUB, "nw_hub_2"),
    }
    opened = await services.consultations.create(
        CASEY, consultation_draft(clock, audiences.get(why, Audience(EVERYONE)))
    )
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
    assert await invite_place(services, opened.id, LATE) is None
    assert [LATE] not in await queued(services, CONSULTATION_INVITE)


async def test_no_late_question_once_closed_cancelled_or_about_to_close(
    services: Services, clock: Clock
) -> None:
    closed = await services.consultations.create(CASEY, consultation_draft(clock))
    await services.consultations.close_now(CASEY, closed.id)
    cancelled = await services.consultations.create(CASEY, consultation_draft(clock))
    await services.consultations.cancel(CASEY, cancelled.id)
    closing = await services.consultations.create(
        CASEY,
        consultation_draft(
            clock, closes_at=clock.now() + CONSULTATION_MARGIN + timedelta(minutes=10)
        ),
    )
    clock.advance(timedelta(minutes=15))  # now it closes in under the margin
    later = await services.consultations.create(
        CASEY, consultation_draft(clock, opens_at=clock.now() + timedelta(hours=1))
    )

    await join(services, LATE, "north_west")

    assert await services.catch_up.member(LATE) == CaughtUp()
    for consultation in (closed, cancelled, closing, later):
        assert await invite_place(services, consultation.id, LATE) is None
    clock.advance(timedelta(hours=1))
    assert await services.consultations.open_due() == [later.id]  # asked at opening as usual
    assert await invite_place(services, later.id, LATE) == ("north_west", "")


async def test_nothing_is_sent_before_setup_is_finished(services: Services, clock: Clock) -> None:
    opened = await services.consultations.create(
        CASEY, consultation_draft(clock, Audience(REGION, "midlands"))
    )
    await join(services, LATE, "midlands", finish=False)

    assert await services.catch_up.member(LATE) == CaughtUp()
    await services.members.finish_setup(LATE)
    assert await services.catch_up.member(LATE) == CaughtUp(consultations=(opened.id,))


async def test_moving_region_or_hub_asks_the_new_places_and_keeps_what_was_asked(
    services: Services, clock: Clock
) -> None:
    north_west = await services.consultations.create(
        CASEY, consultation_draft(clock, Audience(REGION, "north_west"))
    )
    south_east = await services.consultations.create(
        CASEY, consultation_draft(clock, Audience(REGION, "south_east"))
    )
    se_hub = await services.consultations.create(
        CASEY, consultation_draft(clock, Audience(HUB, "se_hub_1"))
    )
    mover = NW[0]

    await services.members.choose_region(mover, "south_east")
    assert await services.catch_up.member(mover) == CaughtUp(consultations=(south_east.id,))
    await services.members.choose_hub(mover, "se_hub_1")
    assert await services.catch_up.member(mover) == CaughtUp(consultations=(se_hub.id,))
    assert await services.catch_up.member(mover) == CaughtUp()

    assert await invite_place(services, north_west.id, mover) == ("north_west", "")
    assert await invite_place(services, south_east.id, mover) == ("south_east", "")
    assert await invite_place(services, se_hub.id, mover) == ("south_east", "se_hub_1")
    await services.consultations.vote(mover, north_west.id, 0)  # still theirs to answer
    assert await queued(services, CONSULTATION_INVITE) == [NW, [mover], [mover]]


async def test_a_late_joiner_is_invited_to_a_meeting_and_reminded_like_the_rest(
    services: Services, clock: Clock
) -> None:
    created = await services.meetings.create(CASEY, meeting())
    assert created.invited == 2
    clock.advance(timedelta(days=1))

    await join(services, LATE, "north_west")
    assert await services.catch_up.member(LATE) == CaughtUp(meetings=(created.meeting.id,))
    assert await services.catch_up.member(LATE) == CaughtUp()
    assert await queued(services, MEETING_INVITE) == [NW, [LATE]]
    counts = await services.meetings.upcoming(CASEY)
    assert counts[0].counts.no_answer == 3

    await services.meetings.rsvp(NW[0], created.meeting.id, GOING)
    clock.set(datetime(2026, 12, 14, 14, 0, tzinfo=UTC))  # the first reminder, with the nudge
    await services.meetings.send_due()
    assert await queued(services, KIND_REMINDER) == [[NW[0]]]
    assert await queued(services, KIND_NUDGE) == [[NW[1], LATE]]

    await services.meetings.rsvp(LATE, created.meeting.id, GOING)
    clock.set(datetime(2026, 12, 15, 12, 0, tzinfo=UTC))  # the second reminder
    await services.meetings.send_due()
    assert await queued(services, KIND_REMINDER) == [[NW[0]], [NW[0], LATE]]


async def test_no_meeting_invitation_when_not_in_its_audience_or_too_late(
    services: Services, clock: Clock
) -> None:
    elsewhere = await services.meetings.create(CASEY, meeting(Audience(REGION, "midlands")))
    cancelled = await services.meetings.create(CASEY, meeting())
    await services.meetings.cancel(CASEY, cancelled.meeting.id)
    soon = await services.meetings.create(
        CASEY, meeting(starts_at=clock.now() + timedelta(minutes=30))
    )
    clock.advance(timedelta(minutes=31))  # it has started

    await join(services, LATE, "north_west")
    assert await services.catch_up.member(LATE) == CaughtUp()

    everyone = await services.meetings.create(CASEY, meeting(Audience(EVERYONE)))
    other = 600_000_060
    await join(services, other, "north_west", turn_off="meetings")
    assert await services.catch_up.member(other) == CaughtUp()
    paused = 600_000_061
    await join(services, paused, None)
    await services.members.pause(paused, 4)
    assert await services.catch_up.member(paused) == CaughtUp()
    for meeting_id in (elsewhere.meeting.id, cancelled.meeting.id, soon.meeting.id):
        assert not await services.db.fetch_value(
            "SELECT COUNT(*) FROM meeting_rsvps WHERE meeting_id = ? AND member_id = ?",
            (meeting_id, LATE),
        )
    assert everyone.invited == 3  # LATE was in by then; the two later ones are not invited


async def test_an_answer_given_from_meetings_first_gets_no_invitation(
    services: Services, clock: Clock
) -> None:
    created = await services.meetings.create(CASEY, meeting())
    await join(services, LATE, "north_west", finish=False)
    await services.meetings.rsvp(LATE, created.meeting.id, GOING)  # from /meetings
    await services.members.finish_setup(LATE)

    assert await services.catch_up.member(LATE) == CaughtUp()
    assert await queued(services, MEETING_INVITE) == [NW]
