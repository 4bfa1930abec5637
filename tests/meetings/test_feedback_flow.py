"""The after-meeting feedback survey through the whole bot on the emulator: a coordinator sets up
a meeting with the shipped feedback survey, marks who came (and is told when it will go), the
clock moves past the hour after the end, and the one who came gets the invitation and answers;
one who said going but did not come gets nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import Audience
from bot.delivery.audience import EVERYONE
from bot.services.meetings import MeetingDraft
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.e2e.harness import RunningBot, running_bot

pytestmark = pytest.mark.timeout(120)

CASEY = 900_000_001
SAM, ALEX = 600_000_001, 600_000_002
DAYTIME = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)  # Thursday, 14:30 in London
START = datetime(2026, 12, 10, 16, 30, tzinfo=UTC)  # the meeting: 16:30 to 18:00
ENDS = START + timedelta(minutes=90)
SURVEY = "How was the meeting?"


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """The emulator with Telegram's limits."""
    async with BotApiEmulator() as emulator:
        emulator.set_limits(per_chat_burst=20)
        yield emulator


def labels(message: MessageRecord) -> list[str]:
    """Every button label on a message, in order."""
    return [label for label, _ in message.buttons]


async def arrives(bot: RunningBot, person: int, words: str) -> MessageRecord:
    """The next message in a person's chat holding these words."""
    return await bot.emu.wait_for_message(
        person, lambda m: bool(m.text and words in m.text), timeout=10
    )


async def test_those_who_came_get_the_feedback_survey_and_can_answer(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    clock = Clock(DAYTIME)
    settings = {"quiet_hours_start": 0, "quiet_hours_end": 0}
    async with running_bot(tmp_path, emu, clock=clock, coordinator_ids=[CASEY], **settings) as bot:
        for member_id, name in ((SAM, "Sam"), (ALEX, "Alex")):
            emu.add_user(member_id, name)
            emu.chat(member_id).started = True
            await bot.services.members.join(member_id, name)
            await bot.services.members.choose_region(member_id, "north_west")
            await bot.services.members.finish_setup(member_id)

        # /newmeeting, with the new step before the check.
        await bot.say(CASEY, "/newmeeting")
        await bot.say(CASEY, "North West hub meeting")
        length = await bot.say(CASEY, "10/12/2026 16:30")
        where = await bot.press(CASEY, length, "90 minutes")
        assert "Where is it?" in where.text
        audience = await bot.say(CASEY, "Central Library")
        notes = await bot.press(CASEY, audience, "The whole forum")
        repeat = await bot.press(CASEY, notes, "No notes")
        ask = await bot.press(CASEY, repeat, "Just once")
        assert "Send a short feedback survey to those who came?" in ask.text
        assert SURVEY in labels(ask) and "No feedback survey" in labels(ask)
        assert "Getting help in a crisis" in labels(ask)  # the example, a forum survey, fits too
        await bot.say(CASEY, "yes please")  # typed where a button is wanted: asked again
        ask = await arrives(bot, CASEY, "Send a short feedback survey")
        preview = await bot.press(CASEY, ask, SURVEY)
        assert "Please check the meeting" in preview.text
        assert f"Feedback: {SURVEY} goes to those who came, an hour after it ends." in (
            preview.text
        )
        done = await bot.press(CASEY, preview, "Send invitations")
        assert "Invitations are on" in done.text

        for member_id in (SAM, ALEX):
            invite = await arrives(bot, member_id, "You are invited")
            await bot.press(member_id, invite, "Going")

        # After the start: Alex did not come after all. Saving tells Casey when it will go.
        clock.set(START + timedelta(minutes=20))
        await emu.send_text(CASEY, "/meetings")
        item = await emu.wait_for_message(CASEY, lambda m: "Mark who came" in str(m.buttons))
        sheet = await bot.press(CASEY, item, "Mark who came")
        assert labels(sheet) == ["✅ Alex", "✅ Sam", "Save"]
        sheet = await bot.press(CASEY, sheet, "✅ Alex")
        saved = await bot.press(CASEY, sheet, "Save")
        assert "1 person came" in saved.text
        assert (
            "The feedback survey will go to 1 person who came, on Thursday 10 December 2026 "
            "at 19:00." in saved.text
        )

        # An hour after the end (the sweep the job runs every minute).
        clock.set(ENDS + timedelta(minutes=59))
        assert await bot.services.feedback.sweep() == []
        clock.set(ENDS + timedelta(hours=1))
        assert len(await bot.services.feedback.sweep()) == 1
        bot.services.delivery.wake()

        invitation = await arrives(bot, SAM, SURVEY)
        assert "North West hub meeting" in invitation.text
        consent = await bot.press(SAM, invitation, "Start")
        assert "The forum's coordinators." in consent.text
        assert "This survey is anonymous" in consent.text
        useful = await bot.press(SAM, consent, "I agree, let's start")
        assert "How useful was the meeting for you?" in useful.text
        heard = await bot.press(SAM, useful, "4")
        assert "Did you feel listened to?" in heard.text
        change = await bot.press(SAM, heard, "Partly")
        assert "Is there anything we should change for next time?" in change.text
        thanks = await bot.say(SAM, "More breaks, please")
        assert "Thank you!" in thanks.text
        assert await bot.services.db.fetch_value("SELECT COUNT(*) FROM survey_responses") == 1

        # Alex said going but was not marked as came: no survey, ever.
        assert await bot.services.feedback.sweep() == []
        assert not [m for m in emu.chat(ALEX).messages if m.text and SURVEY in m.text]
        assert await bot.services.surveys.for_member(ALEX) == []


async def test_a_coordinator_turns_the_feedback_survey_on_and_off_from_meetings(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    async with running_bot(tmp_path, emu, clock=Clock(DAYTIME), coordinator_ids=[CASEY]) as bot:
        draft = MeetingDraft("Hub meeting", START, 90, Audience(EVERYONE), place="Town hall")
        meeting = (await bot.services.meetings.create(CASEY, draft)).meeting

        await emu.send_text(CASEY, "/meetings")
        card = await arrives(bot, CASEY, "Feedback survey: none.")
        files = await bot.press(CASEY, card, "Feedback survey")
        assert "Which feedback survey should go to those who came" in files.text
        assert labels(files)[0] == "No feedback survey" and SURVEY in labels(files)
        chosen = await bot.press(CASEY, files, SURVEY)
        assert f"Saved. {SURVEY} will go to those who came" in chosen.text
        assert await bot.services.feedback.chosen(CASEY, meeting.id) == "meeting_feedback"

        await emu.send_text(CASEY, "/meetings")
        card = await arrives(bot, CASEY, f"Feedback survey: {SURVEY}.")
        files = await bot.press(CASEY, card, "Feedback survey")
        off = await bot.press(CASEY, files, "No feedback survey")
        assert "No feedback survey will go for this meeting." in off.text
        assert await bot.services.feedback.chosen(CASEY, meeting.id) is None
