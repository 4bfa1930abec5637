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
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.services.meetings import KIND_NUDGE, KIND_REMINDER
from storage.db import Database, open_database
from storage.meetings import GOING, MAYBE
from tests.meetings.conftest import CASEY, NW, World, build_world
from tests.meetings.test_meeting_service import START, draft

ROOT = Path(__file__).resolve().parents[2]
FIRST_DUE = START - timedelta(hours=24)


def failing_writes(kind: str) -> str:
    """A temporary trigger that refuses the delivery rows of broadcasts of ``kind``."""
    return (
        f"CREATE TEMP TRIGGER fail_{kind} BEFORE INSERT ON deliveries "
        f"WHEN (SELECT kind FROM broadcasts WHERE id = NEW.broadcast_id) = '{kind}' "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )


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
    await world.db.execute(failing_writes(kind))

    assert await world.meetings.send_due() == []
    assert "could not be queued" in caplog.text
    # The state change was rolled back with the broadcast: nothing half done, nothing lost.
    assert await states(world, meeting_id) == ["pending", "pending"]
    assert await broadcasts(world.db) == 0

    await world.db.execute(f"DROP TRIGGER fail_{kind}")
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
    await world.db.execute(failing_writes(KIND_REMINDER))
    assert await world.meetings.send_due() == []
    await world.db.execute(f"DROP TRIGGER fail_{KIND_REMINDER}")

    world.clock.set(FIRST_DUE + timedelta(hours=3))  # overdue, the meeting still ahead
    assert [t.state for t in await world.meetings.send_due()] == ["late"]
    await world.db.execute(failing_writes(KIND_REMINDER))
    world.clock.set(START - timedelta(hours=2))
    assert await world.meetings.send_due() == []
    await world.db.execute(f"DROP TRIGGER fail_{KIND_REMINDER}")

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


# The child builds the same world in its own process, arms a kill, and takes the reminder.
CHILD = """
import asyncio, os, signal, sys
from datetime import timedelta
from pathlib import Path

from storage.db import open_database
from tests.meetings.conftest import build_world
from tests.meetings.test_reminder_crash import FIRST_DUE, going_meeting


def die():
    os.kill(os.getpid(), signal.SIGKILL)


async def main(folder, when):
    db = await open_database(folder / "forum.db")
    world = await build_world(folder, db)
    await going_meeting(world)
    world.clock.set(FIRST_DUE)
    if when == "inside":  # in the transaction, as the reminder's delivery rows are written
        await db._conn.create_function("die", 0, die)
        await db.execute(
            "CREATE TEMP TRIGGER die BEFORE INSERT ON deliveries WHEN (SELECT kind FROM "
            "broadcasts WHERE id = NEW.broadcast_id) = 'meeting_reminder' "
            "BEGIN SELECT die(); END"
        )
    else:  # just after the commit, before the delivery worker is woken
        world.meetings._delivery.wake = die
    print("armed", flush=True)
    await world.meetings.send_due()
    print("survived", flush=True)


asyncio.run(main(Path(sys.argv[1]), sys.argv[2]))
"""


async def killed_child(folder: Path, when: str) -> None:
    """Run the child until it is killed; fail if it is not."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        str(folder),
        when,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    out, err = await asyncio.wait_for(child.communicate(), timeout=60)
    assert child.returncode == -signal.SIGKILL, err.decode()
    assert out.decode().split() == ["armed"]


@pytest.mark.timeout(120)
async def test_a_process_killed_mid_transaction_leaves_the_reminder_pending(
    tmp_path: Path,
) -> None:
    await killed_child(tmp_path, "inside")
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
    await killed_child(tmp_path, "after")
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
