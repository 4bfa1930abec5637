"""A late joiner and a survey end to end: the real bot on the emulator. Someone who joins through
/start while a survey for everyone is open gets its invitation with its Start button, reads the
consent screen and answers the first question."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import Clock
from emulator import BotApiEmulator
from tests.surveys.e2e_world import DAYTIME, NW, arrives, labels, open_survey, seed, survey_bot

pytestmark = pytest.mark.timeout(90)

LEE = 600_000_500


async def test_a_member_who_joins_while_a_survey_is_open_is_asked_and_can_answer(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with survey_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        survey = await open_survey(bot)
        await arrives(bot, NW[0], "Getting help")  # the others were asked at opening

        await bot.join(LEE, "Lee", region="North West")
        invitation = await arrives(bot, LEE, "Getting help")

        assert labels(invitation) == ["Start"]
        screen = await bot.press(LEE, invitation, "Start")
        assert "I agree, let's start" in labels(screen)
        first = await bot.press(LEE, screen, "I agree, let's start")
        assert "Have you used a crisis service this year?" in first.text
        await bot.press(LEE, first, "No")
        kept = await bot.services.db.fetch_value(
            "SELECT answers FROM survey_progress WHERE survey_id = ? AND member_id = ?",
            (survey.id, LEE),
        )
        assert kept == '{"used": "no"}'
