"""Sending again to people "not sure", after a real crash: a process sending a coordinator's
message is killed (SIGKILL, from inside SQLite, as it records the first send that went
through), so the sends in the air are left unknown. The real bot then starts on the same
database: those rows become "not sure", the report names them with "Telegram did not confirm"
and a button sends the message again, with a line saying they may have had it already. A
second press sends nothing."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import build_delivery
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from storage.db import open_database
from storage.members import MemberRepository
from tests.conftest import make_settings
from tests.e2e.harness import running_bot
from tests.queue_faults import killed_child

pytestmark = pytest.mark.timeout(150)

CASEY = 900_000_001
MEMBERS = list(range(700_000_801, 700_000_841))
TEXT = "Hello from the forum: the hub meeting moves to Friday."
NOTE = "You may have had this message already"
EMULATOR_FILE = "emulator.json"


def text_of(record: MessageRecord) -> str:
    """What a person reads in a message."""
    return (record.text or "") + (record.caption or "")


def copies(emu: BotApiEmulator, chat_id: int, words: str = TEXT) -> int:
    """Bot messages in a chat containing ``words``."""
    chat = emu.state.chats.get(chat_id)
    if chat is None:
        return 0
    return sum(1 for m in chat.messages if m.from_bot and words in text_of(m))


async def seed(folder: Path) -> int:
    """Members and one queued message from Casey to them, reporting to Casey."""
    settings = make_settings(folder)
    db = await open_database(settings.database_path)
    try:
        clock = Clock()
        repo = MemberRepository(db)
        for member_id in MEMBERS:
            await repo.add(member_id, f"Member{member_id % 1000}", clock.now())
        delivery = build_delivery(settings, db, clock)  # never started: only queues
        return await delivery.enqueue(
            "broadcast", TEXT, MEMBERS, created_by=CASEY, report_to=CASEY, audience="everyone"
        )
    finally:
        await db.close()


async def sends_then_dies(folder: Path) -> None:
    """The child: the delivery engine sends the queued message until, as it records the first
    send that went through, the process is killed with that transaction open."""
    url = json.loads((folder / EMULATOR_FILE).read_text())["base_url"]
    settings = make_settings(folder, bot_api_base_url=url, quiet_hours_start=0, quiet_hours_end=0)
    db = await open_database(settings.database_path)

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    await db._conn.create_function("die", 0, die)
    await db.execute(
        "CREATE TEMP TRIGGER die_on_record AFTER UPDATE OF state ON deliveries "
        "WHEN NEW.state = 'sent' BEGIN SELECT die(); END"
    )
    delivery = build_delivery(settings, db, Clock())
    await delivery.start()
    await asyncio.sleep(60)  # killed long before


async def test_people_not_sure_after_a_crash_are_sent_it_again_once(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    for member_id in MEMBERS:
        emu.add_user(member_id, f"Member{member_id % 1000}")
        emu.chat(member_id).started = True
    broadcast_id = await seed(tmp_path)
    (tmp_path / EMULATOR_FILE).write_text(json.dumps({"base_url": emu.base_url}))

    await killed_child(tmp_path, "tests.reach.test_resend_after_crash:sends_then_dies")
    reached_before = {m for m in MEMBERS if copies(emu, m)}
    assert reached_before  # some sends went through before the kill

    async with running_bot(
        tmp_path, emu, coordinator_ids=[CASEY], quiet_hours_start=0, quiet_hours_end=0
    ) as bot:
        report = await emu.wait_for_message(
            CASEY, lambda m: "Message 1 is done." in text_of(m), timeout=30
        )
        rows = await bot.services.db.fetch_all(
            "SELECT recipient_id, state FROM deliveries WHERE broadcast_id = ?", (broadcast_id,)
        )
        unsure = sorted(row["recipient_id"] for row in rows if row["state"] == "uncertain")
        assert 1 <= len(unsure) <= bot.services.delivery.in_flight_limit
        assert {row["state"] for row in rows} == {"sent", "uncertain"}
        assert f"Not sure if they got it: {len(unsure)}" in report.text
        assert "Telegram did not confirm" in report.text
        assert f"Member{unsure[0] % 1000}: Telegram did not confirm" in report.text
        assert "press the button below to send it again" in report.text
        label = f"Send again to {len(unsure)} not sure"
        assert [text for text, _ in report.buttons] == [label]

        await emu.press_button(CASEY, report, text=label)
        done = await emu.wait_for_message(CASEY, lambda m: "sending it again" in text_of(m))
        assert f"to {len(unsure)} " in done.text
        again = await emu.wait_for_message(
            CASEY, lambda m: "Message 1, sent again, is done." in text_of(m), timeout=30
        )
        assert f"Got it: {len(unsure)}" in again.text

        # A second press (or the same press delivered twice) sends nothing more.
        await emu.press_button(CASEY, report, text=label)
        nobody = await emu.wait_for_message(CASEY, lambda m: "sent it again" in text_of(m))
        assert "have not sent it twice" in nobody.text
        await asyncio.sleep(1.5)

        for member_id in MEMBERS:
            noted = copies(emu, member_id, NOTE)
            if member_id in unsure:
                assert noted == 1  # once, with the note, whatever the first try did
                assert copies(emu, member_id) == noted + (member_id in reached_before)
            else:
                assert noted == 0 and copies(emu, member_id) == 1
        resent = await bot.services.db.fetch_value(
            "SELECT COUNT(*) FROM broadcasts WHERE resend_of = ?", (broadcast_id,)
        )
        assert resent == 1
        listing = await bot.say(CASEY, "/broadcasts")
        assert "(sent again)" in listing.text
        assert not any("send again" in text for text, _ in listing.buttons)
