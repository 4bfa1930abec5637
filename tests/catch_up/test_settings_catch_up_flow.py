"""Catch-up from /settings, end to end: the real bot on the emulator. A member who had turned
questions off and turns them back on gets the question that opened meanwhile and can answer;
a member who ends their pause gets the invitation to a meeting made while they were paused."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import Audience
from bot.delivery.audience import REGION
from bot.services.meetings import MeetingDraft
from emulator import BotApiEmulator
from tests.consultations.world import CASEY, DAYTIME, NW, draft, invitation, seed, start_bot

pytestmark = pytest.mark.timeout(90)


async def test_questions_back_on_and_a_pause_ended_in_settings_bring_what_was_missed(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        quiet, paused = NW[0], NW[1]
        summary = await bot.say(quiet, "/settings")
        switches = await bot.press(quiet, summary, "What I get")
        switches = await bot.press(quiet, switches, "✅ Questions for the forum")
        summary = await bot.say(paused, "/settings")
        await bot.press(paused, summary, "Pause 2 weeks")

        consultation = await bot.services.consultations.create(CASEY, draft(clock))
        await invitation(bot, NW[2])  # the others were asked at opening
        created = await bot.services.meetings.create(
            CASEY,
            MeetingDraft(
                title="North West hub meeting",
                starts_at=datetime(2026, 12, 15, 14, 0, tzinfo=UTC),
                duration_minutes=90,
                audience=Audience(REGION, "north_west"),
                place="Community Centre",
            ),
        )
        assert created.invited == len(NW) - 1  # not the paused member

        await bot.press(quiet, switches, "⬜ Questions for the forum")
        question = await invitation(bot, quiet)
        shown = await bot.press(quiet, question, "Yes")
        assert "Your answer: Yes" in shown.text
        assert (await bot.services.consultations.tally(consultation)).counts == (1, 0, 0)

        summary = await bot.say(paused, "/settings")
        await bot.press(paused, summary, "End my pause")
        invite = await emu.wait_for_message(
            paused, lambda m: bool(m.text and "North West hub meeting" in m.text), timeout=10
        )
        assert "Going" in [label for label, _ in invite.buttons]
        assert (await bot.services.meetings.upcoming(CASEY))[0].counts.no_answer == len(NW)
