"""/newmeeting end to end: bad input at each step gets a clear message and another go, the
crisis net still answers mid-conversation, the preview shows what was understood, and
confirming invites the audience through the delivery engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.services.meetings.rules import (
    LengthTooLong,
    LengthTooShort,
    LengthUnclear,
    read_length,
)
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from handlers.meetings.newmeeting import split_where
from tests.e2e.harness import RunningBot, running_bot

pytestmark = pytest.mark.timeout(90)

CASEY = 900_000_001
NW = [600_000_001, 600_000_002]
SAM = 600_000_099  # a member, not a coordinator
DAYTIME = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """The emulator with Telegram's limits."""
    async with BotApiEmulator() as emulator:
        emulator.set_limits(per_chat_burst=20)
        yield emulator


async def said(bot: RunningBot, user: int, text: str, wanted: str) -> MessageRecord:
    """Send text and wait for the bot's message containing ``wanted``."""
    await bot.emu.send_text(user, text)
    return await wait_text(bot, user, wanted)


async def pressed(bot: RunningBot, user: int, message: MessageRecord, label: str, wanted: str):
    """Press a button and wait for the bot's message containing ``wanted``."""
    await bot.emu.press_button(user, message, text=label)
    return await wait_text(bot, user, wanted)


async def wait_text(bot: RunningBot, user: int, wanted: str, timeout: float = 10) -> MessageRecord:  # noqa: ASYNC109
    """The next bot message (or edit) in the chat containing ``wanted``."""
    return await bot.emu.wait_for_message(
        user, lambda m: wanted in (m.text or "") + (m.caption or ""), timeout=timeout
    )


async def test_a_coordinator_sets_up_a_meeting_with_bad_input_at_each_step(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    async with running_bot(tmp_path, emu, clock=Clock(DAYTIME), coordinator_ids=[CASEY]) as bot:
        for member_id in [*NW, SAM]:
            emu.add_user(member_id, "M")
            emu.chat(member_id).started = True
            await bot.services.members.join(member_id, "M")
            region = "north_west" if member_id in NW else "midlands"
            await bot.services.members.choose_region(member_id, region)
            await bot.services.members.finish_setup(member_id)

        await said(bot, SAM, "/newmeeting", "only for coordinators")

        await said(bot, CASEY, "/newmeeting", "What is the meeting called?")
        await said(bot, CASEY, "x" * 101, "up to 100 letters")
        await said(bot, CASEY, "North West <hub> meeting", "When does it start?")
        await said(bot, CASEY, "12/25/2026 14:00", "day first")  # month first: no such month
        await said(bot, CASEY, "31/02/2027 10:00", "could not read")  # no such day
        await said(bot, CASEY, "1/12/2026 10:00", "has passed")
        await said(bot, CASEY, "31/10/2027 01:30", "comes twice")  # clocks go back that night
        await said(bot, CASEY, "28/03/2027 01:30", "does not exist")  # clocks go forward
        await said(bot, CASEY, "25/12/2028 10:00", "more than a year")
        # The crisis net still answers mid-conversation, and nothing is lost.
        await said(bot, CASEY, "I want to kill myself", "Samaritans")
        length = await said(bot, CASEY, "tomorrow 10:30", "How long is it?")
        await said(bot, CASEY, "forever", "could not read that as a length")
        length = await wait_text(bot, CASEY, "How long is it?")
        where = await pressed(bot, CASEY, length, "90 minutes", "Where is it?")
        await said(bot, CASEY, " ", "an address or a link")
        audience = await said(
            bot, CASEY, "Central Library, or online at https://meet.example.org/nw", "Who is it"
        )
        await said(bot, CASEY, "the north west", "use the buttons")
        audience = await wait_text(bot, CASEY, "Who is it")
        regions = await pressed(bot, CASEY, audience, "One region", "Which region?")
        notes = await pressed(bot, CASEY, regions, "North West", "anything people should know")
        repeat = await said(bot, CASEY, "Step-free access. Travel paid.", "Does it repeat?")
        assert repeat.buttons[0][0] == "Just once"
        feedback = await pressed(bot, CASEY, repeat, "Every month, same weekday", "feedback")
        preview = await pressed(bot, CASEY, feedback, "No feedback survey", "Please check")
        assert "It repeats every month, on the second Friday." in preview.text
        assert "Feedback: no survey." in preview.text
        assert "North West &lt;hub&gt; meeting" not in preview.text  # shown as text, not HTML
        assert "North West <hub> meeting" in preview.text
        assert "Friday 11 December 2026 at 10:30" in preview.text
        assert "90 minutes" in preview.text and "Central Library" in preview.text
        assert "https://meet.example.org/nw" in preview.text and "Step-free" in preview.text
        assert "I will invite 2 people" in preview.text
        assert where.message_id and notes.message_id

        go = dict(preview.buttons)["Send invitations"]
        done = await pressed(bot, CASEY, preview, "Send invitations", "Invitations are on")
        assert "2 people" in done.text
        for member_id in NW:
            invite = await wait_text(bot, member_id, "You are invited")
            assert "North West <hub> meeting" in invite.text
        assert await bot.services.db.fetch_value("SELECT COUNT(*) FROM meetings") == 1
        assert await bot.services.db.fetch_value("SELECT rule FROM meeting_series") == "monthly"
        # A second tap on the old preview (a press delivered again) is answered and makes
        # nothing; the message keeps saying the invitations are on.
        query = await bot.emu.press_button(CASEY, preview, go, forge=True)
        await bot.emu.wait_for_answer(query)
        assert await bot.services.db.fetch_value("SELECT COUNT(*) FROM meetings") == 1
        audit = await bot.services.db.fetch_value(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'meeting.created'"
        )
        assert audit == 1

        await bot.emu.send_text(CASEY, "/meetings")
        item = await wait_text(bot, CASEY, "No answer yet: 2.")
        await bot.emu.press_button(CASEY, item, text="Stop repeating")
        await wait_text(bot, CASEY, "No new meetings will be made")
        assert await bot.services.db.fetch_value("SELECT active FROM meeting_series") == 0


def test_lengths_and_places_are_read_kindly() -> None:
    assert read_length("90") == 90
    assert read_length("90 minutes") == 90
    assert read_length("2 hours") == 120
    assert read_length("1.5h") == 90
    assert (
        read_length("1 hour 30") == read_length("1:30") == read_length("an hour and a half") == 90
    )
    assert read_length("half an hour") == 30
    for too_short in ("0", "-5", "0.2", "-5 minutes"):
        with pytest.raises(LengthTooShort):
            read_length(too_short)
    for too_long in ("13 hours", "99999", "9" * 400):
        with pytest.raises(LengthTooLong):
            read_length(too_long)
    for unclear in ("forever", "", "ninety", "1,000", "90 fortnights"):
        with pytest.raises(LengthUnclear):
            read_length(unclear)
    # The place is kept as typed; the link in it is found for the calendar file.
    assert split_where("https://x.org/a") == ("", "https://x.org/a")
    assert split_where(" Town Hall, Leeds ") == ("Town Hall, Leeds", "")
    assert split_where("Town Hall and https://x.org/a") == (
        "Town Hall and https://x.org/a",
        "https://x.org/a",
    )
    typed = "M1 1AA & online https://meet.example.org/abc"
    assert split_where(typed) == (typed, "https://meet.example.org/abc")
    assert split_where("Online (https://x.org/a).")[1] == "https://x.org/a"
