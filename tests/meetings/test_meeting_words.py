"""Issue 12 for meetings, end to end: a place is kept exactly as typed, a length that cannot
be used says why with an example, and reminders carry the answer buttons, which work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from bot.clock import Clock
from bot.delivery import Audience
from bot.delivery.audience import REGION
from bot.services.meetings import MeetingDraft
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.e2e.harness import RunningBot, running_bot

pytestmark = pytest.mark.timeout(90)

CASEY = 900_000_001
SAM, ALEX = 600_000_001, 600_000_002
DAYTIME = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)  # Thursday, 14:30 in London
PLACE = "M1 1AA & online https://meet.example.org/abc"
EXAMPLE = "Type how long it lasts, like 90 minutes or 2 hours."


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """The emulator with Telegram's limits (short bursts allowed per chat)."""
    async with BotApiEmulator() as emulator:
        emulator.set_limits(per_chat_burst=20)
        yield emulator


@pytest.fixture
async def bot(tmp_path: Path, emu: BotApiEmulator) -> AsyncIterator[RunningBot]:
    """The real bot on a fixed daytime clock; Sam and Alex are North West members."""
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    async with running_bot(tmp_path, emu, clock=Clock(DAYTIME), coordinator_ids=[CASEY]) as running:
        for member_id in (SAM, ALEX):
            emu.add_user(member_id, "M")
            emu.chat(member_id).started = True
            await running.services.members.join(member_id, "M")
            await running.services.members.choose_region(member_id, "north_west")
            await running.services.members.finish_setup(member_id)
        yield running


async def wait_text(bot: RunningBot, user: int, wanted: str) -> MessageRecord:
    """The next bot message (or edit) in the chat containing ``wanted``."""
    return await bot.emu.wait_for_message(
        user, lambda m: wanted in (m.text or "") + (m.caption or ""), timeout=10
    )


async def said(bot: RunningBot, user: int, text: str, wanted: str) -> MessageRecord:
    """Send text and wait for the bot's message containing ``wanted``."""
    await bot.emu.send_text(user, text)
    return await wait_text(bot, user, wanted)


async def pressed(
    bot: RunningBot, user: int, message: MessageRecord, label: str, wanted: str
) -> MessageRecord:
    """Press a button and wait for the bot's message containing ``wanted``."""
    await bot.emu.press_button(user, message, text=label)
    return await wait_text(bot, user, wanted)


def labels(message: MessageRecord) -> list[str]:
    """The button labels on a message."""
    return [label for label, _ in message.buttons]


async def test_lengths_that_cannot_be_used_say_why_and_the_place_is_kept_as_typed(
    bot: RunningBot,
) -> None:
    await said(bot, CASEY, "/newmeeting", "What is the meeting called?")
    await said(bot, CASEY, "Hub & friends", "When does it start?")
    await said(bot, CASEY, "tomorrow 10:30", "How long is it?")

    reasons = {
        "0": "too short for a meeting",
        "-5": "too short for a meeting",
        "forever": "could not read that as a length",
        "99999": "A meeting can be up to 12 hours",
    }
    for typed, why in reasons.items():
        told = await said(bot, CASEY, typed, why)
        assert EXAMPLE in told.text, typed
        asked = await wait_text(bot, CASEY, "How long is it?")  # the question again
        assert "90 minutes" in labels(asked)

    await said(bot, CASEY, "1 hour 30", "Where is it?")
    audience = await said(bot, CASEY, f"  {PLACE}  ", "Who is it for?")
    regions = await pressed(bot, CASEY, audience, "One region", "Which region?")
    notes = await pressed(bot, CASEY, regions, "North West", "anything people should know")
    repeat = await pressed(bot, CASEY, notes, "No notes", "Does it repeat?")
    feedback = await pressed(bot, CASEY, repeat, "Just once", "feedback survey")
    preview = await pressed(bot, CASEY, feedback, "No feedback survey", "Please check")

    assert f"Where: {PLACE}\n" in preview.text
    assert "How long: 90 minutes" in preview.text
    assert "M1 1AA &amp; online https://meet.example.org/abc" in preview.html  # escaped once
    await pressed(bot, CASEY, preview, "Send invitations", "on their way to 2 people")

    invite = await wait_text(bot, SAM, "You are invited")
    assert f"Where: {PLACE}\n" in invite.text
    assert invite.text.count("https://meet.example.org/abc") == 1
    stored = await bot.services.db.fetch_one("SELECT place, link, duration_minutes FROM meetings")
    assert (stored["place"], stored["link"]) == (PLACE, "https://meet.example.org/abc")
    assert stored["duration_minutes"] == 90

    # The calendar file has the place as typed, once.
    await bot.emu.press_button(SAM, invite, text="Going")
    answered = await wait_text(bot, SAM, "Your answer: going")
    await bot.emu.press_button(SAM, answered, text="Add to calendar")
    sent = await bot.emu.wait_for_message(SAM, lambda m: m.document is not None)
    [event] = icalendar.Calendar.from_ical(sent.document.data).walk("VEVENT")
    assert str(event["location"]) == PLACE
    assert str(event["url"]) == "https://meet.example.org/abc"


async def test_a_new_place_is_kept_as_typed_too(bot: RunningBot) -> None:
    created = await bot.services.meetings.create(
        CASEY,
        MeetingDraft(
            title="Hub meeting",
            starts_at=DAYTIME + timedelta(days=3),
            duration_minutes=60,
            audience=Audience(REGION, "north_west"),
            place="Central Library",
        ),
    )
    invite = await wait_text(bot, SAM, "You are invited")
    assert "How long: 1 hour\n" in invite.text
    await bot.emu.press_button(SAM, invite, text="Maybe")
    await wait_text(bot, SAM, "Your answer: maybe")

    await bot.emu.send_text(CASEY, "/meetings")
    item = await wait_text(bot, CASEY, "No answer yet")
    await pressed(bot, CASEY, item, "Change place", "new address")
    new_place = "Room 2 (upstairs) - or join: https://meet.example.org/xyz, see you!"
    await said(bot, CASEY, new_place, "Saved")

    changed = await wait_text(bot, SAM, "has changed")
    assert f"Where: {new_place}" in changed.text
    meeting = await bot.services.db.fetch_one(
        "SELECT place, link FROM meetings WHERE id = ?", (created.meeting.id,)
    )
    assert (meeting["place"], meeting["link"]) == (new_place, "https://meet.example.org/xyz")


async def test_a_reminder_carries_the_answer_buttons_and_they_work(bot: RunningBot) -> None:
    services = bot.services
    starts = DAYTIME + timedelta(hours=25)  # reminders due 24 and 2 hours before
    created = await services.meetings.create(
        CASEY,
        MeetingDraft(
            title="North West hub meeting",
            starts_at=starts,
            duration_minutes=90,
            audience=Audience(REGION, "north_west"),
            place="Central Library",
        ),
    )
    for member_id in (SAM, ALEX):
        invite = await wait_text(bot, member_id, "You are invited")
        await bot.emu.press_button(member_id, invite, text="Going")
        await wait_text(bot, member_id, "Your answer: going")

    bot.clock.advance(timedelta(hours=1, minutes=1))
    await services.meetings.send_due()
    reminder = await wait_text(bot, SAM, "A friendly reminder")
    await wait_text(bot, ALEX, "A friendly reminder")

    assert labels(reminder) == ["Going", "Maybe", "Can't make it", "Add to calendar"]
    assert "Tap a button below to change your answer." in reminder.text
    assert "Send /meetings" not in reminder.text

    await bot.emu.press_button(SAM, reminder, text="Can't make it")
    edited = await wait_text(bot, SAM, "Your answer: can't make it")
    assert edited.message_id == reminder.message_id
    answer = await services.db.fetch_value(
        "SELECT answer FROM meeting_rsvps WHERE meeting_id = ? AND member_id = ?",
        (created.meeting.id, SAM),
    )
    assert answer == "no"

    # The next reminder goes to Alex, still going, and not to Sam, who can't come now.
    bot.clock.advance(timedelta(hours=22))
    await services.meetings.send_due()
    second = await wait_text(bot, ALEX, "A friendly reminder")
    assert "Can't make it" in labels(second)
    texts = [[m.text, *(v.text for v in m.history)] for m in bot.emu.chat(SAM).bot_messages]
    reminders = [t for t in texts if any("A friendly reminder" in (v or "") for v in t)]
    assert len(reminders) == 1  # the first, since edited to show the new answer
    rows = await services.db.fetch_all(
        "SELECT d.recipient_id FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id "
        "WHERE b.kind = 'meeting_reminder' ORDER BY b.id, d.recipient_id"
    )
    assert [row["recipient_id"] for row in rows] == [SAM, ALEX, ALEX]
