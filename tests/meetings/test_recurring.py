"""Repeating meetings: the next date keeps the local clock time across clock changes, the
next meeting is made by itself once the latest has started, with its own invitations and
answers, earlier ones kept; a series can be stopped."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.delivery import Audience
from bot.delivery.audience import HUB
from bot.recurrence import FORTNIGHTLY, MONTHLY, WEEKLY, next_start, weekday_of_month
from bot.services.errors import InvalidChoice, NotAllowed
from bot.services.meetings import MeetingDraft
from bot.services.meetings.messages import KIND_INVITE
from storage.meetings import GOING
from tests.meetings.conftest import CASEY, LONDON, NW, World

# Tuesday 3 March 2026, 10:00 GMT: the first Tuesday of the month.
FIRST_TUESDAY = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


def test_the_first_tuesday_stays_the_first_tuesday_at_ten_local_across_the_change() -> None:
    april = next_start(FIRST_TUESDAY, MONTHLY, LONDON)
    assert april == datetime(2026, 4, 7, 9, 0, tzinfo=UTC)  # 10:00 BST
    assert april.astimezone(LONDON).hour == 10
    assert next_start(april, MONTHLY, LONDON) == datetime(2026, 5, 5, 9, 0, tzinfo=UTC)


def test_weekly_and_fortnightly_keep_the_clock_time() -> None:
    before = datetime(2026, 10, 20, 17, 30, tzinfo=UTC)  # 18:30 BST
    assert next_start(before, WEEKLY, LONDON) == datetime(2026, 10, 27, 18, 30, tzinfo=UTC)
    assert next_start(before, FORTNIGHTLY, LONDON) == datetime(2026, 11, 3, 18, 30, tzinfo=UTC)
    with pytest.raises(ValueError):
        next_start(before, "daily", LONDON)


def test_a_fifth_weekday_becomes_the_last_one() -> None:
    fifth_tuesday = datetime(2026, 12, 29, 10, 0, tzinfo=UTC)
    assert next_start(fifth_tuesday, MONTHLY, LONDON).date() == date(2027, 1, 26)  # last Tue
    assert weekday_of_month(2027, 1, 1, 5) == date(2027, 1, 26)


def hub_meeting(starts_at: datetime, repeat: str | None = MONTHLY) -> MeetingDraft:
    """A North West hub 1 meeting."""
    return MeetingDraft(
        title="Hub 1 monthly",
        starts_at=starts_at,
        duration_minutes=90,
        audience=Audience(HUB, "nw_hub_1"),
        place="Hub room",
        repeat=repeat,
    )


async def test_the_next_meeting_is_made_by_itself_with_its_own_answers(world: World) -> None:
    starts = datetime(2026, 12, 15, 14, 0, tzinfo=UTC)  # Tuesday
    first = (await world.meetings.create(CASEY, hub_meeting(starts))).meeting
    assert first.series_id is not None
    await world.meetings.rsvp(NW[0], first.id, GOING)
    assert await world.meetings.extend_series() == []  # not started yet

    world.clock.set(starts + timedelta(minutes=1))
    [made] = await world.meetings.extend_series()
    assert made.meeting.series_id == first.series_id
    assert made.meeting.starts_at == datetime(2027, 1, 19, 14, 0, tzinfo=UTC)  # 3rd Tuesday
    assert made.invited == 4
    assert await world.repo.answer_of(made.meeting.id, NW[0]) is None  # its own answers
    assert await world.repo.answer_of(first.id, NW[0]) == GOING  # history kept
    assert len(await world.queued(KIND_INVITE)) == 2
    assert len(await world.repo.reminders_of(made.meeting.id)) == 2
    assert await world.meetings.extend_series() == []  # made once

    with pytest.raises(NotAllowed):
        await world.meetings.stop_repeating(NW[0], made.meeting.id)
    await world.meetings.stop_repeating(CASEY, made.meeting.id)
    with pytest.raises(InvalidChoice):
        await world.meetings.stop_repeating(CASEY, made.meeting.id)
    world.clock.set(made.meeting.starts_at + timedelta(minutes=1))
    assert await world.meetings.extend_series() == []
    assert await world.db.fetch_value("SELECT COUNT(*) FROM meetings") == 2


async def test_a_series_catches_up_after_a_long_time_down_and_refuses_unknown_rules(
    world: World,
) -> None:
    starts = datetime(2026, 12, 11, 14, 0, tzinfo=UTC)
    await world.meetings.create(CASEY, hub_meeting(starts, WEEKLY))
    world.clock.set(starts + timedelta(days=15))
    [made] = await world.meetings.extend_series()
    assert made.meeting.starts_at == starts + timedelta(days=21)
    with pytest.raises(InvalidChoice):
        await world.meetings.create(CASEY, hub_meeting(starts, "daily"))
