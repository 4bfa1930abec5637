"""Odd updates never stall the bot, leak what people wrote, or go unanswered.

- An update python-telegram-bot cannot read is skipped (only its id logged); the updates
  around it are handled and the bot keeps reading.
- A press without a message (on a message sent in inline mode) is answered as a stale button
  and changes nothing.
- Ten /help at once under Telegram's per-chat limit: all ten are answered, late rather than
  lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest

from tests.e2e.conftest import COORDINATOR
from tests.e2e.harness import RunningBot

pytestmark = pytest.mark.timeout(90)

SAM = 700_000_301
JO = 700_000_302
SECRET = "my private words about my week"


async def eventually(condition: Callable[[], bool], wait: float = 10.0) -> None:
    """Wait until a condition holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("not reached in time")
        await asyncio.sleep(0.05)


def replies(bot: RunningBot, user: int) -> list[str]:
    """What the bot sent to a chat."""
    return [m.content for m in bot.emu.chat(user).bot_messages]


# An update that cannot be read


async def test_an_unreadable_update_is_skipped_by_id_and_the_rest_are_answered(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    emu = bot.emu
    emu.add_user(SAM, "Sam")
    emu.add_user(JO, "Jo")
    await emu.send_text(SAM, "/help")
    # A message without a chat or a date: the library cannot make it into an Update.
    sender = {"id": JO, "is_bot": False, "first_name": "Jo"}
    bad = emu.push_raw_update({"message": {"message_id": 1, "from": sender, "text": SECRET}})
    await emu.send_text(JO, "/help")

    await eventually(lambda: bool(replies(bot, SAM)) and bool(replies(bot, JO)))
    # The unreadable update last in a batch: the offset still moves past it.
    last = emu.push_raw_update({"callback_query": {"id": "x", "data": SECRET}})
    await eventually(lambda: emu.pending_updates == 0)
    await emu.send_text(SAM, "/help")
    await eventually(lambda: len(replies(bot, SAM)) == 2)

    assert f"update {bad} could not be read" in caplog.text
    assert f"update {last} could not be read" in caplog.text
    assert SECRET not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.CRITICAL]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_flood_of_unreadable_updates_never_stalls_the_bot(bot: RunningBot) -> None:
    emu = bot.emu
    emu.add_user(SAM, "Sam")
    for n in range(30):
        emu.push_raw_update({"message": {"text": f"{SECRET} {n}", "date": "not a date"}})
        emu.push_raw_update({"edited_message": [n]})

    await emu.send_text(SAM, "/help")

    await eventually(lambda: bool(replies(bot, SAM)))
    await eventually(lambda: emu.pending_updates == 0)


# A press without a message


async def test_a_press_without_a_message_is_answered_as_stale_and_changes_nothing(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.join(SAM, "Sam", region="Midlands")
    emu = bot.emu
    stale = bot.services.texts.plain("errors.stale_choice")
    before = {chat: len(emu.chat(chat).messages) for chat in (SAM, COORDINATOR)}

    for data in ["leave:yes", "contact:start", "contact:crisis", "cv:1:0", "menu:home", "zz"]:
        query_id = await emu.press_inline_button(SAM, data)
        answered = await emu.wait_for_answer(query_id, timeout=5)
        assert answered.text == stale

    await asyncio.sleep(0.5)
    assert await bot.services.members.get(SAM) is not None  # "leave:yes" erased nothing
    assert await bot.services.db.fetch_value("SELECT COUNT(*) FROM contact_requests") == 0
    assert {chat: len(emu.chat(chat).messages) for chat in (SAM, COORDINATOR)} == before
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# Ten /help at once under Telegram's per-chat limit


async def test_ten_help_at_once_under_the_per_chat_limit_are_all_answered(
    bot: RunningBot,
) -> None:
    emu = bot.emu
    emu.add_user(SAM, "Sam")
    emu.set_limits(per_chat_per_second=1, per_chat_burst=3)  # Telegram's own

    for _ in range(10):
        await emu.send_text(SAM, "/help")

    await eventually(lambda: len(replies(bot, SAM)) == 10, wait=25)
    assert len(set(replies(bot, SAM))) == 1  # ten times the same answer
    assert emu.count("sendMessage", 429) > 0  # Telegram did hold some back
