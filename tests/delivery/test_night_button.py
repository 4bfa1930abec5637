"""At night (quiet hours, 21:00 to 08:00), the /broadcast preview's send button says what
will happen, "Send at 08:00", instead of "Send now"; an urgent message still sends now."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import Clock
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.e2e.harness import RunningBot, running_bot

pytestmark = pytest.mark.timeout(90)

CASEY = 900_000_001
MEMBERS = [600_000_001, 600_000_002]
# Thursday 10 December 2026 in London (no summer time in December).
BEFORE_MIDNIGHT = datetime(2026, 12, 10, 22, 0, tzinfo=UTC)
AFTER_MIDNIGHT = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)
DAYTIME = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)
MORNING = datetime(2026, 12, 11, 8, 0, tzinfo=UTC)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """An emulator with Telegram's limits (a coordinator's chat gets short bursts)."""
    async with BotApiEmulator() as emulator:
        emulator.set_limits(per_chat_burst=6)
        yield emulator


async def start(tmp_path: Path, emu: BotApiEmulator, moment: datetime):
    """The bot at ``moment``, with Casey as coordinator."""
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    return running_bot(tmp_path, emu, clock=Clock(moment), coordinator_ids=[CASEY])


async def seed(bot: RunningBot) -> None:
    """Two North West members who want forum news."""
    for member_id in MEMBERS:
        bot.emu.add_user(member_id, "M")
        bot.emu.chat(member_id).started = True
        await bot.services.members.join(member_id, "M")
        await bot.services.members.choose_region(member_id, "north_west")
        await bot.services.members.finish_setup(member_id)


def copies(bot: RunningBot, user: int, text: str) -> int:
    """How many bot messages in the chat contain ``text``."""
    return sum(1 for m in bot.emu.chat(user).bot_messages if text in (m.text or ""))


def labels(message: MessageRecord) -> list[str]:
    """The button labels on a message."""
    return [label for label, _ in message.buttons]


async def wait_text(bot: RunningBot, user: int, wanted: str) -> MessageRecord:
    """The next bot message (or edit) in the chat containing ``wanted``."""
    return await bot.emu.wait_for_message(
        user, lambda m: wanted in (m.text or "") + (m.caption or ""), timeout=10
    )


async def said(bot: RunningBot, text: str, wanted: str) -> MessageRecord:
    """Casey sends text and gets the bot's message containing ``wanted``."""
    await bot.emu.send_text(CASEY, text)
    return await wait_text(bot, CASEY, wanted)


async def pressed(bot: RunningBot, message: MessageRecord, label: str, wanted: str):
    """Casey presses a button and gets the bot's message containing ``wanted``."""
    query = await bot.emu.press_button(CASEY, message, text=label)
    reply = await wait_text(bot, CASEY, wanted)
    await bot.emu.wait_for_answer(query)
    return reply


async def preview(bot: RunningBot, text: str) -> MessageRecord:
    """A message to everyone, written and shown as members will see it."""
    ask = await said(bot, "/broadcast", "Who should get it?")
    await pressed(bot, ask, "Everyone", "write your message")
    return await said(bot, text, "Above is how members will see it")


async def test_before_midnight_the_button_says_send_at_8_tomorrow_and_does_that(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    async with await start(tmp_path, emu, BEFORE_MIDNIGHT) as bot:
        await seed(bot)
        summary = await preview(bot, "See you at the hub")

        assert labels(summary)[0] == "Send at 08:00 tomorrow"
        assert not any("Send now" in label for label in labels(summary))
        assert "it will wait until 11 Dec 2026, 08:00" in summary.text

        done = await pressed(bot, summary, "Send at 08:00 tomorrow", "Done.")
        assert "will go to 2 people at 11 Dec 2026, 08:00" in done.text
        await asyncio.sleep(1.5)
        assert not any(copies(bot, m, "See you at the hub") for m in MEMBERS)  # not at night
        bot.clock.set(MORNING)
        bot.services.delivery.wake()
        await wait_text(bot, CASEY, "is done.")
        assert all(copies(bot, m, "See you at the hub") == 1 for m in MEMBERS)


async def test_urgent_messages_still_send_now_at_night(tmp_path: Path, emu: BotApiEmulator) -> None:
    async with await start(tmp_path, emu, BEFORE_MIDNIGHT) as bot:
        await seed(bot)
        summary = await preview(bot, "Tonight's meeting is off")
        urgent = await pressed(bot, summary, "Make it urgent", "Urgent: yes")

        assert labels(urgent)[0] == "✅ Send now"
        not_urgent = await pressed(bot, urgent, "Make it not urgent", "Urgent: no")
        assert labels(not_urgent)[0] == "Send at 08:00 tomorrow"


async def test_after_midnight_it_is_send_at_8_and_a_chosen_time_offers_it_instead(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    async with await start(tmp_path, emu, AFTER_MIDNIGHT) as bot:
        await seed(bot)
        summary = await preview(bot, "Hub news")
        assert labels(summary)[0] == "Send at 08:00"

        await pressed(bot, summary, "🕒 Send it later", "When should it go out?")
        later = await said(bot, "today 18:00", "Above is how members will see it")
        assert labels(later)[:3] == [
            "Send at 11 Dec 2026, 18:00",
            "🕒 Change the time",
            "Send at 08:00",
        ]


async def test_in_the_day_it_is_send_now(tmp_path: Path, emu: BotApiEmulator) -> None:
    async with await start(tmp_path, emu, DAYTIME) as bot:
        await seed(bot)
        summary = await preview(bot, "Hub news")

        assert labels(summary)[0] == "✅ Send now"
        await pressed(bot, summary, "🕒 Send it later", "When should it go out?")
        later = await said(bot, "tomorrow 9:30", "Above is how members will see it")
        assert "Send now" in labels(later)
