"""Delivery reports and /broadcasts, whole bot against the emulator: who did not get a message
is named, with why in plain words and what to do next; coordinators' messages are listed apart
from the bot's own notices, each numbered in its own order."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import Audience
from bot.delivery.audience import EVERYONE
from bot.services.broadcasts import Draft
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.consultations.world import CASEY, DAYTIME, draft, start_bot
from tests.e2e.harness import RunningBot

pytestmark = pytest.mark.timeout(120)

AMY, BEN = 600_000_501, 600_000_502  # members who get everything
SAM = 600_000_503  # a member who blocked the bot
TOM = 600_000_504  # a member whose chat Telegram no longer knows ("chat not found")


def text_of(record: MessageRecord) -> str:
    """What a person reads in a message."""
    return (record.text or "") + (record.caption or "")


async def members(bot: RunningBot) -> None:
    """Four members; Sam then blocks the bot, and Tom's chat is gone."""
    for member_id, name in ((AMY, "Amy"), (BEN, "Ben"), (SAM, "Sam"), (TOM, "Tom")):
        bot.emu.add_user(member_id, name)
        if member_id != TOM:
            bot.emu.chat(member_id).started = True
        await bot.services.members.join(member_id, name)
        await bot.services.members.choose_region(member_id, "north_west")
        await bot.services.members.finish_setup(member_id)
    bot.emu.block_user(SAM)


async def broadcast(bot: RunningBot, text: str) -> int:
    """Casey sends a message to everyone; return its broadcast id."""
    queued = await bot.services.broadcasts.send(
        CASEY, Draft(audience=Audience(EVERYONE), text_html=text)
    )
    return queued.broadcast_id


async def test_the_report_names_who_did_not_get_it_why_and_what_to_do(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    async with start_bot(tmp_path, emu, Clock(DAYTIME)) as bot:
        await members(bot)
        await broadcast(bot, "Hello from the forum: the plan for next week")

        report = await emu.wait_for_message(
            CASEY, lambda m: "Message 1 is done." in text_of(m), timeout=20
        )
        assert "Got it: 2" in report.text
        assert "Who did not get it" in report.text
        assert "• Sam: has blocked the bot" in report.text
        assert "• Tom: has not opened the bot yet" in report.text
        assert str(SAM) not in report.text and str(TOM) not in report.text  # names, not ids
        assert "What you can do" in report.text
        assert "Blocked the bot: only they can undo this" in report.text
        assert "Not opened the bot: ask them to open it and press Start" in report.text
        assert report.buttons == []  # nobody "not sure": nothing to send again


async def test_broadcasts_lists_coordinators_messages_apart_from_the_bots_notices(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await members(bot)
        await broadcast(bot, "Hello from the forum: first")
        await emu.wait_for_message(CASEY, lambda m: "Message 1 is done." in text_of(m), 20)
        # A consultation opens between them: its questions are the bot's own notice.
        await bot.services.consultations.create(CASEY, draft(clock))
        await emu.wait_for_message(AMY, lambda m: "evenings" in text_of(m), timeout=10)
        second = await broadcast(bot, "Hello from the forum: second")
        # Counted among coordinators' messages only: the second is "Message 2".
        await emu.wait_for_message(CASEY, lambda m: "Message 2 is done." in text_of(m), 20)
        await asyncio.sleep(0.5)

        listing = await bot.say(CASEY, "/broadcasts")
        text = listing.text
        mine, _, notices = text.partition("The bot's own notices")
        assert "Your last messages to members" in mine
        assert mine.index("Message 2") < mine.index("Message 1")  # newest first
        assert second == 3 and "Message 3" not in text  # its id counts the notice too
        assert "Consultation question" not in mine
        assert "Consultation question 1" in notices
        assert "Message" not in notices
        assert "Did not get it: Sam (has blocked the bot)" in mine
        assert "Tom (has not opened the bot yet)" in mine
        # The first marked them unreachable, so the second was not for them at all.
        assert "Done: 2 of 2 got it." in mine.split("Message 1")[0]
        assert "What you can do" in text
        assert str(SAM) not in text
