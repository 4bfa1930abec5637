"""A due reminder is taken and queued in one transaction: never lost, never twice.

Faults are real: a SQLite trigger makes a write of the reminder's broadcast fail inside the
transaction, or kills the whole process (SIGKILL from inside SQLite) with the transaction
open, or kills it just after the commit. Afterwards the reminder is either still pending and
goes out once on the next sweep (late or missed by the usual rules), or fully queued and never
queued again.
"""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import timedelta
from pathlib import Path

import pytest

from bot.services.meetings.messages import KIND_NUDGE, KIND_REMINDER
from storage.db import Database, open_database
from storage.meetings import GOING, MAYBE
from tests.meetings.conftest import CASEY, NW, World, build_world
from tests.meetings.test_meeting_service import START, draft
from tests.queue_faults import arm_kill, killed_child, refusing

FIRST_DUE = START - timedelta(hours=24)


async def states(world: World, meeting_id: int) -> list[str]:
    """The meeting's reminder states, earliest first."""
    return [row["state"] for row in await world.repo.reminders_of(meeting_id)]


async def broadcasts(db: Database) -> int:
    """How many broadcasts of any kind but invitations exist."""
    return await db.fetch_value("SELECT COUNT(*) FROM broadcasts WHERE kind != 'meeting_invite'")


async def going_meeting(world: World) -> int:
    """A meeting with one going, one maybe and two who have not answered."""
    meeting = (await world.meetings.create(CASEY, draft())).meeting
    await world.meetings.rsvp(NW[0], meeting.id, GOING)
    await world.meetings.rsvp(NW[1], meeting.id, MAYBE)
    return meeting.id


@pytest.mark.parametrize("kind", [KIND_REMINDER, KIND_NUDGE])
async def test_a_failed_queue_write_keeps_the_reminder_pending_and_it_goes_once_later(
    world: World, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    meeting_id = await going_meeting(world)
    world.clock.set(FIRST_DUE)
    async with refusing(world.db, kind):
        assert await world.meetings.send_due() == []
    assert "could not be queued" in caplog.text
    # The state change was rolled back with the broadcast: nothing half done, nothing lost.
    assert await states(world, meeting_id) == ["pending", "pending"]
    assert await broadcasts(world.db) == 0

    world.clock.set(FIRST_DUE + timedelta(minutes=1))  # the next sweep
    [taken] = await world.meetings.send_due()
    assert taken.state == "sent"
    assert await world.meetings.send_due() == []
    [reminder] = await world.queued(KIND_REMINDER)
    assert reminder["to"] == [NW[0], NW[1]]
    [nudge] = await world.queued(KIND_NUDGE)
    assert nudge["to"] == [NW[2], NW[3]]
    rows = await world.repo.reminders_of(meeting_id)
    assert rows[0]["state"] == "sent" and rows[0]["broadcast_id"] == reminder["id"]
    assert rows[1]["state"] == "pending"


async def test_a_reminder_kept_by_a_failure_follows_the_late_and_missed_rules(
    world: World,
) -> None:
    meeting_id = await going_meeting(world)
    world.clock.set(FIRST_DUE)
    async with refusing(world.db, KIND_REMINDER):
        assert await world.meetings.send_due() == []

    world.clock.set(FIRST_DUE + timedelta(hours=3))  # overdue, the meeting still ahead
    assert [t.state for t in await world.meetings.send_due()] == ["late"]
    world.clock.set(START - timedelta(hours=2))
    async with refusing(world.db, KIND_REMINDER):
        assert await world.meetings.send_due() == []

    world.clock.set(START + timedelta(minutes=1))  # the meeting began: missed, never sent
    assert [t.state for t in await world.meetings.send_due()] == ["missed"]
    assert await states(world, meeting_id) == ["late", "missed"]
    assert len(await world.queued(KIND_REMINDER)) == 1


async def test_two_sweeps_at_once_queue_a_reminder_once(world: World) -> None:
    await going_meeting(world)
    world.clock.set(FIRST_DUE)
    first, second = await asyncio.gather(world.meetings.send_due(), world.meetings.send_due())
    assert len(first) + len(second) == 1
    assert len(await world.queued(KIND_REMINDER)) == 1
    assert len(await world.queued(KIND_NUDGE)) == 1


async def _due_reminder_in_child(folder: Path) -> World:
    """In a child process: the same world, with the first reminder due."""
    db = await open_database(folder / "forum.db")
    world = await build_world(folder, db)
    await going_meeting(world)
    world.clock.set(FIRST_DUE)
    return world


async def killed_inside(folder: Path) -> None:
    """In a child process: die in the transaction, as the reminder's delivery rows are
    written."""
    world = await _due_reminder_in_child(folder)
    await arm_kill(world.db, KIND_REMINDER)
    await world.meetings.send_due()


async def killed_after(folder: Path) -> None:
    """In a child process: die just after the commit, before the delivery worker is woken."""
    world = await _due_reminder_in_child(folder)

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    world.meetings.delivery.wake = die  # type: ignore[method-assign]
    await world.meetings.send_due()


@pytest.mark.timeout(120)
async def test_a_process_killed_mid_transaction_leaves_the_reminder_pending(
    tmp_path: Path,
) -> None:
    await killed_child(tmp_path, f"{__name__}:killed_inside")
    db = await open_database(tmp_path / "forum.db")
    try:
        world = await build_world(tmp_path, db, start=FIRST_DUE)
        [meeting] = await db.fetch_all("SELECT id FROM meetings")
        assert await states(world, meeting["id"]) == ["pending", "pending"]
        assert await broadcasts(db) == 0
        world.clock.set(FIRST_DUE + timedelta(minutes=2))  # the next start, a little later
        assert [t.state for t in await world.meetings.send_due()] == ["sent"]
        assert await world.meetings.send_due() == []
        [reminder] = await world.queued(KIND_REMINDER)
        assert reminder["to"] == [NW[0], NW[1]]
        assert len(await world.queued(KIND_NUDGE)) == 1
    finally:
        await db.close()


@pytest.mark.timeout(120)
async def test_a_process_killed_just_after_the_commit_never_queues_it_twice(
    tmp_path: Path,
) -> None:
    await killed_child(tmp_path, f"{__name__}:killed_after")
    db = await open_database(tmp_path / "forum.db")
    try:
        world = await build_world(tmp_path, db, start=FIRST_DUE + timedelta(minutes=2))
        [meeting] = await db.fetch_all("SELECT id FROM meetings")
        assert await states(world, meeting["id"]) == ["sent", "pending"]
        [reminder] = await world.queued(KIND_REMINDER)
        assert reminder["to"] == [NW[0], NW[1]]  # fully queued: the delivery engine owns it
        assert await world.meetings.send_due() == []
        assert len(await world.queued(KIND_REMINDER)) == 1
        assert len(await world.queued(KIND_NUDGE)) == 1
    finally:
        await db.close()
