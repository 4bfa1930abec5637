"""Meetings end to end: the real bot on the emulator. Invitations with answer buttons, the
message showing the answer, /meetings and the menu button, calendar files parsed back with
icalendar, coordinators' counts, reminders on time from a JobQueue job, and restarts with
reminders that fell due while the bot was down (late before the start, missed after, never
twice)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

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

LONDON = ZoneInfo("Europe/London")
CASEY = 900_000_001
SAM, ALEX, JO = 600_000_001, 600_000_002, 600_000_003
MIDLANDS = 600_000_011
DAYTIME = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)  # Thursday, 14:30 in London
START = datetime(2026, 12, 15, 14, 0, tzinfo=UTC)  # Tuesday 15 December, 14:00 in London


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """The emulator with Telegram's limits (short bursts allowed per chat)."""
    async with BotApiEmulator() as emulator:
        emulator.set_limits(per_chat_burst=20)
        yield emulator


def start_bot(tmp_path: Path, emu: BotApiEmulator, clock: Clock, **settings: object):
    """The real bot with Casey as coordinator."""
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    return running_bot(tmp_path, emu, clock=clock, coordinator_ids=[CASEY], **settings)


async def seed(bot: RunningBot) -> None:
    """Sam, Alex and Jo in North West; one member in the Midlands."""
    places = [(SAM, "north_west"), (ALEX, "north_west"), (JO, "north_west")]
    for member_id, region in [*places, (MIDLANDS, "midlands")]:
        bot.emu.add_user(member_id, f"Member{member_id % 100}")
        bot.emu.chat(member_id).started = True
        await bot.services.members.join(member_id, f"Member{member_id % 100}")
        await bot.services.members.choose_region(member_id, region)
        await bot.services.members.finish_setup(member_id)


def meeting(starts_at: datetime = START) -> MeetingDraft:
    """A North West meeting at the library and online."""
    return MeetingDraft(
        title="North West hub meeting",
        starts_at=starts_at,
        duration_minutes=90,
        audience=Audience(REGION, "north_west"),
        place="Central Library",
        link="https://meet.example.org/nw",
        notes="Travel paid.",
    )


async def wait_text(bot: RunningBot, user: int, wanted: str, timeout: float = 10) -> MessageRecord:  # noqa: ASYNC109
    """The next bot message (or edit) in the chat containing ``wanted``."""
    return await bot.emu.wait_for_message(
        user, lambda m: wanted in (m.text or "") + (m.caption or ""), timeout=timeout
    )


def copies(bot: RunningBot, user: int, text: str) -> int:
    """How many bot messages in the chat contain ``text``."""
    return sum(1 for m in bot.emu.chat(user).bot_messages if text in (m.text or ""))


async def reminder_states(bot: RunningBot, meeting_id: int) -> list[str]:
    """A meeting's reminder states, soonest first."""
    rows = await bot.services.db.fetch_all(
        "SELECT state FROM meeting_reminders WHERE meeting_id = ? ORDER BY due_at", (meeting_id,)
    )
    return [row["state"] for row in rows]


def labels(message: MessageRecord) -> list[str]:
    """The button labels on a message."""
    return [label for label, _ in message.buttons]


async def test_invitation_answer_list_menu_calendar_and_counts(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    async with start_bot(tmp_path, emu, Clock(DAYTIME)) as bot:
        await seed(bot)
        created = await bot.services.meetings.create(CASEY, meeting())
        assert created.invited == 3

        invite = await wait_text(bot, SAM, "You are invited to a meeting")
        assert "Tuesday 15 December 2026 at 14:00" in invite.text
        assert labels(invite) == ["Going", "Maybe", "Can't make it"]
        assert copies(bot, MIDLANDS, "invited") == 0

        query = await emu.press_button(SAM, invite, text="Going")
        edited = await wait_text(bot, SAM, "Your answer: going")
        assert edited.message_id == invite.message_id  # the invitation now shows the answer
        await emu.wait_for_answer(query)
        query = await emu.press_button(SAM, edited, text="Can't make it")
        await wait_text(bot, SAM, "Your answer: can't make it")
        query = await emu.press_button(ALEX, await wait_text(bot, ALEX, "invited"), text="Maybe")
        await wait_text(bot, ALEX, "Your answer: maybe")

        await emu.send_text(SAM, "/meetings")
        await wait_text(bot, SAM, "Your meetings")
        item = await wait_text(bot, SAM, "North West hub meeting")
        assert "Your answer: can't make it" in item.text
        assert "Add to calendar" in labels(item)

        await emu.press_button(SAM, item, text="Add to calendar")
        sent = await bot.emu.wait_for_message(SAM, lambda m: m.document is not None)
        assert sent.document.filename == f"meeting-{created.meeting.id}.ics"
        calendar = icalendar.Calendar.from_ical(sent.document.data)
        [event] = calendar.walk("VEVENT")
        start = event.decoded("dtstart")
        assert start.tzinfo is not None and str(event["dtstart"].params["TZID"]) == "Europe/London"
        assert start == START and start.astimezone(LONDON).hour == 14
        assert event.decoded("dtend") - start == timedelta(minutes=90)
        assert str(event["summary"]) == "North West hub meeting"
        assert calendar.walk("VTIMEZONE")  # the zone travels with the file

        await emu.send_text(JO, "/menu")
        menu = await wait_text(bot, JO, "What would you like to do?")
        await emu.press_button(JO, menu, text="Meetings")
        await wait_text(bot, JO, "Your meetings")
        item = await wait_text(bot, JO, "North West hub meeting")
        assert "You have not answered yet." in item.text

        await emu.send_text(MIDLANDS, "/meetings")
        none = await wait_text(bot, MIDLANDS, "no meetings coming up for you")

        await emu.send_text(CASEY, "/meetings")
        await wait_text(bot, CASEY, "Meetings coming up")
        counts = await wait_text(bot, CASEY, "Going:")
        assert "Going: 0. Maybe: 1. Can't come: 1. No answer yet: 1." in counts.text

        # A stale or forged button: refused kindly, nothing stored.
        await emu.press_button(MIDLANDS, none, f"mt:{created.meeting.id}:g", forge=True)
        await wait_text(bot, MIDLANDS, "out of date")
        assert (
            await bot.services.db.fetch_value(
                "SELECT COUNT(*) FROM meeting_rsvps WHERE member_id = ?", (MIDLANDS,)
            )
            == 0
        )


async def test_a_reminder_job_fires_on_time_to_going_and_maybe_with_one_nudge(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock()  # real time, so the JobQueue's timer and the bot's clock agree
    async with start_bot(tmp_path, emu, clock, quiet_hours_start=0, quiet_hours_end=0) as bot:
        await seed(bot)
        starts = clock.now() + timedelta(hours=24, seconds=2)
        created = await bot.services.meetings.create(CASEY, meeting(starts))
        for member_id, label in ((SAM, "Going"), (ALEX, "Can't make it")):
            invite = await wait_text(bot, member_id, "invited")
            await emu.press_button(member_id, invite, text=label)
            await wait_text(bot, member_id, "Your answer")
        reminder = await wait_text(bot, SAM, "A friendly reminder", timeout=15)
        assert "North West hub meeting" in reminder.text
        nudge = await wait_text(bot, JO, "You have not said yet")
        assert labels(nudge) == ["Going", "Maybe", "Can't make it"]
        rows = await bot.services.db.fetch_all(
            "SELECT state FROM meeting_reminders WHERE meeting_id = ? ORDER BY due_at",
            (created.meeting.id,),
        )
        assert [r["state"] for r in rows] == ["sent", "pending"]
        assert copies(bot, ALEX, "A friendly reminder") == 0  # never to those who can't come


async def test_restart_sends_overdue_reminders_late_once_and_records_missed_ones(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        first = (await bot.services.meetings.create(CASEY, meeting())).meeting
        later = await bot.services.meetings.create(CASEY, meeting(START + timedelta(days=2)))
        for _ in range(2):
            invite = await wait_text(bot, SAM, "invited")
            await emu.press_button(SAM, invite, text="Going")
            await wait_text(bot, SAM, "Your answer: going")

    # Down for a while: the first meeting's 24-hour reminder fell due 30 minutes ago.
    clock.set(START - timedelta(hours=23, minutes=30))
    async with start_bot(tmp_path, emu, clock) as bot:
        await wait_text(bot, SAM, "A friendly reminder")
        assert await reminder_states(bot, first.id) == ["late", "pending"]
    async with start_bot(tmp_path, emu, clock) as bot:  # started again: not sent twice
        assert await reminder_states(bot, first.id) == ["late", "pending"]
        await asyncio.sleep(1)
        await bot.services.delivery.check()
    assert copies(bot, SAM, "A friendly reminder") == 1

    # Down past the first meeting's start: its 2-hour reminder is only recorded as missed.
    clock.set(START + timedelta(minutes=10))
    async with start_bot(tmp_path, emu, clock) as bot:
        assert await reminder_states(bot, first.id) == ["late", "missed"]
        pending = await bot.services.meetings.pending_reminders()
        assert len(pending) == 2  # the other meeting's, armed as jobs
        names = {job.name for job in bot.app.job_queue.jobs()}
        assert {f"meeting-reminder-{rid}" for rid, _ in pending} <= names
        assert later.meeting.id
    assert copies(bot, SAM, "A friendly reminder") == 1


async def test_a_coordinator_moves_then_cancels_a_meeting_from_the_list(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    async with start_bot(tmp_path, emu, Clock(DAYTIME)) as bot:
        await seed(bot)
        created = await bot.services.meetings.create(CASEY, meeting())
        for member_id, label in ((SAM, "Going"), (ALEX, "Can't make it")):
            invite = await wait_text(bot, member_id, "invited")
            await emu.press_button(member_id, invite, text=label)
            await wait_text(bot, member_id, "Your answer")

        await emu.send_text(CASEY, "/meetings")
        item = await wait_text(bot, CASEY, "Going: 1.")
        await emu.press_button(CASEY, item, text="Change time")
        await wait_text(bot, CASEY, "Send the new date and time")
        await emu.send_text(CASEY, "32/12 10:00")
        await wait_text(bot, CASEY, "could not read")
        await emu.send_text(CASEY, "17/12/2026 18:00")
        await wait_text(bot, CASEY, "reminders have moved")
        changed = await wait_text(bot, SAM, "has changed")
        assert "Thursday 17 December 2026 at 18:00" in changed.text
        assert copies(bot, ALEX, "has changed") == 0  # said they can't come
        assert copies(bot, JO, "has changed") == 0  # has not answered
        due = await bot.services.db.fetch_all(
            "SELECT due_at FROM meeting_reminders WHERE meeting_id = ? AND state = 'pending' "
            "ORDER BY due_at",
            (created.meeting.id,),
        )
        assert [r["due_at"] for r in due] == [
            "2026-12-16T18:00:00+00:00",
            "2026-12-17T16:00:00+00:00",
        ]

        await emu.send_text(CASEY, "/meetings")
        item = await wait_text(bot, CASEY, "Going: 1.")
        await emu.press_button(CASEY, item, text="Cancel meeting")
        confirm = await wait_text(bot, CASEY, "Cancel this meeting?")
        await emu.press_button(CASEY, confirm, text="Yes, cancel it")
        done = await wait_text(bot, CASEY, "The meeting is cancelled")
        assert "telling 2 people" in done.text  # Sam (going) and Jo (no answer), not Alex
        for member_id in (SAM, JO):
            await wait_text(bot, member_id, "this meeting is cancelled")
        assert copies(bot, ALEX, "cancelled") == 0
        # Members can no longer answer.
        await emu.press_button(SAM, changed, text="Maybe")
        await wait_text(bot, SAM, "was cancelled")
