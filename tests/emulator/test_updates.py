"""getUpdates long polling, user messages and button presses as PTB Update objects."""

from __future__ import annotations

import asyncio
import time

import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict

from emulator import BotApiEmulator, ManualClock

from .conftest import GROUP, TOKEN, USER, make_bot, png_bytes

MENU = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Join", callback_data="join"),
            InlineKeyboardButton("Leave", callback_data="leave"),
        ]
    ]
)


async def test_user_messages_arrive_as_updates(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.add_user(USER, "Ada", username="ada")
    await emu.send_text(USER, "/start")
    await emu.send_text(USER, "/help@forum_test_bot please")
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates] == ["/start", "/help@forum_test_bot please"]
    first = updates[0].message
    assert first.from_user.id == USER and not first.from_user.is_bot
    assert first.from_user.username == "ada"
    assert first.chat.type == "private"
    assert first.entities[0].type == "bot_command"
    assert updates[1].message.parse_entities(["bot_command"]).popitem()[1] == (
        "/help@forum_test_bot"
    )
    assert updates[0].update_id < updates[1].update_id


async def test_offset_confirms_and_drops_older(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.add_user(USER, "Ada")
    for text in ("one", "two", "three"):
        await emu.send_text(USER, text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first] == ["one", "two"]
    assert emu.pending_updates == 3  # returned but not confirmed
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest] == ["three"]
    assert emu.pending_updates == 1
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == ()
    assert emu.pending_updates == 0


async def test_negative_offset_keeps_the_last_ones(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.add_user(USER, "Ada")
    for text in ("a", "b", "c"):
        await emu.send_text(USER, text)
    assert [u.message.text for u in await bot.get_updates(offset=-1)] == ["c"]
    assert emu.pending_updates == 1


async def test_long_poll_waits_for_an_update(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.add_user(USER, "Ada")
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.05)
    assert not poll.done()
    started = time.monotonic()
    await emu.send_text(USER, "wake up")
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 1
    assert updates[0].message.text == "wake up"


async def test_long_poll_times_out_empty(bot: telegram.Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=0.2) == ()
    assert 0.15 < time.monotonic() - started < 2


async def test_second_poller_terminates_the_first(emu: BotApiEmulator) -> None:
    async with make_bot(emu) as first, make_bot(emu) as second:
        waiting = asyncio.create_task(first.get_updates(timeout=10))
        await asyncio.sleep(0.05)
        assert await second.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(waiting, 2)


async def test_allowed_updates_filter(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.add_user(USER, "Ada")
    await emu.send_text(USER, "/start")
    sent = await bot.send_message(USER, "menu", reply_markup=MENU)
    await emu.press_button(USER, sent.message_id, "join")
    only_buttons = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in only_buttons] == ["join"]
    everything = await bot.get_updates(allowed_updates=[])
    assert len(everything) == 2


async def test_group_messages(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.add_user(USER, "Ada")
    emu.add_group(GROUP, "Service user forum", supergroup=True)
    emu.set_privacy_mode(False)  # the bot sees all group talk (tests/emulator/test_groups.py)
    await emu.send_text(USER, "hello all", chat_id=GROUP)
    (update,) = await bot.get_updates()
    assert update.message.chat.id == GROUP
    assert update.message.chat.type == "supergroup"
    assert update.message.from_user.id == USER


async def test_button_press_and_answer(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.add_user(USER, "Ada")
    await emu.send_text(USER, "/start")
    sent = await bot.send_message(USER, "Join the forum?", reply_markup=MENU)
    query_id = await emu.press_button(USER, sent.message_id, "join")
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert isinstance(updates[-1], Update)
    assert query.id == query_id
    assert query.data == "join"
    assert query.from_user.id == USER
    assert query.message.message_id == sent.message_id
    assert query.message.text == "Join the forum?"
    assert query.message.reply_markup == MENU
    assert await query.answer("Welcome!", show_alert=True)
    answer = emu.callback_answers[query_id]
    assert (answer.text, answer.show_alert) == ("Welcome!", True)
    with pytest.raises(BadRequest, match="Query is too old and response timeout expired"):
        await bot.answer_callback_query(query_id)


async def test_press_by_label_and_wait_for_answer(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.add_user(USER, "Ada")
    await emu.send_text(USER, "/start")
    sent = await bot.send_message(USER, "menu", reply_markup=MENU)
    record = emu.chat(USER).message(sent.message_id)
    query_id = await emu.press_button(USER, record, text="Leave")
    (update,) = (await bot.get_updates())[-1:]
    assert update.callback_query.data == "leave"
    answering = asyncio.create_task(emu.wait_for_answer(query_id, timeout=2))
    await bot.answer_callback_query(query_id, "Bye")
    assert (await answering).text == "Bye"


async def test_press_button_refuses_missing_buttons_unless_forged(
    emu: BotApiEmulator, bot: telegram.Bot
) -> None:
    emu.add_user(USER, "Ada")
    await emu.send_text(USER, "/start")
    sent = await bot.send_message(USER, "menu", reply_markup=MENU)
    with pytest.raises(ValueError, match="no button with callback_data='admin:delete_all'"):
        await emu.press_button(USER, sent.message_id, "admin:delete_all")
    forged = await emu.press_button(USER, sent.message_id, "admin:delete_all", forge=True)
    (update,) = (await bot.get_updates())[-1:]
    assert update.callback_query.id == forged
    assert update.callback_query.data == "admin:delete_all"


async def test_answer_rules(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.add_user(USER, "Ada")
    await emu.send_text(USER, "/start")
    sent = await bot.send_message(USER, "menu", reply_markup=MENU)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("123")
    query_id = await emu.press_button(USER, sent.message_id, "join")
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(query_id, "x" * 201)
    assert await bot.answer_callback_query(query_id, "x" * 200)


async def test_answer_after_15_seconds_is_too_old() -> None:
    clock = ManualClock()
    async with (
        BotApiEmulator(clock=clock) as emu,
        telegram.Bot(TOKEN, base_url=emu.base_url) as bot,
    ):
        emu.add_user(USER, "Ada")
        await emu.send_text(USER, "/start")
        sent = await bot.send_message(USER, "menu", reply_markup=MENU)
        late = await emu.press_button(USER, sent.message_id, "join")
        on_time = await emu.press_button(USER, sent.message_id, "leave")
        clock.advance(14.9)
        assert await bot.answer_callback_query(on_time)
        clock.advance(0.2)
        with pytest.raises(BadRequest, match="Query is too old and response timeout expired"):
            await bot.answer_callback_query(late)


async def test_blocking_sends_my_chat_member(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.add_user(USER, "Ada")
    await emu.send_text(USER, "/start")
    await bot.send_message(USER, "hi")
    emu.block_user(USER)
    await emu.send_text(USER, "/start")  # writing again unblocks, as in Telegram
    updates = await bot.get_updates()
    kinds = [
        (u.my_chat_member.old_chat_member.status, u.my_chat_member.new_chat_member.status)
        for u in updates
        if u.my_chat_member
    ]
    assert kinds == [("member", "kicked"), ("kicked", "member")]
    assert (await bot.send_message(USER, "welcome back")).text == "welcome back"


async def test_user_document_can_be_fetched(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.add_user(USER, "Ada")
    await emu.send_document(USER, "notes.txt", b"my notes", "text/plain", caption="see")
    await emu.send_contact(USER, "+447700900123")
    doc_update, contact_update = await bot.get_updates()
    document = doc_update.message.document
    assert (document.file_name, document.mime_type) == ("notes.txt", "text/plain")
    assert doc_update.message.caption == "see"
    file = await bot.get_file(document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"my notes"
    assert contact_update.message.contact.phone_number == "+447700900123"
    assert contact_update.message.contact.user_id == USER


async def test_webhook_blocks_get_updates(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    assert await bot.set_webhook("https://example.org/hook")
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_user_photo_can_be_resent_by_file_id(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.add_user(USER, "Ada")
    with pytest.raises(ValueError, match="not a PNG"):
        await emu.send_photo(USER, b"nope")
    await emu.send_photo(USER, png_bytes(640, 480), caption="poster")
    (update,) = await bot.get_updates()
    sizes = update.message.photo
    assert [(s.width, s.height) for s in sizes] == [(90, 68), (640, 480)]
    assert update.message.caption == "poster"
    again = await bot.send_photo(
        USER, sizes[-1].file_id, caption="<b>for all</b>", parse_mode="HTML"
    )
    assert again.photo[-1].file_id == sizes[-1].file_id
    assert emu.chat(USER).last_bot_message.photo.data == png_bytes(640, 480)


async def test_a_replayed_press_is_the_same_query_and_answers_once(
    emu: BotApiEmulator, bot: telegram.Bot
) -> None:
    emu.add_user(USER, "Ada")
    await emu.send_text(USER, "/start")
    sent = await bot.send_message(USER, "Join the forum?", reply_markup=MENU)
    query_id = await emu.press_button(USER, sent.message_id, "join")
    first = (await bot.get_updates())[-1]
    await bot.edit_message_text("Joined", chat_id=USER, message_id=sent.message_id)
    assert await first.callback_query.answer("Welcome!")

    replay_id = await emu.replay_press(query_id)

    (again,) = await bot.get_updates(offset=first.update_id + 1)
    assert again.update_id == replay_id > first.update_id
    assert again.callback_query.id == query_id
    assert again.callback_query.data == "join"
    assert again.callback_query.message.text == "Joined"  # the message as it is now
    with pytest.raises(BadRequest, match="Query is too old"):
        await again.callback_query.answer("Welcome!")
    with pytest.raises(ValueError, match="unknown callback query"):
        await emu.replay_press("404")


async def test_a_press_on_an_inline_message_has_no_message(
    emu: BotApiEmulator, bot: telegram.Bot
) -> None:
    emu.add_user(USER, "Ada")

    query_id = await emu.press_inline_button(USER, "contact:start")

    (update,) = await bot.get_updates()
    query = update.callback_query
    assert (query.id, query.data, query.message) == (query_id, "contact:start", None)
    assert query.inline_message_id
    assert update.effective_chat is None
    assert await query.answer("Out of date", show_alert=True)
    assert emu.callback_answers[query_id].text == "Out of date"
    assert (await emu.replay_press(query_id)) > update.update_id


async def test_a_raw_update_is_queued_as_given_and_confirmed_like_any(
    emu: BotApiEmulator, bot: telegram.Bot
) -> None:
    emu.add_user(USER, "Ada")
    bad_id = emu.push_raw_update({"message": {"text": "no chat, no date"}, "update_id": "x"})
    await emu.send_text(USER, "hello")

    with pytest.raises(Exception):  # noqa: B017 - what PTB raises is PTB's business
        await bot.get_updates()  # PTB cannot read it: the whole batch fails

    assert emu.pending_updates == 2
    assert emu.state.updates[0][2] == {
        "message": {"text": "no chat, no date"},
        "update_id": bad_id,
    }
    (update,) = await bot.get_updates(offset=bad_id + 1)
    assert update.message.text == "hello"
    assert emu.pending_updates == 1
    with pytest.raises(ValueError):
        emu.push_raw_update(["not", "an", "object"])  # type: ignore[arg-type]
