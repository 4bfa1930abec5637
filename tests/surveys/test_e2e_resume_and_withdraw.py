"""A member's place in a survey survives anything: crisis words typed as an answer are never
saved and "Carry on" asks the same question again; after a restart of the bot a typed answer,
the invitation's Start and "Carry on" all go on at the same question. "Withdraw my answers"
asks first, then deletes them; it works until the survey closes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import Clock
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.e2e.harness import RunningBot
from tests.surveys.e2e_world import (  # noqa: F401 - the fixtures `bot` and `emu`
    DAYTIME,
    NW,
    arrives,
    emu,
    kept,
    labels,
    open_survey,
    seed,
    seeded_bot,
    survey_bot,
    to_days,
    write_surveys,
)

pytestmark = pytest.mark.timeout(150)
ANNE, BEN = NW[0], NW[1]
CRISIS = "I want to kill myself"


async def test_crisis_words_as_an_answer_are_not_saved_and_carry_on_asks_again(
    bot: RunningBot,
    emu: BotApiEmulator,  # noqa: F811
) -> None:
    survey = await open_survey(bot)
    days = await to_days(bot, ANNE)
    change = await bot.say(ANNE, "5")
    assert "What one thing would you change?" in change.text
    start = emu.cursor(ANNE)
    await emu.send_text(ANNE, CRISIS)
    reply = await emu.wait_for_message(ANNE, lambda m: "Carry on" in labels(m), since=start)
    assert "116 123" in reply.text
    assert "change" not in await kept(bot, survey.id, ANNE)  # never saved as an answer
    after = emu.cursor(ANNE)
    await emu.press_button(ANNE, reply, text="Carry on")
    again = await emu.wait_for_message(ANNE, kinds=("sent",), since=after)
    assert "What one thing would you change?" in again.text
    assert labels(again) == labels(change)
    thanks = await bot.say(ANNE, "More peer workers")
    assert "Thank you!" in thanks.text
    assert "How many days" in days.text  # the number question came first


@pytest.mark.parametrize("how", ["typed", "start", "carry_on"])
async def test_after_a_restart_the_member_goes_on_at_the_same_question(
    tmp_path: Path,
    emu: BotApiEmulator,  # noqa: F811
    how: str,
) -> None:
    clock = Clock(DAYTIME)
    async with survey_bot(tmp_path, emu, clock) as before:
        await seed(before)
        survey = await open_survey(before)
        await to_days(before, ANNE)
        if how == "carry_on":
            start = emu.cursor(ANNE)
            await emu.send_text(ANNE, CRISIS)
            crisis = await emu.wait_for_message(
                ANNE, lambda m: "Carry on" in labels(m), since=start
            )
    folder = tmp_path / "surveys"
    async with survey_bot(tmp_path, emu, clock, surveys_dir=folder) as after:
        start = emu.cursor(ANNE)
        if how == "typed":
            await emu.send_text(ANNE, "7")
            change = await emu.wait_for_message(ANNE, since=start)
            assert "What one thing would you change?" in change.text
            assert (await kept(after, survey.id, ANNE))["days"] == 7
            return
        if how == "carry_on":
            await emu.press_button(ANNE, crisis, text="Carry on")
        else:
            await emu.press_button(ANNE, invitation_of(after, ANNE), text="Start")
        again = await emu.wait_for_message(ANNE, kinds=("sent",), since=start)
        assert "How many days did you wait?" in again.text
        assert "question 3 of about 4" in again.text
        change = await after.say(ANNE, "8")
        assert "What one thing would you change?" in change.text


async def test_withdraw_asks_first_then_deletes_and_works_only_until_closing(
    bot: RunningBot,
    emu: BotApiEmulator,  # noqa: F811
) -> None:
    survey = await open_survey(bot)
    for person in (ANNE, BEN):
        await to_days(bot, person)
        change = await bot.say(person, "4")
        thanks = await bot.press(person, change, "Skip")
        assert "Thank you!" in thanks.text
    assert (await bot.services.surveys.get(survey.id)).finished == 2

    ask = await bot.press(ANNE, thanks_of(bot, ANNE), "Withdraw my answers")
    assert "can't be undone" in ask.text
    keep = await bot.press(ANNE, ask, "No, keep them")
    assert "Your answers are kept" in keep.text
    assert labels(keep)[0] == "Withdraw my answers"
    ask = await bot.press(ANNE, keep, "Withdraw my answers")
    yes = ask.buttons[0][1]
    done = await bot.press(ANNE, ask, "Yes, withdraw them")
    assert "withdrawn and deleted" in done.text
    assert (await bot.services.surveys.get(survey.id)).finished == 1
    # The same button again (an old copy of it): nothing left to withdraw.
    await bot.emu.press_button(ANNE, ask, yes, forge=True)
    again = await bot.next(ANNE)
    assert "nothing to withdraw" in again.text
    # Her invitation's Start says she withdrew.
    withdrew = await bot.press(ANNE, invitation_of(bot, ANNE), "Start")
    assert "You withdrew your answers" in withdrew.text

    await bot.services.surveys.close_now(900_000_001, survey.id)
    ask = await bot.press(BEN, thanks_of(bot, BEN), "Withdraw my answers")
    late = await bot.press(BEN, ask, "Yes, withdraw them")
    assert "nothing to withdraw" in late.text


def thanks_of(bot: RunningBot, person: int) -> MessageRecord:
    """The thank-you message in a person's chat."""
    return next(
        m
        for m in reversed(bot.emu.chat(person).messages)
        if m.text and m.text.startswith(("Thank you!", "Your answers are kept"))
    )


def invitation_of(bot: RunningBot, person: int) -> MessageRecord:
    """The survey's invitation in a person's chat."""
    return next(
        m for m in bot.emu.chat(person).messages if m.text and m.text.startswith("The forum")
    )


async def test_a_named_survey_offers_withdraw_again_from_its_start_button(
    tmp_path: Path,
    emu: BotApiEmulator,  # noqa: F811
) -> None:
    clock = Clock(DAYTIME)
    folder = write_surveys(tmp_path / "surveys", anonymous=False)
    async with survey_bot(tmp_path, emu, clock, surveys_dir=folder) as bot:
        await seed(bot)
        survey = await open_survey(bot)
        invitation = await arrives(bot, ANNE, "Getting help")
        assert "not anonymous" in invitation.text
        screen = await bot.press(ANNE, invitation, "Start")
        assert "your answers are kept with your name" in screen.text
        used = await bot.press(ANNE, screen, "I agree, let's start")
        easy = await bot.press(ANNE, used, "No")
        days = await bot.press(ANNE, easy, "5")
        change = await bot.say(ANNE, "0")
        thanks = await bot.press(ANNE, change, "Skip")
        assert "Tapping Start on the survey's invitation again" in thanks.text
        assert labels(thanks)[0] == "Withdraw my answers"
        [(member, _)] = await bot.services.db.fetch_all(
            "SELECT member_id, id FROM survey_responses"
        )
        assert member == ANNE  # named: kept with her
        assert "How many days" in days.text
        again = await bot.press(ANNE, invitation, "Start")  # later, from the invitation
        assert "Thank you!" in again.text
        ask = await bot.press(ANNE, again, "Withdraw my answers")
        done = await bot.press(ANNE, ask, "Yes, withdraw them")
        assert "withdrawn and deleted" in done.text
        assert (await bot.services.surveys.get(survey.id)).finished == 0
