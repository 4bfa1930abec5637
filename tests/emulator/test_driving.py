"""The in-process driving API: waiting for the bot's messages, records, reset."""

from __future__ import annotations

import asyncio

import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from emulator import BotApiEmulator

from .conftest import USER

pytestmark = pytest.mark.usefixtures("user")


async def test_wait_returns_a_reply_sent_before_waiting(
    emu: BotApiEmulator, bot: telegram.Bot
) -> None:
    await emu.send_text(USER, "/help")
    await bot.send_message(USER, "Here is help")
    reply = await emu.wait_for_message(USER, timeout=1)
    assert reply.text == "Here is help"


async def test_successive_waits_return_successive_messages(
    emu: BotApiEmulator, bot: telegram.Bot
) -> None:
    await bot.send_message(USER, "first")
    await bot.send_message(USER, "second")
    assert (await emu.wait_for_message(USER, timeout=1)).text == "first"
    assert (await emu.wait_for_message(USER, timeout=1)).text == "second"
    with pytest.raises(TimeoutError, match="no matching bot message in chat 1001"):
        await emu.wait_for_message(USER, timeout=0.05)


async def test_user_action_moves_the_cursor(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    await bot.send_message(USER, "stale")
    await emu.send_text(USER, "next please")
    waiting = asyncio.create_task(emu.wait_for_message(USER, timeout=2))
    await asyncio.sleep(0.01)
    assert not waiting.done()
    await bot.send_message(USER, "fresh")
    assert (await waiting).text == "fresh"


async def test_predicate_since_and_edits(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    mark = emu.cursor(USER)
    sent = await bot.send_message(USER, "Working…")
    await bot.edit_message_text("Done", USER, sent.message_id)
    done = await emu.wait_for_message(USER, lambda m: m.text == "Done", timeout=1, since=mark)
    assert done.message_id == sent.message_id
    assert [v.text for v in done.history] == ["Working…"]
    new_only = asyncio.create_task(emu.wait_for_message(USER, kinds=("sent",), timeout=1))
    await bot.edit_message_text("Done again", USER, sent.message_id)
    await asyncio.sleep(0.01)
    assert not new_only.done()
    await bot.send_message(USER, "brand new")
    assert (await new_only).text == "brand new"


async def test_deleted_events(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    sent = await bot.send_message(USER, "temporary")
    mark = emu.cursor(USER)
    await bot.delete_message(USER, sent.message_id)
    gone = await emu.wait_for_message(USER, kinds=("deleted",), since=mark, timeout=1)
    assert gone.deleted and gone.message_id == sent.message_id


async def test_chat_record_views(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    await bot.send_message(USER, "<b>menu</b>", parse_mode="HTML", reply_markup=markup)
    chat = emu.chat(USER)
    assert [m.text for m in chat.user_messages] == ["/start"]
    assert [m.text for m in chat.bot_messages] == ["menu"]
    last = chat.last_bot_message
    assert last is not None and last.buttons == [("A", "a")]
    assert last.entities == [{"type": "bold", "offset": 0, "length": 4}]
    assert last.as_dict()["buttons"] == [["A", "a"]]
    assert emu.messages == [last]


async def test_reset_forgets_but_update_ids_keep_rising(
    emu: BotApiEmulator, bot: telegram.Bot
) -> None:
    before = await bot.get_updates()
    emu.inject_fault("sendMessage", "500")
    emu.reset()
    assert emu.faults == [] and emu.messages == [] and emu.request_log == []
    emu.add_user(USER, "Ada")
    await emu.send_text(USER, "/start")
    after = await bot.get_updates(offset=before[-1].update_id + 1)
    assert after[0].update_id > before[-1].update_id
    assert (await bot.send_message(USER, "fresh start")).message_id == 2


async def test_user_helpers_validate(emu: BotApiEmulator) -> None:
    with pytest.raises(ValueError, match="unknown user"):
        await emu.send_text(999, "hi")
    with pytest.raises(ValueError, match="group chat ids are negative"):
        emu.add_group(5, "bad")
    emu.deactivate_user(USER)
    with pytest.raises(ValueError, match="deactivated"):
        await emu.send_text(USER, "hi")
