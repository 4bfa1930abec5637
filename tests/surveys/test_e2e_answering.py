"""Answering a survey, whole bot on the emulator: the invitation's Start, the consent screen in
the author's words, one question at a time (a choice, ticks and Done, a 1-5 scale, a typed
number, a typed text), skip rules, Back, Skip, a typed answer that does not fit (said why,
nothing lost), Stop for now and carry on, and the thank-you with "Withdraw my answers"."""

from __future__ import annotations

import json

import pytest

from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.e2e.harness import RunningBot
from tests.surveys.e2e_world import (  # noqa: F401 - the fixtures `bot` and `emu`
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
ANNE = NW[0]


async def responses(bot: RunningBot) -> list[tuple[int | None, dict[str, object]]]:
    """Every finished response: its member (None when anonymous) and its answers."""
    db = bot.services.db
    rows = await db.fetch_all("SELECT id, member_id FROM survey_responses ORDER BY id")
    found = []
    for row in rows:
        answers = await db.fetch_all(
            "SELECT question_id, value FROM survey_answers WHERE response_id = ?", (row["id"],)
        )
        found.append(
            (row["member_id"], {a["question_id"]: json.loads(a["value"]) for a in answers})
        )
    return found


async def consent(bot: RunningBot, person: int = ANNE) -> MessageRecord:
    """The invitation arrives; Start shows the consent screen."""
    invitation = await arrives(bot, person, "Getting help")
    assert "It has up to 5 questions" in invitation.text
    assert labels(invitation) == ["Start"]
    return await bot.press(person, invitation, "Start")


async def first_question(bot: RunningBot, person: int = ANNE) -> MessageRecord:
    """Start, agree: the first question."""
    screen = await consent(bot, person)
    return await bot.press(person, screen, "I agree, let's start")


async def test_a_member_answers_every_kind_and_finishes(bot: RunningBot) -> None:
    survey = await open_survey(bot)
    screen = await consent(bot)
    # The author's words, then the bot's own lines about anonymity, skipping and stopping.
    for words in (
        "To learn what helps people get support sooner.",
        "The forum's peer researchers.",
        "Twelve months after it closes.",
        "This survey is anonymous",
        "stop at any time",
        "withdraw your answers",
    ):
        assert words in screen.text
    assert labels(screen) == ["I agree, let's start", "Not now"]

    used = await bot.press(ANNE, screen, "I agree, let's start")
    assert "About getting help" in used.text  # the section heading above its first question
    assert "question 1 of about 5" in used.text
    assert "Have you used a crisis service this year?" in used.text
    assert labels(used) == ["No", "Yes, once", "Yes, more than once", "Stop for now"]

    which = await bot.press(ANNE, used, "Yes, once")  # shown only after a yes
    assert "Which ones did you use?" in which.text
    assert "question 2 of about 5" in which.text
    assert "About getting help" not in which.text  # the heading is said once
    assert labels(which) == [
        "A&E",
        "A phone line",
        "Crisis team",
        "Done",
        "⬅️ Back",
        "Stop for now",
    ]
    ticked = await bot.press(ANNE, which, "A&E")
    ticked = await bot.press(ANNE, ticked, "Crisis team")
    assert "✅ A&E" in labels(ticked) and "✅ Crisis team" in labels(ticked)
    ticked = await bot.press(ANNE, ticked, "✅ Crisis team")  # untick
    assert "You have ticked: A&E." in ticked.text

    easy = await bot.press(ANNE, ticked, "Done")
    assert "1 is “Very hard”, 5 is “Very easy”" in easy.text
    assert labels(easy)[:5] == ["1", "2", "3", "4", "5"]

    days = await bot.press(ANNE, easy, "4")
    assert "Type a number from 0 to 365" in days.text
    refused = await bot.say(ANNE, "about twelve")
    assert "Please type a number" in refused.text
    assert "How many days did you wait?" in refused.text  # the same question again
    refused = await bot.say(ANNE, "400")
    assert "Please type a number from 0 to 365." in refused.text
    change = await bot.say(ANNE, "12")
    assert "What one thing would you change?" in change.text
    assert "optional" in change.text
    assert "Skip" in labels(change)

    thanks = await bot.say(ANNE, "Shorter waits & a <b>named</b> worker")
    assert "Thank you! Your answers to Getting help are saved." in thanks.text
    assert "the only way" in thanks.text  # anonymous: the button is the only link
    assert labels(thanks)[0] == "Withdraw my answers"

    [(member, answers)] = await responses(bot)
    assert member is None  # anonymous: no link to Anne
    assert answers == {
        "used": "once",
        "which": ["ae"],
        "easy": 4,
        "days": 12,
        "change": "Shorter waits & a <b>named</b> worker",
    }
    assert (await bot.services.surveys.get(survey.id)).finished == 1
    # Nothing left in progress, and the invitation now says she has finished.
    assert await bot.services.surveys.for_member(ANNE) == []


async def test_skip_rules_back_and_skip(
    bot: RunningBot,
    emu: BotApiEmulator,  # noqa: F811
) -> None:
    await open_survey(bot)
    used = await first_question(bot)
    easy = await bot.press(ANNE, used, "No")  # "which" is only for those who used one
    assert "How easy was it to get help?" in easy.text
    assert "question 2 of about 4" in easy.text

    back = await bot.press(ANNE, easy, "⬅️ Back")
    assert "Have you used a crisis service this year?" in back.text
    assert "Your answer before was: No." in back.text
    assert "✅ No" in labels(back)
    which = await bot.press(ANNE, back, "Yes, more than once")  # now the ticks question
    assert "Which ones did you use?" in which.text
    nothing = await bot.emu.press_button(ANNE, which, text="Done")
    alert = await bot.emu.wait_for_answer(nothing)
    if not alert.show_alert:
        import asyncio

        await asyncio.sleep(1)
        print("DEBUG", [(k, m.text[:100]) for k, m in bot.emu.chat(ANNE).events[-4:]])
    assert alert.show_alert and "Tick at least one" in alert.text

    ticked = await bot.press(ANNE, which, "A phone line")
    easy = await bot.press(ANNE, ticked, "Done")
    back = await bot.press(ANNE, easy, "⬅️ Back")
    assert "✅ A phone line" in labels(back)  # the ticks given before come back
    easy = await bot.press(ANNE, back, "Done")
    days = await bot.press(ANNE, easy, "2")
    assert "How many days" in days.text
    change = await bot.say(ANNE, "3")
    thanks = await bot.press(ANNE, change, "Skip")
    assert "Thank you!" in thanks.text
    [(_, answers)] = await responses(bot)
    assert answers["used"] == "often" and answers["which"] == ["line"]
    assert answers["change"] is None  # skipped, kept as skipped


async def test_typed_text_at_a_button_question_and_odd_presses_lose_nothing(
    bot: RunningBot,
    emu: BotApiEmulator,  # noqa: F811
) -> None:
    survey = await open_survey(bot)
    used = await first_question(bot)
    kind = await bot.say(ANNE, "yes I have")
    assert "Please tap one of the buttons" in kind.text
    again = await bot.next(ANNE)  # the question again, at the bottom of the chat
    assert "Have you used a crisis service this year?" in again.text
    assert labels(again) == labels(used)

    # A forged option, and a press for a question she is not on: nothing changes.
    forged = await bot.emu.press_button(ANNE, used, f"svp:{survey.id}:used:maybe", forge=True)
    alert = await bot.emu.wait_for_answer(forged)
    assert alert.show_alert
    # An old button for a later question: answered, and the message still shows where
    # she is.
    stale = await bot.emu.press_button(ANNE, used, f"svp:{survey.id}:easy:S3", forge=True)
    await bot.emu.wait_for_answer(stale)
    assert "Have you used a crisis service this year?" in used.text
    for data in ("svp:1:used", "svs:abc", f"svp:{survey.id}:used:no:x"):
        await bot.emu.press_button(ANNE, used, data, forge=True)
        reply = await bot.next(ANNE)
        assert "out of date" in reply.text or "older" in reply.text
    # Her place is as it was.
    position = await bot.services.surveys.current(ANNE, survey.id)
    assert position.question is not None and position.question.id == "used"
    assert await responses(bot) == []


async def test_stop_for_now_and_carry_on_from_surveys(bot: RunningBot) -> None:
    await open_survey(bot)
    used = await first_question(bot)
    easy = await bot.press(ANNE, used, "No")
    stopped = await bot.press(ANNE, easy, "Stop for now")
    assert "Your answers so far are kept" in stopped.text
    assert labels(stopped)[0] == "Carry on"
    # Typed text now is not an answer: the usual reply.
    other = await bot.say(ANNE, "hello")
    assert "How easy was it" not in other.text

    listed = await bot.say(ANNE, "/surveys")
    assert "Surveys you can answer now" in listed.text
    assert labels(listed)[0].startswith("Getting help (closes ")
    again = await bot.press(ANNE, listed, labels(listed)[0])
    assert "How easy was it to get help?" in again.text
    assert "question 2 of about 4" in again.text
    carry_on = await bot.press(ANNE, stopped, "Carry on")  # the same from the button
    assert "How easy was it to get help?" in carry_on.text


async def test_not_now_on_the_consent_screen(bot: RunningBot) -> None:
    await open_survey(bot)
    screen = await consent(bot)
    later = await bot.press(ANNE, screen, "Not now")
    assert "That's fine" in later.text and "/surveys" in later.text
    listed = await bot.say(ANNE, "/surveys")
    screen = await bot.press(ANNE, listed, labels(listed)[0])
    assert "What it is for" in screen.text  # she has not agreed yet: consent again
