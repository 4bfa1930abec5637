"""Creating, changing and cancelling a meeting write the change and its messages in one
transaction. A real failure is injected inside it (a SQLite trigger refuses the delivery rows
of the invitation or notice); afterwards nothing of it was kept, and the retry, or the next
sweep for a repeating meeting, does it exactly once, with the worker woken after the commit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.recurrence import WEEKLY
from bot.services.meetings.messages import KIND_CANCELLED, KIND_CHANGED, KIND_INVITE
from storage.meetings import GOING, MAYBE, NO
from tests.meetings.conftest import CASEY, NW, World
from tests.meetings.test_meeting_service import START, draft
from tests.queue_faults import queued, refusing, watch_wakes


def wakes_of(world: World) -> list[int]:
    """What the delivery worker saw committed at each wake."""
    return watch_wakes(world.meetings.delivery, world.db)


async def rows(world: World, table: str) -> int:
    """How many rows a table holds."""
    return await world.db.fetch_value(f"SELECT COUNT(*) FROM {table}")


async def deliveries(world: World) -> int:
    """Every delivery row written."""
    return await rows(world, "deliveries")


async def test_a_meeting_whose_invitations_cannot_queue_is_not_kept(world: World) -> None:
    wakes = wakes_of(world)
    async with refusing(world.db, KIND_INVITE):
        with pytest.raises(Exception, match="disk full"):
            await world.meetings.create(CASEY, draft())
    for table in ("meetings", "meeting_rsvps", "meeting_reminders", "broadcasts"):
        assert await rows(world, table) == 0, table
    assert (
        await world.db.fetch_value(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'meeting.created'"
        )
        == 0
    )
    assert wakes == []

    created = await world.meetings.create(CASEY, draft())  # the coordinator tries again
    assert created.invited == 4
    [invite] = await world.queued(KIND_INVITE)
    assert invite["to"] == NW
    assert [r["state"] for r in await world.repo.reminders_of(created.meeting.id)] == [
        "pending",
        "pending",
    ]
    assert wakes == [await deliveries(world)]


async def test_the_next_meeting_of_a_series_is_made_once_after_a_failed_write(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    first = await world.meetings.create(CASEY, draft(repeat=WEEKLY))
    world.clock.set(START + timedelta(minutes=1))  # it has started: the next one is due

    async with refusing(world.db, KIND_INVITE):
        assert await world.meetings.extend_series() == []
    assert "not extended this time" in caplog.text
    assert await rows(world, "meetings") == 1

    [made] = await world.meetings.extend_series()  # the next sweep
    assert await world.meetings.extend_series() == []
    assert made.meeting.starts_at == first.meeting.starts_at + timedelta(days=7)
    assert [i["to"] for i in await world.queued(KIND_INVITE)] == [NW, NW]


async def test_a_change_that_cannot_be_told_is_not_made_and_a_retry_tells_once(
    world: World,
) -> None:
    meeting = (await world.meetings.create(CASEY, draft())).meeting
    await world.meetings.rsvp(NW[0], meeting.id, GOING)
    await world.meetings.rsvp(NW[1], meeting.id, MAYBE)
    await world.meetings.rsvp(NW[2], meeting.id, NO)
    reminders = [dict(r) for r in await world.repo.reminders_of(meeting.id)]
    later = START + timedelta(days=1)
    wakes = wakes_of(world)

    async with refusing(world.db, KIND_CHANGED):
        with pytest.raises(Exception, match="disk full"):
            await world.meetings.change(CASEY, meeting.id, starts_at=later, place="Town Hall")
    kept = await world.repo.get(meeting.id)
    assert (kept.starts_at, kept.place) == (START, meeting.place)
    assert [dict(r) for r in await world.repo.reminders_of(meeting.id)] == reminders
    assert await world.queued(KIND_CHANGED) == []

    changed = await world.meetings.change(CASEY, meeting.id, starts_at=later, place="Town Hall")
    assert (changed.starts_at, changed.place) == (later, "Town Hall")
    [notice] = await world.queued(KIND_CHANGED)
    assert notice["to"] == [NW[0], NW[1]]
    moved = await world.repo.reminders_of(meeting.id)
    assert [r["due_at"] for r in moved] != [r["due_at"] for r in reminders]
    assert wakes == [await deliveries(world)]


async def test_a_cancellation_that_cannot_be_told_is_not_made_and_a_retry_tells_once(
    world: World,
) -> None:
    meeting = (await world.meetings.create(CASEY, draft())).meeting
    await world.meetings.rsvp(NW[0], meeting.id, GOING)
    await world.meetings.rsvp(NW[1], meeting.id, NO)
    wakes = wakes_of(world)

    async with refusing(world.db, KIND_CANCELLED):
        with pytest.raises(Exception, match="disk full"):
            await world.meetings.cancel(CASEY, meeting.id)
    assert (await world.repo.get(meeting.id)).state == "scheduled"
    assert [r["state"] for r in await world.repo.reminders_of(meeting.id)] == [
        "pending",
        "pending",
    ]
    assert await queued(world.db, KIND_CANCELLED) == []

    assert await world.meetings.cancel(CASEY, meeting.id) == 3
    [notice] = await world.queued(KIND_CANCELLED)
    assert notice["to"] == [NW[0], NW[2], NW[3]] and notice["urgent"]
    assert [r["state"] for r in await world.repo.reminders_of(meeting.id)] == [
        "cancelled",
        "cancelled",
    ]
    assert wakes == [await deliveries(world)]
