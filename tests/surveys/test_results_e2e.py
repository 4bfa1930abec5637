"""A survey's results end to end: the real bot on the emulator. Eight members finish, Casey
closes it; the pack reaches Casey (with the answers in words) and Dana, the decision-maker
chosen (without them), and never shows a count of 1 to 4. /results lists the survey beside the
consultations; Dana gets the pack again from it; Dev, chosen for nothing, and a member are
refused, and a forged press sends nothing."""

from __future__ import annotations

import csv
import html
import io
import re
from collections import Counter
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.services.surveys.definition import SKIPPED, Answer
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.consultations.conftest import emu  # noqa: F401 - the emulator fixture
from tests.e2e.harness import RunningBot
from tests.surveys.e2e_world import (
    CASEY,
    DAYTIME,
    MIDLANDS,
    NW,
    labels,
    open_survey,
    seed,
    survey_bot,
    wait_until,
)

pytestmark = pytest.mark.timeout(120)

DANA = 900_000_201  # a decision-maker chosen for the survey
DEV = 900_000_202  # a decision-maker chosen for nothing
_TAG = re.compile(r"<[^>]+>")
COUNT = re.compile(r"^(?:• .*|Answered|.*Finished): (?P<count>[^:(]+?)(?: \(\d+%\))?$")


def plain(message: MessageRecord) -> str:
    """What a person reads in a message: its text or caption, tags gone."""
    return html.unescape(_TAG.sub("", message.text or message.caption or ""))


async def finish(bot: RunningBot, member: int, survey_id: int, answers: dict[str, Answer]) -> None:
    """A member answers every question they are shown, through the service."""
    surveys = bot.services.surveys
    position = await surveys.begin(member, survey_id)
    if position.state == "consent":
        position = await surveys.agree(member, survey_id)
    while position.state == "question":
        question = position.question
        value = answers.get(question.id, SKIPPED)
        if value is SKIPPED:
            position = await surveys.skip(member, survey_id, question.id)
        elif question.kind == "choices":
            for option in value:
                await surveys.tick(member, survey_id, question.id, option)
            position = await surveys.done(member, survey_id, question.id)
        elif question.kind in ("number", "text"):
            position = await surveys.typed(member, survey_id, question.id, str(value))
        else:
            position = await surveys.press(member, survey_id, question.id, value)
    assert position.state == "finished"


async def pack_in(
    bot: RunningBot, chat_id: int, since: int, free_text: bool
) -> list[MessageRecord]:
    """Every part of a survey's pack once it has all arrived in a chat (parts may come in any
    order): the words, the charts, the file and, for coordinators, the answers in words."""

    def sent() -> list[MessageRecord]:
        return [m for kind, m in bot.emu.chat(chat_id).events[since:] if kind == "sent"]

    async def complete() -> bool:
        found = sent()
        needed = [
            any(plain(m).startswith("Survey results") for m in found),
            any(m.document is not None for m in found),
            any(m.photo is not None for m in found),
        ]
        if free_text:
            needed.append(any(plain(m).startswith("Answers in words") for m in found))
        return all(needed)

    await wait_until(complete, 30)
    bot.emu.chat(chat_id).read_cursor = len(bot.emu.chat(chat_id).events)
    return sent()


def assert_no_small_counts(messages: list[MessageRecord]) -> None:
    """No count read anywhere is 1 to 4; the file's rows each shared by 5 or more."""
    for message in messages:
        for line in plain(message).splitlines():
            match = COUNT.match(line)
            if match:
                assert match["count"] not in {"1", "2", "3", "4"}, line
        if message.document is not None:
            _header, *rows = csv.reader(io.StringIO(message.document.data.decode("utf-8-sig")))
            assert rows and min(Counter(map(tuple, rows)).values()) >= 5


async def test_the_pack_goes_out_at_closing_and_again_from_results(
    tmp_path: Path,
    emu: BotApiEmulator,  # noqa: F811
) -> None:
    clock = Clock(DAYTIME)
    async with survey_bot(tmp_path, emu, clock, small_group_threshold=5) as bot:
        await seed(bot)
        for reader, name in ((DANA, "Dana"), (DEV, "Dev")):
            await bot.services.roles.grant(CASEY, reader, "decision_maker")
            emu.add_user(reader, name)
            emu.chat(reader).started = True
        survey = await open_survey(bot, readers=(DANA,))
        said = {"change": "Shorter waits, says Sam from Bolton"}
        for member in NW[:6]:
            await finish(bot, member, survey.id, {"used": "no", "easy": 4, "days": 3} | said)
        for member in (NW[6], MIDLANDS[0]):
            await finish(
                bot, member, survey.id, {"used": "once", "which": ("ae",), "easy": 2, "days": 30}
            )
        at_casey, at_dana = emu.cursor(CASEY), emu.cursor(DANA)
        await bot.services.surveys.close_now(CASEY, survey.id)

        # Casey: every part, with the answers in words.
        casey = await pack_in(bot, CASEY, at_casey, free_text=True)
        words = next(plain(m) for m in casey if plain(m).startswith("Survey results"))
        assert "Asked: 9. Finished: 8 (89%)" in words
        assert "• No: hidden\n• Yes, once: fewer than 5\n• Yes, more than once: 0 (0%)" in words
        # "Which ones?" is asked only after a "yes", whose count is small: held back.
        assert "2. Which ones did you use?\nNot shown." in words
        # 2 or 4 on the scale: 4 is in the middle whatever the small count is.
        assert "• 2: fewer than 5" in words
        assert "• 4: hidden\n• 5 (Very easy): 0 (0%)\nMiddle answer: 4" in words
        assert any("Shorter waits, says Sam from Bolton" in plain(m) for m in casey)
        assert_no_small_counts(casey)
        document = next(m for m in casey if m.document is not None)
        header, *rows = csv.reader(io.StringIO(document.document.data.decode("utf-8-sig")))
        assert len(rows) == 8 and not any("Which ones" in h for h in header)

        # Dana: the same figures, never the answers in words.
        dana = await pack_in(bot, DANA, at_dana, free_text=False)
        assert not any("Sam from Bolton" in plain(m) for m in dana)
        assert not any(plain(m).startswith("Answers in words") for m in dana)
        assert_no_small_counts(dana)

        # /results lists it for Dana; a press sends the pack here again.
        listed = await bot.say(DANA, "/results")
        assert "Tap a question or a survey" in listed.text
        assert labels(listed) == ["Survey: Getting help"]
        again = emu.cursor(DANA)
        await emu.press_button(DANA, listed, text="Survey: Getting help")
        resent = await pack_in(bot, DANA, again, free_text=False)
        assert not any("Sam from Bolton" in plain(m) for m in resent)
        assert sorted(plain(m) for m in resent if m.photo) == sorted(
            plain(m) for m in dana if m.photo
        )

        # Dev was chosen for nothing: an empty list, and a forged press is refused.
        empty = await bot.say(DEV, "/results")
        assert "There are no results for you yet" in empty.text
        query = await emu.press_button(DEV, empty, f"psr:{survey.id}", forge=True)
        await emu.wait_for_answer(query, timeout=5)
        refused = await bot.next(DEV)
        assert "those results were not shared with you" in refused.text

        # A member is not let in at all, by command or by a forged press.
        member = await bot.say(NW[0], "/results")
        assert "only for coordinators and decision-makers" in member.text
        query = await emu.press_button(NW[0], member, f"psr:{survey.id}", forge=True)
        await emu.wait_for_answer(query, timeout=5)
        assert "only for coordinators and decision-makers" in (await bot.next(NW[0])).text
        await bot.say(DEV, "/results")  # handled after the forged presses: nothing more came
        for chat_id in (DEV, NW[0]):
            assert not any(m.photo or m.document for m in emu.chat(chat_id).messages if m.from_bot)

        # Casey sees the survey too, with the answers in words when asked again.
        listed = await bot.say(CASEY, "/results")
        assert "Survey: Getting help" in labels(listed)
        again = emu.cursor(CASEY)
        await emu.press_button(CASEY, listed, text="Survey: Getting help")
        resent = await pack_in(bot, CASEY, again, free_text=True)
        assert any("Shorter waits, says Sam from Bolton" in plain(m) for m in resent)
