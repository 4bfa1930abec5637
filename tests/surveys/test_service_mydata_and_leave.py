"""/mydata and /leave with surveys, through the real bot on the emulator: a member finds the
surveys they were asked and their named answers in their data file (anonymous answers are
linked to nobody, so they are not there), and leaving deletes their named answers and where
they were while the anonymous survey's answers stay."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bot.clock import Clock
from emulator import BotApiEmulator
from tests.consultations.conftest import emu  # noqa: F401 - the emulator fixture
from tests.e2e.harness import RunningBot
from tests.surveys.e2e_world import (
    DAYTIME,
    NW,
    open_survey,
    seed,
    survey_bot,
    write_surveys,
)

MEMBER = NW[0]


async def answer(bot: RunningBot, survey_id: int, change: str) -> None:
    """The member answers "no", 4, 3 days and their words (the service, as the buttons do)."""
    surveys = bot.services.surveys
    await surveys.agree(MEMBER, survey_id)
    await surveys.press(MEMBER, survey_id, "used", "no")
    await surveys.press(MEMBER, survey_id, "easy", "4")
    await surveys.typed(MEMBER, survey_id, "days", "3")
    await surveys.typed(MEMBER, survey_id, "change", change)


async def test_mydata_holds_named_answers_and_leave_deletes_them(
    tmp_path: Path,
    emu: BotApiEmulator,  # noqa: F811
) -> None:
    folder = write_surveys(tmp_path / "surveys", anonymous=False)
    anonymous = write_surveys(tmp_path / "other")
    shutil.copy(anonymous / "getting_help.yaml", folder / "anonymous_help.yaml")
    async with survey_bot(tmp_path, emu, Clock(DAYTIME), surveys_dir=folder) as bot:
        await seed(bot)
        named = await open_survey(bot)
        hidden = await open_survey(bot, "anonymous_help")
        await answer(bot, named.id, "Shorter waits")
        await answer(bot, hidden.id, "Kinder staff")
        started = await open_survey(bot)
        await bot.services.surveys.agree(MEMBER, started.id)
        await bot.services.surveys.press(MEMBER, started.id, "used", "no")

        await bot.say(MEMBER, "/mydata")
        await bot.emu.wait_for_message(MEMBER, lambda m: "Surveys you were asked: 3" in m.text)
        document = await bot.emu.wait_for_message(MEMBER, lambda m: m.document is not None)
        data = json.loads(document.document.data)
        surveys = data["surveys"]
        assert [entry["survey"] for entry in surveys] == ["Getting help"] * 3
        assert surveys[0]["answers"] == {
            "used": "no",
            "easy": 4,
            "days": 3,
            "change": "Shorter waits",
        }
        assert surveys[1]["finished"] and surveys[1]["answers"] is None  # anonymous
        assert surveys[2]["answers_in_progress"] == {"used": "no"}
        assert "Kinder staff" not in document.document.data.decode()

        confirm = await bot.say(MEMBER, "/leave")
        done = await bot.press(MEMBER, confirm, "Yes, delete my data")
        assert "deleted everything" in done.text
        assert await bot.services.surveys.member_data(MEMBER) == []
        assert await bot.services.surveys.surveys.responses(named.id) == []
        (kept,) = await bot.services.surveys.surveys.responses(hidden.id)
        assert kept["change"] == "Kinder staff"
