"""The guided conversations' shared steps (handlers/shared/conversation.py), through the real bot.

A confirm button is honoured only when nothing is missing from the draft; otherwise nothing is
made, the draft is kept, and the step still missing is the one asked next. A change made from
the /broadcast preview changes that one thing and keeps the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import Audience
from bot.delivery.audience import EVERYONE
from emulator import BotApiEmulator
from emulator.html_parser import parse_html
from emulator.records import MessageRecord
from handlers.consultations import newpoll
from handlers.meetings import newmeeting
from tests.e2e.harness import RunningBot, running_bot

pytestmark = pytest.mark.timeout(90)

CASEY = 900_000_001
MEMBERS = [600_700_001, 600_700_002]


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The real bot on the emulator, no quiet hours, a coordinator and two members."""
    async with BotApiEmulator() as emu:
        emu.add_user(CASEY, "Casey")
        emu.chat(CASEY).started = True
        async with running_bot(
            tmp_path,
            emu,
            clock=Clock(),
            coordinator_ids=[CASEY],
            quiet_hours_start=0,
            quiet_hours_end=0,
        ) as running:
            for member_id in MEMBERS:
                emu.add_user(member_id, "Member")
                emu.chat(member_id).started = True
                await running.services.members.join(member_id, "Member")
                await running.services.members.choose_region(member_id, "north_west")
                await running.services.members.finish_setup(member_id)
            yield running


def shown(bot: RunningBot, key: str, **values: object) -> str:
    """A catalogue text as a person reads it."""
    return parse_html(bot.services.texts.get(key, **values))[0]


def at(bot: RunningBot) -> int:
    """Where the coordinator's chat is now."""
    return len(bot.emu.chat(CASEY).messages)


def replies(bot: RunningBot, since: int) -> list[MessageRecord]:
    """The bot's messages to the coordinator after ``since``."""
    return [m for m in bot.emu.chat(CASEY).messages[since:] if m.from_bot]


async def with_button(bot: RunningBot, since: int, suffix: str) -> tuple[MessageRecord, str]:
    """The first bot message after ``since`` with a button whose data ends with ``suffix``
    (a message edited to show it counts), and that button's data."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while True:
        for message in replies(bot, since):
            for _label, data in message.buttons:
                if data and data.endswith(suffix):
                    return message, data
        if loop.time() > deadline:
            raise AssertionError(f"no button ending {suffix!r}")
        await asyncio.sleep(0.02)


async def a_reply(bot: RunningBot, since: int, text: str) -> MessageRecord:
    """The first bot message after ``since`` reading exactly ``text``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while True:
        for message in replies(bot, since):
            if message.content == text:
                return message
        if loop.time() > deadline:
            raise AssertionError(f"no reply reading {text!r}")
        await asyncio.sleep(0.02)


async def count(bot: RunningBot, sql: str) -> int:
    """A number from the database."""
    return int(await bot.services.db.fetch_value(sql, ()))


async def test_confirm_on_a_draft_missing_a_step_makes_nothing_and_asks_that_step(
    bot: RunningBot,
) -> None:
    data = bot.app.user_data[CASEY]
    draft = newmeeting.Draft(
        title="Hub catch-up",
        starts_at=bot.services.clock.now() + timedelta(days=9),
        minutes=60,
        place="Town hall",
        audience=Audience(EVERYONE),
        notes="-",
        repeat=newmeeting.ONCE,
        feedback="-",  # no feedback survey
    )
    data[newmeeting.DRAFTS.key] = draft
    data["awaiting"] = newmeeting.STEP_BUTTONS
    since = at(bot)
    await bot.emu.send_text(CASEY, "ok")  # a typed word at the preview shows it again
    preview, confirm = await with_button(bot, since, ":go")
    assert "Hub catch-up" in preview.content

    # The draft loses its length (same draft, same buttons): its confirm is not honoured.
    data[newmeeting.DRAFTS.key] = draft.with_changes(minutes=None)
    since = at(bot)
    await bot.emu.press_button(CASEY, preview, confirm)
    await a_reply(bot, since, shown(bot, "errors.stale_choice"))
    assert await count(bot, "SELECT COUNT(*) FROM meetings") == 0
    assert all(not bot.emu.chat(member).bot_messages for member in MEMBERS)

    # The draft is kept: typing now gets "use the buttons" and then the missing step.
    since = at(bot)
    await bot.emu.send_text(CASEY, "ok")
    asked, ninety = await with_button(bot, since, ":len:90")
    assert asked.content == shown(bot, "meetings.new_ask_length")
    assert [m.content for m in replies(bot, since)] == [
        shown(bot, "meetings.new_use_buttons"),
        asked.content,
    ]

    # Answering it brings the preview back, with everything else as it was.
    since = at(bot)
    await bot.emu.press_button(CASEY, asked, ninety)
    again, _ = await with_button(bot, since, ":go")
    assert "Hub catch-up" in again.content and "Town hall" in again.content
    assert data[newmeeting.DRAFTS.key].minutes == 90


async def test_a_change_from_the_broadcast_preview_keeps_the_message(bot: RunningBot) -> None:
    emu, services = bot.emu, bot.services
    text = "The garden opens on Saturday."
    since = at(bot)
    await emu.send_text(CASEY, "/broadcast")
    ask, everyone = await with_button(bot, since, ":all")
    since = at(bot)
    await emu.press_button(CASEY, ask, everyone)
    await with_button(bot, since, ":aud")  # "now write your message"
    since = at(bot)
    await emu.send_text(CASEY, text)
    summary, change = await with_button(bot, since, ":aud")
    await a_reply(bot, since, text)  # as members will see it, above the summary

    # Change who gets it, from the preview: a region, then the preview again, not the question.
    since = at(bot)
    await emu.press_button(CASEY, summary, change)
    question, regions = await with_button(bot, since, ":regions")
    await emu.press_button(CASEY, question, regions)
    listed, north_west = await with_button(bot, since, ":r:north_west")
    since = at(bot)
    await emu.press_button(CASEY, listed, north_west)
    await with_button(bot, since, ":urgent")
    await a_reply(bot, since, text)
    region = services.texts.plain("broadcast.audience_region", region="North West")
    asked_again = shown(bot, "broadcast.ask_message", audience=region, count="2")
    assert asked_again not in [m.content for m in replies(bot, since)]
    assert region in replies(bot, since)[-1].content
    assert await count(bot, "SELECT COUNT(*) FROM broadcasts WHERE kind = 'broadcast'") == 0


def ready_meeting(bot: RunningBot) -> newmeeting.Draft:
    """A /newmeeting draft with every step answered."""
    return newmeeting.Draft(
        title="Hub catch-up",
        starts_at=bot.services.clock.now() + timedelta(days=9),
        minutes=60,
        place="Town hall",
        audience=Audience(EVERYONE),
        notes="-",
        repeat=newmeeting.ONCE,
        feedback="-",  # no feedback survey
    )


async def at_preview(bot: RunningBot, store: object, draft: object, step: str) -> MessageRecord:
    """Put a whole draft in the coordinator's hands and show its preview."""
    data = bot.app.user_data[CASEY]
    data[store.key] = draft  # type: ignore[attr-defined]
    data["awaiting"] = step
    since = at(bot)
    await bot.emu.send_text(CASEY, "ok")  # a typed word at the preview shows it again
    preview, _ = await with_button(bot, since, ":go")
    return preview


def button_ending(message: MessageRecord, suffix: str) -> str:
    """The data of the message's button ending with ``suffix``."""
    return next(data for _label, data in message.buttons if data and data.endswith(suffix))


async def test_the_meeting_preview_changes_one_thing_and_keeps_the_rest(bot: RunningBot) -> None:
    emu = bot.emu
    preview = await at_preview(bot, newmeeting.DRAFTS, ready_meeting(bot), newmeeting.STEP_BUTTONS)

    # "Change something" lists what can change; "Back to the check" leaves it all as it was.
    since = at(bot)
    await emu.press_button(CASEY, preview, button_ending(preview, ":chg"))
    listed, back = await with_button(bot, since, ":back")
    assert listed.content == shown(bot, "meetings.new_change_what")
    labels = [label for label, _ in listed.buttons]
    assert bot.services.texts.plain("meetings.button_change_where") in labels
    since = at(bot)
    await emu.press_button(CASEY, listed, back)
    again, _ = await with_button(bot, since, ":go")
    assert again.content == preview.content

    # Change the place: only the place is asked, then the check comes back with the new one.
    since = at(bot)
    await emu.press_button(CASEY, again, button_ending(again, ":chg"))
    listed, where = await with_button(bot, since, ":xp")
    since = at(bot)
    await emu.press_button(CASEY, listed, where)
    await a_reply(bot, since, shown(bot, "meetings.new_ask_where"))
    since = at(bot)
    await emu.send_text(CASEY, "The library, 2 High Street")
    changed, go = await with_button(bot, since, ":go")
    assert "The library, 2 High Street" in changed.content
    assert "Town hall" not in changed.content
    assert "Hub catch-up" in changed.content
    assert len(replies(bot, since)) == 1  # nothing else was asked on the way

    since = at(bot)
    await emu.press_button(CASEY, changed, go)
    place = await stored(bot, "SELECT place FROM meetings")
    assert place == "The library, 2 High Street"
    assert await count(bot, "SELECT COUNT(*) FROM meetings") == 1


async def stored(bot: RunningBot, sql: str) -> object:
    """A value from the database once the bot has written it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while (value := await bot.services.db.fetch_value(sql, ())) is None:
        if loop.time() > deadline:
            raise AssertionError(f"nothing stored for {sql!r}")
        await asyncio.sleep(0.02)
    return value


async def test_the_consultation_preview_changes_the_question_and_keeps_the_answers(
    bot: RunningBot,
) -> None:
    emu, clock = bot.emu, bot.services.clock
    draft = newpoll.Draft(
        question="Which day suits the next meeting?",
        options=("Monday", "Thursday"),
        options_done=True,
        multiple=False,
        ask_comment=False,
        audience=Audience(EVERYONE),
        opens_chosen=True,
        closes_at=clock.now() + timedelta(days=7),
        readers_done=True,
        show_results="after_close",
        note="Coordinators read the results.",
    )
    preview = await at_preview(bot, newpoll.DRAFTS, draft, newpoll.STEP_BUTTONS)
    since = at(bot)
    await emu.press_button(CASEY, preview, button_ending(preview, ":chg"))
    listed, question = await with_button(bot, since, ":xq")
    assert listed.content == shown(bot, "newpoll.change_what")
    since = at(bot)
    await emu.press_button(CASEY, listed, question)
    await a_reply(bot, since, shown(bot, "newpoll.ask_question"))
    since = at(bot)
    await emu.send_text(CASEY, "Which evening suits the next meeting?")
    changed, go = await with_button(bot, since, ":go")
    assert "Which evening suits" in changed.content and "Which day" not in changed.content
    assert "Monday" in changed.content and "Thursday" in changed.content

    since = at(bot)
    await emu.press_button(CASEY, changed, go)
    question = await stored(bot, "SELECT question FROM consultations")
    assert question == "Which evening suits the next meeting?"
