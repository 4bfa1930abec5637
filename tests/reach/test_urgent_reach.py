"""Urgent contact notices reach every coordinator, whole bot against the emulator: one who
paused member messages in /settings still gets the notice and the reminder (other messages
still wait for them); and when no coordinator can be reached, the person is never told it was
passed on: they are told plainly, with 999 and Samaritans, once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.contact_jobs import JOB_NAME
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.e2e.harness import RunningBot, running_bot

pytestmark = pytest.mark.timeout(120)

CASEY, ALEX = 900_000_001, 900_000_002  # coordinators; Alex is also a member
JO, SAM = 700_000_901, 700_000_902
CRISIS = "I want to kill myself"
ASK = "Ask a coordinator to contact me"
TOLD = "I have told all the coordinators"
NOT_PASSED = "I could not pass your message on to a coordinator right now"


def text_of(record: MessageRecord) -> str:
    """What a person reads in a message."""
    return (record.text or "") + (record.caption or "")


def count(emu: BotApiEmulator, chat_id: int, words: str) -> int:
    """Bot messages in a chat containing ``words``."""
    chat = emu.state.chats.get(chat_id)
    if chat is None:
        return 0
    return sum(1 for m in chat.messages if m.from_bot and words in text_of(m))


async def crisis_ask(bot: RunningBot, user_id: int, name: str) -> MessageRecord:
    """Crisis words, then "Ask a coordinator to contact me"; return what they were told."""
    bot.emu.add_user(user_id, name)
    crisis = await bot.say(user_id, CRISIS)
    return await bot.press(user_id, crisis, ASK)


async def test_a_coordinator_who_paused_member_messages_still_gets_urgent_notices(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    for user_id, name in ((CASEY, "Casey"), (ALEX, "Alex")):
        emu.add_user(user_id, name)
        emu.chat(user_id).started = True
    async with running_bot(
        tmp_path,
        emu,
        clock=Clock(),
        coordinator_ids=[CASEY, ALEX],
        quiet_hours_start=0,
        quiet_hours_end=0,
        urgent_contact_reminder_hours=2,
    ) as bot:
        members = bot.services.members
        await members.join(ALEX, "Alex")
        await members.finish_setup(ALEX)
        await members.pause(ALEX, 2)  # Alex paused member messages in /settings

        told = await crisis_ask(bot, JO, "Jo")
        assert TOLD in told.text
        for coordinator in (CASEY, ALEX):
            notice = await emu.wait_for_message(
                coordinator, lambda m: "Urgent: request" in text_of(m), timeout=10
            )
            assert "Jo asked for help" in notice.text

        # Nobody takes it: the one reminder reaches Alex too.
        bot.clock.advance(timedelta(hours=2, minutes=1))
        [job] = bot.app.job_queue.get_jobs_by_name(JOB_NAME)
        await job.run(bot.app)
        for coordinator in (CASEY, ALEX):
            await emu.wait_for_message(
                coordinator, lambda m: "Still waiting: request" in text_of(m), timeout=10
            )

        # Only urgent notices: other messages still wait while Alex's pause lasts.
        other = await bot.services.delivery.enqueue(
            "broadcast", "Forum news for everyone", [CASEY, ALEX], preference="news"
        )
        await emu.wait_for_message(CASEY, lambda m: "Forum news" in text_of(m), timeout=10)
        await asyncio.sleep(1)
        assert count(emu, ALEX, "Forum news") == 0
        skipped = await bot.services.db.fetch_one(
            "SELECT state, reason FROM deliveries WHERE broadcast_id = ? AND recipient_id = ?",
            (other, ALEX),
        )
        assert tuple(skipped) == ("cancelled", "paused")


async def test_when_no_coordinator_can_be_reached_nobody_is_told_it_was_passed_on(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    emu.add_user(CASEY, "Casey")  # the only coordinator has never opened the bot
    async with running_bot(
        tmp_path,
        emu,
        clock=Clock(),
        coordinator_ids=[CASEY],
        quiet_hours_start=0,
        quiet_hours_end=0,
    ) as bot:
        # The bot cannot know yet: the notice is tried, and when it reaches nobody, Jo is
        # told plainly, once.
        first = await crisis_ask(bot, JO, "Jo")
        assert TOLD in first.text
        follow_up = await emu.wait_for_message(JO, lambda m: NOT_PASSED in text_of(m), timeout=15)
        assert "999" in follow_up.text and "116 123" in follow_up.text
        assert "Samaritans" in follow_up.text
        await bot.services.reach.sweep()
        await asyncio.sleep(1)
        assert count(emu, JO, NOT_PASSED) == 1

        # Now the bot knows: Sam is told at once, and not again later.
        told = await crisis_ask(bot, SAM, "Sam")
        assert NOT_PASSED in told.text and TOLD not in told.text
        assert "999" in told.text and "116 123" in told.text
        await bot.services.delivery.check()
        await asyncio.sleep(1.5)
        await bot.services.reach.sweep()
        await asyncio.sleep(1)
        assert count(emu, SAM, NOT_PASSED) == 1
        assert count(emu, SAM, TOLD) == 0
        # The requests are kept for the coordinators all the same.
        stored = await bot.services.db.fetch_all(
            "SELECT telegram_id, unreached_at FROM contact_requests ORDER BY id"
        )
        assert [row["telegram_id"] for row in stored] == [JO, SAM]
        assert all(row["unreached_at"] for row in stored)

        # Jo asking again is not told "the coordinators know" either.
        again = await crisis_ask(bot, JO, "Jo")
        assert NOT_PASSED in again.text and "The coordinators know" not in again.text
