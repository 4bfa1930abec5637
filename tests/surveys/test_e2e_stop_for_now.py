""" "Stop for now" is kept with the member's place: after a restart of the bot, text typed by a
member who stopped gets the bot's ordinary reply (never read as an answer); carrying on from
/surveys or "Have your say" takes up the same question, and typed text is an answer again,
after another restart too."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import Clock
from bot.services.surveys import SurveyRecord
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.e2e.harness import RunningBot
from tests.surveys.e2e_world import (  # noqa: F401 - the fixture `emu`
    DAYTIME,
    NW,
    arrives,
    emu,
    kept,
    labels,
    open_survey,
    seed,
    survey_bot,
    to_days,
)

pytestmark = pytest.mark.timeout(150)
ANNE = NW[0]
NOT_UNDERSTOOD = "Sorry, I did not understand that."


async def carry_on_from(bot: RunningBot, person: int, where: str) -> MessageRecord:
    """The member opens their surveys from /surveys or the menu's "Have your say" and taps
    the survey; return the screen it shows."""
    if where == "surveys":
        listing = await bot.say(person, "/surveys")
    else:
        menu = await bot.say(person, "/menu")
        listing = await bot.press(person, menu, "Have your say")
    survey_button = next(label for label in labels(listing) if "Getting help" in label)
    return await bot.press(person, listing, survey_button)


async def stop_at_days(bot: RunningBot) -> tuple[SurveyRecord, MessageRecord]:
    """Seed the forum, open the survey, and Anne answers up to the days question, then taps
    "Stop for now"; return the survey and the message that says her answers are kept."""
    await seed(bot)
    survey = await open_survey(bot)
    days = await to_days(bot, ANNE)
    return survey, await bot.press(ANNE, days, "Stop for now")


@pytest.mark.parametrize("where", ["surveys", "have_your_say"])
async def test_a_member_who_stopped_is_not_answering_after_a_restart_until_they_carry_on(
    tmp_path: Path,
    emu: BotApiEmulator,  # noqa: F811
    where: str,
) -> None:
    clock = Clock(DAYTIME)
    folder = tmp_path / "surveys"
    async with survey_bot(tmp_path, emu, clock) as before:
        survey, stopped = await stop_at_days(before)
        assert "Your answers so far are kept" in stopped.text
        assert "Carry on" in labels(stopped)
    async with survey_bot(tmp_path, emu, clock, surveys_dir=folder) as after:
        # typed text after the restart is not an answer: the ordinary reply, with the menu
        reply = await after.say(ANNE, "7")
        assert reply.text.startswith(NOT_UNDERSTOOD)
        assert "days" not in await kept(after, survey.id, ANNE)
        assert (await kept(after, survey.id, ANNE))["easy"] == 3  # nothing lost
        # carrying on takes up the same question, and typed text answers it again
        again = await carry_on_from(after, ANNE, where)
        assert "How many days did you wait?" in again.text
        assert "question 3 of about 4" in again.text
    async with survey_bot(tmp_path, emu, clock, surveys_dir=folder) as later:
        change = await later.say(ANNE, "8")  # after another restart, still her answer
        assert "What one thing would you change?" in change.text
        assert (await kept(later, survey.id, ANNE))["days"] == 8


async def test_stopped_then_carry_on_from_its_own_button_answers_again(
    tmp_path: Path,
    emu: BotApiEmulator,  # noqa: F811
) -> None:
    clock = Clock(DAYTIME)
    folder = tmp_path / "surveys"
    async with survey_bot(tmp_path, emu, clock) as before:
        survey, stopped = await stop_at_days(before)
        hello = await before.say(ANNE, "hello")  # a friendly reply, not a survey refusal
        assert "How many days" not in hello.text
    async with survey_bot(tmp_path, emu, clock, surveys_dir=folder) as after:
        # crisis words from a member who stopped get the crisis reply; nothing is saved
        crisis = await after.say(ANNE, "I want to kill myself")
        assert "116 123" in crisis.text
        assert "days" not in await kept(after, survey.id, ANNE)
        again = await after.press(ANNE, stopped, "Carry on")
        assert "How many days did you wait?" in again.text
        change = await after.say(ANNE, "4")
        assert "What one thing would you change?" in change.text
        assert (await kept(after, survey.id, ANNE))["days"] == 4
