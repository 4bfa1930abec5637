"""After a restart of the bot, text typed while a member is on a button question of a survey gets
the survey's own reply ("please tap one of the buttons" and the same question again, with its
buttons), as it did before the restart, never the general "Sorry, I did not understand that";
nothing typed is saved as an answer, and the buttons go on working."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import Clock
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
)

pytestmark = pytest.mark.timeout(150)
ANNE, BEN = NW[0], NW[1]
USE_BUTTONS = "Please tap one of the buttons. Here it is again."
NOT_UNDERSTOOD = "Sorry, I did not understand that."
USED = "Have you used a crisis service this year?"
EASY = "How easy was it to get help?"


async def to_used(bot: RunningBot, person: int) -> MessageRecord:
    """From the invitation to the first question (one choice, answered with buttons)."""
    invitation = await arrives(bot, person, "Getting help")
    screen = await bot.press(person, invitation, "Start")
    used = await bot.press(person, screen, "I agree, let's start")
    assert USED in used.text
    return used


def bot_said(emu: BotApiEmulator, person: int, since: int) -> list[str]:  # noqa: F811
    """The texts of what the bot sent (or edited) in a chat since a cursor."""
    return [record.text or "" for _, record in emu.chat(person).events[since:]]


async def test_typed_text_at_a_button_question_after_a_restart_gets_the_survey_reply(
    tmp_path: Path,
    emu: BotApiEmulator,  # noqa: F811
) -> None:
    clock = Clock(DAYTIME)
    async with survey_bot(tmp_path, emu, clock) as before:
        await seed(before)
        survey = await open_survey(before)
        used = await to_used(before, ANNE)
        easy = await before.press(BEN, await to_used(before, BEN), "No")
        assert EASY in easy.text  # Ben is on a scale question (buttons too)
    shown: dict[int, MessageRecord] = {}
    async with survey_bot(tmp_path, emu, clock, surveys_dir=tmp_path / "surveys") as after:
        for person, question, before_restart in ((ANNE, USED, used), (BEN, EASY, easy)):
            start = emu.cursor(person)
            await emu.send_text(person, "I think sometimes")
            again = await emu.wait_for_message(
                person, lambda m, q=question: q in (m.text or ""), since=start
            )
            said = bot_said(emu, person, start)
            assert any(USE_BUTTONS in text for text in said), said
            assert not any(NOT_UNDERSTOOD in text for text in said), said
            assert labels(again) == labels(before_restart)  # the same question, same buttons
            shown[person] = again
        assert await kept(after, survey.id, ANNE) == {}  # nothing typed was saved
        assert await kept(after, survey.id, BEN) == {"used": "no"}
        # The buttons of the question shown again work: Anne goes on to the next question.
        next_one = await after.press(ANNE, shown[ANNE], "Yes, once")
        assert "Which ones did you use?" in next_one.text
        assert await kept(after, survey.id, ANNE) == {"used": "once"}


async def test_after_a_restart_text_from_someone_in_no_survey_still_gets_the_fallback(
    tmp_path: Path,
    emu: BotApiEmulator,  # noqa: F811
) -> None:
    clock = Clock(DAYTIME)
    async with survey_bot(tmp_path, emu, clock) as before:
        await seed(before)
        await open_survey(before)
        await arrives(before, BEN, "Getting help")  # asked, never started
    async with survey_bot(tmp_path, emu, clock, surveys_dir=tmp_path / "surveys"):
        start = emu.cursor(BEN)
        await emu.send_text(BEN, "I think sometimes")
        reply = await emu.wait_for_message(BEN, since=start)
        assert NOT_UNDERSTOOD in reply.text
        assert USE_BUTTONS not in reply.text
