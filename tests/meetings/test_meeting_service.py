"""The meeting service on a real database: roles, invitations, answers, reminder times across
both clock changes and quiet hours, due reminders sent once, late and missed, edits, cancelling,
erasure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.delivery import Audience
from bot.delivery.audience import EVERYONE, HUB, REGION
from bot.services.errors import InvalidChoice, NotAllowed, NotAMember
from bot.services.meetings.messages import (
    KIND_CANCELLED,
    KIND_CHANGED,
    KIND_INVITE,
    KIND_NUDGE,
    KIND_REMINDER,
)
from bot.services.meetings.rules import (
    MeetingDraft,
    MeetingGone,
    MeetingInvalid,
    MeetingStarted,
)
from bot.timeparse import parse_local_time
from storage.erasure import erase_person
from storage.meetings import GOING, MAYBE, NO
from tests.meetings.conftest import (
    CASEY,
    DAY,
    LONDON,
    MIDLANDS,
    NO_MEETINGS,
    NW,
    World,
    build_world,
)

# Tuesday 15 December 2026, 14:00 in London (= UTC in winter).
START = datetime(2026, 12, 15, 14, 0, tzinfo=UTC)


def draft(starts_at: datetime = START, audience: Audience | None = None, **changes) -> MeetingDraft:
    """A North West hub meeting, two hours, at the library."""
    values = {
        "title": "Hub <meeting>",
        "starts_at": starts_at,
        "duration_minutes": 120,
        "audience": audience or Audience(REGION, "north_west"),
        "place": "Central Library, Room 2",
        "notes": "Travel paid. Lunch provided.",
    }
    values.update(changes)
    return MeetingDraft(**values)


def local(text: str, now: datetime = DAY) -> datetime:
    """A typed UK time, read by the same parser the conversations use."""
    return parse_local_time(text, now, LONDON)


async def test_only_coordinators_create_list_change_and_cancel(world: World) -> None:
    for attempt in (
        world.meetings.create(NW[0], draft()),
        world.meetings.upcoming(NW[0]),
        world.meetings.change(NW[0], 1, place="Elsewhere"),
        world.meetings.cancel(NW[0], 1),
    ):
        with pytest.raises(NotAllowed):
            await attempt
    assert await world.db.fetch_value("SELECT COUNT(*) FROM meetings") == 0
    refused = await world.db.fetch_value("SELECT COUNT(*) FROM audit_log WHERE action='refused'")
    assert refused == 4


async def test_creating_invites_the_audience_who_want_meetings_and_plans_reminders(
    world: World,
) -> None:
    created = await world.meetings.create(CASEY, draft())
    assert created.invited == 4  # not the one who turned meeting reminders off, not Midlands
    [invite] = await world.queued(KIND_INVITE)
    assert invite["to"] == NW and not invite["urgent"]
    rows = await world.repo.reminders_of(created.meeting.id)
    assert [(r["hours_before"], r["due_at"], r["first"]) for r in rows] == [
        (24, "2026-12-14T14:00:00+00:00", 1),
        (2, "2026-12-15T12:00:00+00:00", 0),
    ]
    audit = await world.db.fetch_all("SELECT * FROM audit_log WHERE action='meeting.created'")
    assert len(audit) == 1 and audit[0]["actor_id"] == CASEY
    text, _ = world.messages.invitation(created.meeting)
    assert "Hub &lt;meeting&gt;" in text and "Tuesday 15 December 2026 at 14:00" in text


async def test_bad_meetings_are_refused(world: World) -> None:
    for bad in (
        draft(title="  "),
        draft(starts_at=DAY - timedelta(minutes=1)),
        draft(duration_minutes=0),
        draft(place="", link=""),
        draft(notes="x" * 601),
    ):
        with pytest.raises(MeetingInvalid):
            await world.meetings.create(CASEY, bad)
    with pytest.raises(InvalidChoice):
        await world.meetings.create(CASEY, draft(audience=Audience(HUB, "atlantis")))


@pytest.mark.parametrize(
    ("typed", "expected_utc", "local_hours"),
    [
        # Clocks go forward on Sunday 29 March 2026 (01:00 UTC): 10:00 on Monday is BST.
        ("30/03/2026 10:00", datetime(2026, 3, 30, 9, 0, tzinfo=UTC), [10, 8]),
        # Clocks go back on Sunday 25 October 2026 (01:00 UTC): 10:00 on Monday is GMT.
        ("26 Oct 2026 10am", datetime(2026, 10, 26, 10, 0, tzinfo=UTC), [10, 8]),
        # On the day of a change the reminder 24 real hours before shows another clock hour.
        ("29/03/2026 10:00", datetime(2026, 3, 29, 9, 0, tzinfo=UTC), [9, 8]),
        ("25/10/2026 10:00", datetime(2026, 10, 25, 10, 0, tzinfo=UTC), [11, 8]),
    ],
)
async def test_reminders_after_a_clock_change_fall_at_the_right_instants(
    tmp_path, db, typed: str, expected_utc: datetime, local_hours: list[int]
) -> None:
    now = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
    world = await build_world(tmp_path, db, start=now)
    starts = local(typed, now)
    assert starts == expected_utc
    created = await world.meetings.create(CASEY, draft(starts_at=starts))
    due = [
        datetime.fromisoformat(r["due_at"])
        for r in await world.repo.reminders_of(created.meeting.id)
    ]
    assert due == [starts - timedelta(hours=24), starts - timedelta(hours=2)]
    assert [d.astimezone(LONDON).hour for d in due] == local_hours


async def test_a_reminder_that_would_fall_in_quiet_hours_goes_out_before_they_start(
    world: World,
) -> None:
    starts = local("16/12/2026 9am")  # the 2-hour reminder would be 07:00, inside 21:00-08:00
    created = await world.meetings.create(CASEY, draft(starts_at=starts))
    rows = await world.repo.reminders_of(created.meeting.id)
    locals_ = [datetime.fromisoformat(r["due_at"]).astimezone(LONDON) for r in rows]
    assert [(d.day, d.hour, d.minute) for d in locals_] == [(15, 9, 0), (15, 20, 30)]
    assert [r["first"] for r in rows] == [1, 0]


async def test_answers_can_change_until_the_start_and_are_checked(world: World) -> None:
    meeting = (await world.meetings.create(CASEY, draft())).meeting
    await world.meetings.rsvp(NW[0], meeting.id, GOING)
    await world.meetings.rsvp(NW[0], meeting.id, NO)
    assert await world.repo.answer_of(meeting.id, NW[0]) == NO
    [mine] = await world.meetings.for_member(NW[0])
    assert mine.meeting.id == meeting.id and mine.answer == NO
    assert await world.meetings.for_member(MIDLANDS) == []
    with pytest.raises(InvalidChoice):
        await world.meetings.rsvp(MIDLANDS, meeting.id, GOING)  # not for their region
    with pytest.raises(NotAMember):
        await world.meetings.rsvp(123, meeting.id, GOING)
    with pytest.raises(InvalidChoice):
        await world.meetings.rsvp(NW[0], meeting.id, "yes please")
    with pytest.raises(MeetingGone):
        await world.meetings.rsvp(NW[0], 999, GOING)
    # Someone who turned reminders off was not invited but may still answer from /meetings.
    await world.meetings.rsvp(NO_MEETINGS, meeting.id, MAYBE)
    world.clock.set(START)
    with pytest.raises(MeetingStarted):
        await world.meetings.rsvp(NW[1], meeting.id, GOING)


async def test_due_reminders_go_to_going_and_maybe_with_one_nudge_and_never_twice(
    world: World,
) -> None:
    meeting = (await world.meetings.create(CASEY, draft())).meeting
    await world.meetings.rsvp(NW[0], meeting.id, GOING)
    await world.meetings.rsvp(NW[1], meeting.id, MAYBE)
    await world.meetings.rsvp(NW[2], meeting.id, NO)
    assert await world.meetings.send_due() == []  # nothing due yet

    world.clock.set(START - timedelta(hours=24))
    [first] = await world.meetings.send_due()
    assert first.state == "sent"
    assert await world.meetings.send_due() == []  # taken once
    [reminder] = await world.queued(KIND_REMINDER)
    assert reminder["to"] == [NW[0], NW[1]]
    [nudge] = await world.queued(KIND_NUDGE)
    assert nudge["to"] == [NW[3]]  # invited, no answer; never the one who can't come

    world.clock.set(START - timedelta(hours=2))
    [second] = await world.meetings.send_due()
    assert second.state == "sent"
    reminders = await world.queued(KIND_REMINDER)
    assert [r["to"] for r in reminders] == [[NW[0], NW[1]], [NW[0], NW[1]]]
    assert len(await world.queued(KIND_NUDGE)) == 1  # the nudge comes once only
    rows = await world.repo.reminders_of(meeting.id)
    assert all(r["broadcast_id"] for r in rows)


async def test_overdue_reminders_go_late_before_the_start_and_are_missed_after(
    world: World,
) -> None:
    meeting = (await world.meetings.create(CASEY, draft())).meeting
    await world.meetings.rsvp(NW[0], meeting.id, GOING)
    world.clock.set(START - timedelta(hours=1))  # both overdue; the meeting has not started
    taken = await world.meetings.send_due()
    assert [t.state for t in taken] == ["late", "late"]
    assert len(await world.queued(KIND_REMINDER)) == 2

    other = (await world.meetings.create(CASEY, draft(starts_at=START + timedelta(days=1)))).meeting
    world.clock.set(START + timedelta(days=1, minutes=5))  # started while the bot was down
    taken = await world.meetings.send_due()
    assert {t.state for t in taken} == {"missed"}
    assert len(await world.queued(KIND_REMINDER)) == 2
    assert {r["state"] for r in await world.repo.reminders_of(other.id)} == {"missed"}


async def test_changing_the_time_moves_reminders_and_tells_going_and_maybe(world: World) -> None:
    meeting = (await world.meetings.create(CASEY, draft())).meeting
    await world.meetings.rsvp(NW[0], meeting.id, GOING)
    await world.meetings.rsvp(NW[1], meeting.id, MAYBE)
    await world.meetings.rsvp(NW[2], meeting.id, NO)
    armed: list = []
    world.meetings.on_new_reminders(armed.extend)
    later = START + timedelta(days=2, hours=1)
    changed = await world.meetings.change(CASEY, meeting.id, starts_at=later, link="https://x.y/z")
    assert changed.starts_at == later and changed.link == "https://x.y/z"
    rows = await world.repo.reminders_of(meeting.id)
    assert [datetime.fromisoformat(r["due_at"]) for r in rows] == [
        later - timedelta(hours=24),
        later - timedelta(hours=2),
    ]
    assert sorted(reminder_id for reminder_id, _ in armed) == sorted(r["id"] for r in rows)
    [told] = await world.queued(KIND_CHANGED)
    assert told["to"] == [NW[0], NW[1]]
    world.clock.set(START - timedelta(hours=24))  # the old due time: nothing goes out
    assert await world.meetings.send_due() == []


async def test_cancelling_tells_everyone_invited_who_had_not_declined_urgently(
    world: World,
) -> None:
    meeting = (await world.meetings.create(CASEY, draft())).meeting
    await world.meetings.rsvp(NW[0], meeting.id, GOING)
    await world.meetings.rsvp(NW[2], meeting.id, NO)
    told = await world.meetings.cancel(CASEY, meeting.id)
    assert told == 3
    [notice] = await world.queued(KIND_CANCELLED)
    assert notice["urgent"] and notice["to"] == [NW[0], NW[1], NW[3]]
    assert {r["state"] for r in await world.repo.reminders_of(meeting.id)} == {"cancelled"}
    with pytest.raises(MeetingGone):
        await world.meetings.rsvp(NW[1], meeting.id, GOING)
    with pytest.raises(MeetingGone):
        await world.meetings.cancel(CASEY, meeting.id)
    world.clock.set(START - timedelta(hours=2))
    assert await world.meetings.send_due() == []
    assert await world.meetings.upcoming(CASEY) == []


async def test_coordinators_see_counts(world: World) -> None:
    meeting = (await world.meetings.create(CASEY, draft(audience=Audience(EVERYONE)))).meeting
    await world.meetings.rsvp(NW[0], meeting.id, GOING)
    await world.meetings.rsvp(NW[1], meeting.id, MAYBE)
    await world.meetings.rsvp(MIDLANDS, meeting.id, NO)
    [listed] = await world.meetings.upcoming(CASEY)
    assert listed.meeting.id == meeting.id
    counts = listed.counts
    assert (counts.going, counts.maybe, counts.no, counts.no_answer) == (1, 1, 1, 2)


async def test_erasure_removes_a_members_answers(world: World) -> None:
    meeting = (await world.meetings.create(CASEY, draft())).meeting
    await world.meetings.rsvp(NW[0], meeting.id, GOING)
    assert await erase_person(world.db, NW[0])
    left = await world.db.fetch_value(
        "SELECT COUNT(*) FROM meeting_rsvps WHERE member_id = ?", (NW[0],)
    )
    assert left == 0
    await erase_person(world.db, CASEY)
    assert await world.db.fetch_value("SELECT created_by FROM meetings") is None


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.datetimes(
        min_value=datetime(2026, 1, 1),
        max_value=datetime(2028, 12, 31),
        timezones=st.just(UTC),
    ),
    st.integers(0, 72 * 60),
)
def test_reminder_times_are_never_in_quiet_hours_past_or_after_the_start(
    world: World, starts: datetime, minutes_ahead: int
) -> None:
    # Planning only reads the clock and the quiet hours, so one world serves every example.
    now = starts - timedelta(minutes=minutes_ahead)
    plans = world.meetings.reminder_plan(starts, now)
    quiet = world.meetings.quiet
    due = [p.due_at for p in plans]
    assert due == sorted(due) and len(set(due)) == len(due)
    assert all(now < d < starts and not quiet.is_quiet(d) for d in due)
    assert [p.first for p in plans] == [i == 0 for i in range(len(plans))]


async def test_a_late_reminder_found_at_night_for_a_morning_meeting_is_missed_not_held(
    world: World,
) -> None:
    # 08:00 on Wednesday 16 December: reminders due 08:00 the day before, and (2 hours before
    # is 06:00, in quiet hours) 20:30 the evening before. The bot is down all Tuesday and
    # back at 23:00, in quiet hours: held until 08:00 they would arrive as it begins.
    morning = datetime(2026, 12, 16, 8, 0, tzinfo=UTC)
    meeting = (await world.meetings.create(CASEY, draft(starts_at=morning))).meeting
    await world.meetings.rsvp(NW[0], meeting.id, GOING)
    world.clock.set(datetime(2026, 12, 15, 23, 0, tzinfo=UTC))
    taken = await world.meetings.send_due()
    assert [t.state for t in taken] == ["missed", "missed"]
    assert await world.queued(KIND_REMINDER) == []
    # The same reminder found at 19:00, before quiet hours, still goes out late.
    evening = (
        await world.meetings.create(CASEY, draft(starts_at=morning + timedelta(days=1)))
    ).meeting
    await world.meetings.rsvp(NW[0], evening.id, GOING)
    world.clock.set(datetime(2026, 12, 16, 19, 0, tzinfo=UTC))
    assert [t.state for t in await world.meetings.send_due()] == ["late"]
