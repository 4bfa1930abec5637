"""/surveys end to end: a member sees the open surveys they have not finished; a coordinator
also sees each running or planned survey with its counts and can close one early (the results
pack goes out) or call it off (everyone asked is told), each asked first and "keep it"
changing nothing. A member cannot use the coordinators' buttons."""

from __future__ import annotations

from datetime import timedelta

import pytest

from emulator import BotApiEmulator
from tests.e2e.harness import RunningBot
from tests.surveys.e2e_world import (  # noqa: F401 - the fixtures `bot` and `emu`
    CASEY,
    DAYTIME,
    NW,
    arrives,
    emu,
    labels,
    open_survey,
    seed,
    seeded_bot,
    survey_bot,
)

pytestmark = pytest.mark.timeout(120)


async def test_members_see_what_they_can_answer(
    bot: RunningBot,
    emu: BotApiEmulator,  # noqa: F811
) -> None:
    empty = await bot.say(NW[0], "/surveys")
    assert "no surveys for you to answer right now" in empty.text
    # Someone who has not joined is told how to join.
    bot.emu.add_user(700_000_999, "Vic")
    visitor = await bot.say(700_000_999, "/surveys")
    assert "Surveys are for forum members" in visitor.text
    assert "Join the forum" in labels(visitor)
    await open_survey(bot)
    await arrives(bot, NW[0], "Getting help")
    listed = await bot.say(NW[0], "/surveys")
    assert labels(listed)[0] == "Getting help (closes 13 Dec)"
    assert "🆘 Help now" in labels(listed)
    # "Have your say" in the menu lists it too, to start or carry on.
    menu = await bot.say(NW[0], "/menu")
    say = await bot.press(NW[0], menu, "Have your say")
    assert "questions and surveys open for you" in say.text
    assert labels(say)[0] == "Getting help (closes 13 Dec)"
    consent = await bot.press(NW[0], say, "Getting help (closes 13 Dec)")
    assert "What it is for" in consent.text


async def test_a_coordinator_closes_one_early_and_calls_one_off(
    bot: RunningBot,
    emu: BotApiEmulator,  # noqa: F811
) -> None:
    await bot.services.members.join(CASEY, "Casey")
    survey = await open_survey(bot)
    later = await open_survey(
        bot,
        opens_at=bot.clock.now() + timedelta(days=1),
        closes_at=bot.clock.now() + timedelta(days=5),
    )
    invitation = await arrives(bot, NW[0], "Getting help")
    start = emu.cursor(CASEY)
    await emu.send_text(CASEY, "/surveys")
    planned = await arrives(bot, CASEY, "(planned)")
    shown = [m for kind, m in emu.chat(CASEY).events[start:] if kind == "sent"]
    running = next(m for m in shown if "(open)" in (m.text or ""))
    assert "0 of 10 have finished" in running.text  # nine members and Casey
    assert "For: all members" in running.text
    assert labels(running) == ["Close now", "Call it off"]

    # A member pressing a coordinator's button (forged) changes nothing.
    await emu.press_button(NW[0], invitation, f"svc:{survey.id}:cy", forge=True)
    refused = await bot.next(NW[0])
    assert "is closed" not in refused.text
    assert (await bot.services.surveys.get(survey.id)).state == "open"

    ask = await bot.press(CASEY, running, "Close now")
    assert "Close Getting help now?" in ask.text
    kept = await bot.press(CASEY, ask, "No, keep it")  # the survey as it was
    assert "(open)" in kept.text and labels(kept) == ["Close now", "Call it off"]
    assert (await bot.services.surveys.get(survey.id)).state == "open"
    ask = await bot.press(CASEY, running, "Close now")
    closed = await bot.press(CASEY, ask, "Yes, close it now")
    assert "is closed" in closed.text
    assert (await bot.services.surveys.get(survey.id)).state == "closed"
    # Nobody finished, fewer than the small-group threshold: the pack says so.
    pack = await arrives(bot, CASEY, "Survey results", wait=20)
    assert "Getting help" in pack.text and "Fewer than 10 people finished" in pack.text

    assert labels(planned) == ["Call it off"]  # nothing to close before it opens
    ask = await bot.press(CASEY, planned, "Call it off")
    assert "Call off Getting help?" in ask.text
    yes = ask.buttons[0][1]
    off = await bot.press(CASEY, ask, "Yes, call it off")
    assert "is called off" in off.text
    assert (await bot.services.surveys.get(later.id)).state == "cancelled"
    # The same press delivered again, from an old copy: a kind word, nothing changes.
    await emu.press_button(CASEY, ask, yes, forge=True)
    again = await bot.next(CASEY)
    assert "no longer running" in again.text


async def test_one_nudge_to_those_not_finished_and_a_notice_when_called_off(
    bot: RunningBot,
) -> None:
    survey = await open_survey(bot)
    invitation = await arrives(bot, NW[0], "Getting help")
    screen = await bot.press(NW[0], invitation, "Start")
    used = await bot.press(NW[0], screen, "I agree, let's start")
    await bot.press(NW[0], used, "No")  # started, not finished: she is reminded too
    bot.clock.advance(timedelta(days=2, hours=1))  # a day before closing (and in the day)
    await bot.services.surveys.sweep()
    await bot.services.surveys.sweep()  # once only
    nudges = "SELECT COUNT(*) FROM broadcasts WHERE kind = 'survey_nudge'"
    assert await bot.services.db.fetch_value(nudges) == 1
    nudge = await arrives(bot, NW[0], "A gentle reminder")
    assert "Getting help" in nudge.text and labels(nudge) == ["Open the survey"]
    again = await bot.press(NW[0], nudge, "Open the survey")
    assert "How easy was it to get help?" in again.text  # where she left off

    await bot.services.surveys.cancel(CASEY, survey.id)
    notice = await arrives(bot, NW[1], "called off")
    assert "Getting help" in notice.text and notice.buttons == []
    closed = await bot.press(NW[0], nudge, "Open the survey")
    assert "closed now" in closed.text or "no longer running" in closed.text
