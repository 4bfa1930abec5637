"""A real `python -m bot` subprocess stopped and started with meeting reminders due while it
was down: an overdue one goes out late (once, across two starts) when the meeting has not
started, one whose meeting has started is recorded as missed, and one due a few seconds after
start is sent on time by the job armed from the database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from emulator.emulator import BotApiEmulator
from storage.db import open_database
from storage.meetings import GOING, MeetingRepository, NewMeeting, ReminderPlan
from storage.members import MemberRepository
from tests.e2e.process import bot_env, emulator_settings, running_bot_process

pytestmark = pytest.mark.timeout(120)

SAM = 600_000_001


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """An emulator the bot process reaches over 127.0.0.1 (flood control off)."""
    async with BotApiEmulator(flood_control=False) as emulator:
        yield emulator


async def seed(database: Path) -> dict[str, int]:
    """Sam, going to three meetings whose reminders are overdue, long overdue, and soon."""
    now = datetime.now(UTC)
    db = await open_database(database)
    try:
        members = MemberRepository(db)
        await members.add(SAM, "Sam", now)
        await members.set_place(SAM, "north_west", None, now)
        await members.mark_setup_done(SAM, now)
        repo = MeetingRepository(db)
        plans = {
            "late": (now + timedelta(hours=3), now - timedelta(minutes=20)),
            "missed": (now - timedelta(minutes=30), now - timedelta(hours=2)),
            "soon": (now + timedelta(hours=2), now + timedelta(seconds=6)),
        }
        ids = {}
        for name, (starts_at, due_at) in plans.items():
            new = NewMeeting(
                title=f"Meeting {name}",
                starts_at=starts_at,
                duration_minutes=60,
                place="Hub room",
                link="",
                audience_scope="region",
                audience_place="north_west",
                notes="",
            )
            async with db.transaction() as tx:
                ids[name] = await repo.create(
                    new, [ReminderPlan(2, due_at, first=False)], [SAM], None, now, tx
                )
            await repo.set_answer(ids[name], SAM, GOING, now)
    finally:
        await db.close()
    return ids


def reminders_for(emu: BotApiEmulator, title: str) -> int:
    """How many reminders for a meeting Sam received."""
    return sum(
        1
        for m in emu.chat(SAM).bot_messages
        if "friendly reminder" in (m.text or "") and title in (m.text or "")
    )


async def states(database: Path) -> dict[int, str]:
    """Reminder state by meeting id."""
    db = await open_database(database)
    try:
        rows = await db.fetch_all("SELECT meeting_id, state FROM meeting_reminders")
    finally:
        await db.close()
    return {row["meeting_id"]: row["state"] for row in rows}


async def test_reminders_due_while_the_process_was_down(tmp_path: Path, emu: BotApiEmulator):
    database = tmp_path / "data" / "forum.db"
    ids = await seed(database)
    emu.add_user(SAM, "Sam")
    emu.chat(SAM).started = True
    env = bot_env(
        tmp_path,
        **emulator_settings(emu, database, QUIET_HOURS_START="0", QUIET_HOURS_END="0"),
    )

    async with running_bot_process(tmp_path / "first", env, "first") as bot:
        await emu.wait_for_message(SAM, lambda m: "Meeting late" in (m.text or ""), timeout=15)
        await emu.wait_for_message(SAM, lambda m: "Meeting soon" in (m.text or ""), timeout=20)
        assert await bot.stop() == 0

    async with running_bot_process(tmp_path / "second", env, "second") as bot:
        await asyncio.sleep(3)  # time for anything wrongly armed again to go out
        assert await bot.stop() == 0

    assert reminders_for(emu, "Meeting late") == 1
    assert reminders_for(emu, "Meeting soon") == 1
    assert reminders_for(emu, "Meeting missed") == 0
    assert await states(database) == {
        ids["late"]: "late",
        ids["missed"]: "missed",
        ids["soon"]: "sent",
    }
