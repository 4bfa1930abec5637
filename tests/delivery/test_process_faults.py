"""Faults with the bot as a real process (`python -m bot`) and the emulator as another.

SIGKILL in the middle of a broadcast and a restart; a 429 storm with server errors and people
who blocked the bot. Afterwards every recipient has exactly one copy, or is counted as
uncertain (never more than the in-flight limit), and no one is lost.
"""

from __future__ import annotations

import asyncio
import re
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import IN_FLIGHT, build_delivery
from emulator.process import EmulatorProcess
from storage.db import open_database
from storage.members import MemberRepository
from tests.conftest import make_settings
from tests.delivery.processes import read_rows
from tests.e2e.process import TOKEN, TOKEN_SECRET, BotProcess, bot_env

pytestmark = pytest.mark.timeout(120)

COORDINATOR = 900_000_001
TEXT = "Hello from the forum: the next meeting is on Friday."


async def seed(database: Path, members: list[int]) -> int:
    """Members in the database and one queued broadcast to them, reporting to the coordinator."""
    settings = make_settings(database.parent, database_path=database)
    db = await open_database(database)
    try:
        repo = MemberRepository(db)
        clock = Clock()
        for member_id in members:
            await repo.add(member_id, "Member", clock.now())
        delivery = build_delivery(settings, db, clock)  # never started: only queues
        return await delivery.enqueue(
            "broadcast", TEXT, members, created_by=COORDINATOR, report_to=COORDINATOR
        )
    finally:
        await db.close()


def bot_settings(emu: EmulatorProcess, database: Path, **extra: str) -> dict[str, str]:
    """The bot's environment: the emulator, the database, no quiet hours (any time of day)."""
    return {
        "BOT_TOKEN": TOKEN,
        "BOT_API_BASE_URL": emu.base_url,
        "BOT_API_BASE_FILE_URL": emu.root + "/file/bot",
        "DATABASE_PATH": str(database),
        "COORDINATOR_IDS": str(COORDINATOR),
        "QUIET_HOURS_START": "0",
        "QUIET_HOURS_END": "0",
        "DELIVERY_PROGRESS_SECONDS": "1",
        "DELIVERY_RETRY_BASE_SECONDS": "0.2",
        **extra,
    }


async def copies(emu: EmulatorProcess) -> Counter[int]:
    """How many copies of the broadcast each chat got."""
    return Counter(m["chat_id"] for m in await emu.bot_texts() if TEXT in (m["text"] or ""))


async def until(check, timeout: float, what: str):  # noqa: ASYNC109
    """Poll an async check until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while not (result := await check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        await asyncio.sleep(0.1)
    return result


async def report(emu: EmulatorProcess) -> str | None:
    """The delivery report the coordinator got, if any."""
    for message in await emu.bot_texts():
        if message["chat_id"] == COORDINATOR and "is done." in (message["text"] or ""):
            return message["text"]
    return None


@pytest.fixture
async def emulator(tmp_path: Path):
    """A standalone emulator process."""
    emu = await EmulatorProcess(tmp_path / "emulator").start()
    try:
        yield emu
    finally:
        await emu.stop()


async def test_sigkill_mid_broadcast_then_restart_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path, emulator: EmulatorProcess
) -> None:
    members = list(range(700_000_001, 700_000_061))
    database = tmp_path / "data" / "forum.db"
    broadcast_id = await seed(database, members)
    await emulator.add_started_users([*members, COORDINATOR], TOKEN)
    env = bot_env(tmp_path, **bot_settings(emulator, database, DELIVERY_RATE_PER_SECOND="20"))

    first = BotProcess(tmp_path / "run1", env, "first").start()
    try:
        await first.wait_until_running()
        await until(lambda: _at_least(emulator, 15), 20, "15 copies sent")
        # The next sends reach Telegram but their answers never come back: then the kill.
        await emulator.control(
            "POST",
            "/faults",
            {"method": "sendMessage", "kind": "timeout_after", "count": 8, "hang_seconds": 60},
        )
        await until(lambda: _no_faults_left(emulator), 20, "the hung sends")
        first.proc.send_signal(signal.SIGKILL)
        assert await first.wait_for_exit(10) == -signal.SIGKILL
    finally:
        first.kill()
    mid_send = read_rows(database, "SELECT COUNT(*) FROM deliveries WHERE state = 'sending'")
    assert 1 <= mid_send[0][0] <= IN_FLIGHT

    second = BotProcess(tmp_path / "run2", env, "second").start()
    try:
        await second.wait_until_running()
        text = await until(lambda: report(emulator), 30, "the delivery report")
        assert await second.stop() == 0  # SIGTERM: a clean stop
    finally:
        second.kill()
    for run in (first, second):
        assert TOKEN_SECRET not in run.output and TEXT not in run.output
    assert "now uncertain" in second.output  # the recovery is logged (as a count)

    rows = read_rows(
        database,
        "SELECT recipient_id, state, reason FROM deliveries WHERE broadcast_id = ?",
        (broadcast_id,),
    )
    got = await copies(emulator)
    states = Counter(row["state"] for row in rows)
    assert len(rows) == len(members)
    assert set(states) <= {"sent", "uncertain"}  # every row reached an end: none lost
    assert states["uncertain"] == mid_send[0][0] <= IN_FLIGHT
    for row in rows:
        assert got[row["recipient_id"]] <= 1  # never twice
        if row["state"] == "sent":
            assert got[row["recipient_id"]] == 1
        else:
            assert row["reason"] == "interrupted"
    assert sum(got.values()) == len(members)  # here the hung ones had all arrived
    assert f"Not sure if they got it: {states['uncertain']}" in text
    assert f"Got it: {states['sent']}" in text


async def _at_least(emulator: EmulatorProcess, count: int) -> bool:
    """True once the broadcast reached this many chats."""
    return sum((await copies(emulator)).values()) >= count


async def _no_faults_left(emulator: EmulatorProcess) -> bool:
    """True once every injected fault has fired."""
    return not await emulator.control("GET", "/faults")


async def test_a_429_storm_server_errors_and_blocked_people(
    tmp_path: Path, emulator: EmulatorProcess
) -> None:
    members = list(range(700_001_001, 700_001_031))
    blocked, gone = members[:3], members[3]
    database = tmp_path / "data" / "forum.db"
    broadcast_id = await seed(database, members)
    await emulator.add_started_users([*members, COORDINATOR], TOKEN)
    for member_id in blocked:
        await emulator.control("POST", f"/users/{member_id}/block")
    await emulator.control("POST", f"/users/{gone}/deactivate")
    # Telegram allows 8 a second here; the bot is set to 30, so it meets flood control.
    await emulator.control("POST", "/limits", {"global_per_second": 8})
    for kind, count in (("500", 3), ("502", 2)):
        await emulator.control(
            "POST", "/faults", {"method": "sendMessage", "kind": kind, "count": count}
        )
    env = bot_env(tmp_path, **bot_settings(emulator, database, DELIVERY_RATE_PER_SECOND="30"))

    bot = BotProcess(tmp_path / "run", env).start()
    try:
        await bot.wait_until_running()
        text = await until(lambda: report(emulator), 60, "the delivery report")
        assert await bot.stop() == 0
    finally:
        bot.kill()
    assert TOKEN_SECRET not in bot.output and TEXT not in bot.output

    got = await copies(emulator)
    for member_id in members:
        expected = 0 if member_id in (*blocked, gone) else 1
        assert got[member_id] == expected, member_id
    rows = {
        row["recipient_id"]: row
        for row in read_rows(
            database, "SELECT * FROM deliveries WHERE broadcast_id = ?", (broadcast_id,)
        )
    }
    assert {rows[m]["reason"] for m in blocked} == {"blocked"}
    assert rows[gone]["reason"] == "deactivated"
    unreachable = read_rows(database, "SELECT telegram_id FROM members WHERE reachable = 0")
    assert {row[0] for row in unreachable} == {*blocked, gone}
    assert "Got it: 26" in text and "Have blocked the bot: 3" in text
    assert "Could not get it: 1" in text

    log = await emulator.control("GET", "/requests?method=sendMessage")
    by_status = Counter(entry["status"] for entry in log)
    assert by_status[500] == 3 and by_status[502] == 2
    assert by_status[429] >= 1  # the storm happened
    # After each 429 the bot held every send for retry_after (give or take sends in the air).
    for entry in log:
        if entry["status"] != 429:
            continue
        wait = int(re.search(r"retry after (\d+)", entry["description"]).group(1))
        start, end = entry["time"] + 0.25, entry["time"] + wait - 0.25
        assert not [e for e in log if start < e["time"] < end], entry
