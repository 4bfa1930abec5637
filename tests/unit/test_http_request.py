"""The Application's aiohttp request class: what python-telegram-bot expects of a request
class, tried against the project's emulator on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import json
import logging
import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import NetworkError, TelegramError, TimedOut

from bot.http_request import (
    MAX_BATCH_PAUSE_SECONDS,
    AiohttpRequest,
    UpdatesRequest,
    plain_press,
    trim_pressed_message,
)
from emulator import BotApiEmulator

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwx"
USER = 500_000_001


async def test_a_bot_on_aiohttp_sends_text_and_files(tmp_path) -> None:
    async with BotApiEmulator() as emu:
        emu.add_user(USER, "Sam")
        emu.chat(USER).started = True
        bot = Bot(TOKEN, base_url=emu.base_url, request=AiohttpRequest(pool_size=4))
        async with bot:
            sent = await bot.send_message(USER, "<b>Hello</b>", parse_mode="HTML")
            assert sent.text == "Hello"
            document = await bot.send_document(
                USER, InputFile(b"a,b\n1,2\n", filename="figures.csv"), caption="The figures"
            )
            assert document.document.file_name == "figures.csv"
        stored = emu.chat(USER).messages
        assert stored[-1].document.data == b"a,b\n1,2\n"
        assert stored[-1].caption == "The figures"


async def test_nothing_listening_is_a_network_error() -> None:
    with socket.socket() as probe:  # a free loopback port with nothing behind it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest(connect_timeout=1.0)
    await request.initialize()
    try:
        with pytest.raises((NetworkError, TimedOut)):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()


async def test_using_it_before_initialize_is_refused() -> None:
    with pytest.raises(RuntimeError):
        await AiohttpRequest().do_request("http://127.0.0.1:9/", "POST")


async def test_replies_with_buttons_go_as_json_and_arrive_whole() -> None:
    async with BotApiEmulator() as emu:
        emu.add_user(USER, "Sam")
        emu.chat(USER).started = True
        bot = Bot(TOKEN, base_url=emu.base_url, request=AiohttpRequest(pool_size=4))
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="cv:1:0")]])
        async with bot:
            sent = await bot.send_message(
                USER, "Tom &amp; Jo's <i>group</i>", parse_mode="HTML", reply_markup=markup
            )
        assert sent.text == "Tom & Jo's group"
        assert sent.reply_markup.inline_keyboard[0][0].callback_data == "cv:1:0"


PRESS = {
    "update_id": 7,
    "callback_query": {
        "id": "q1",
        "from": {"id": USER, "is_bot": False, "first_name": "Sam"},
        "chat_instance": "c",
        "data": "cv:1:0",
        "message": {
            "message_id": 40,
            "date": 1_800_000_000,
            "chat": {"id": USER, "type": "private", "first_name": "Sam"},
            "text": "Should hub meetings move to evenings?",
            "entities": [{"type": "bold", "offset": 0, "length": 6}],
            "reply_markup": {"inline_keyboard": [[{"text": "Yes", "callback_data": "cv:1:0"}]]},
        },
    },
}
TEXT = {
    "update_id": 8,
    "message": {
        "message_id": 41,
        "date": 1_800_000_001,
        "chat": {"id": USER, "type": "private", "first_name": "Sam"},
        "from": {"id": USER, "is_bot": False, "first_name": "Sam"},
        "text": "hello there",
    },
}


def test_a_press_keeps_which_message_and_chat_and_a_member_message_stays_whole() -> None:
    payload = json.dumps({"ok": True, "result": [PRESS, TEXT]}).encode()
    answer = UpdatesRequest().parse_json_payload(payload)
    bot = Bot(TOKEN)
    press, text = (Update.de_json(update, bot) for update in answer["result"])
    assert press.callback_query.data == "cv:1:0"
    assert press.callback_query.from_user.id == USER
    assert press.callback_query.message.message_id == 40
    assert press.callback_query.message.chat.id == USER
    assert press.callback_query.message.text is None  # the bot's own words are not read back
    assert text.message.text == "hello there"  # what a member writes is never trimmed


def _nested(children: st.SearchStrategy) -> st.SearchStrategy:
    """Lists and objects of JSON values, with the keys an update has."""
    keys = st.sampled_from(["callback_query", "message", "result", "chat", "text", "x"])
    return st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4)


def test_updates_piling_up_make_the_next_poll_wait_a_little_and_one_at_a_time_never() -> None:
    request = UpdatesRequest()
    assert request.pause == 0

    def answer(count: int) -> None:
        updates = [dict(PRESS, update_id=n) for n in range(count)]
        request.parse_json_payload(json.dumps({"ok": True, "result": updates}).encode())

    answer(1)
    assert request.pause == 0  # a quiet bot: every update read at once
    answer(4)
    small = request.pause
    assert 0 < small < MAX_BATCH_PAUSE_SECONDS  # a small burst: a few milliseconds
    answer(100)
    assert request.pause == MAX_BATCH_PAUSE_SECONDS  # a rush: the longest wait, never more
    answer(0)
    assert request.pause == 0
    request.parse_json_payload(b'{"ok": false, "error_code": 409, "description": "Conflict"}')
    assert request.pause == 0


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(), _nested, max_leaves=30))
def test_any_json_answer_is_read_without_error(value: object) -> None:
    payload = json.dumps({"ok": True, "result": value}).encode()
    assert UpdatesRequest().parse_json_payload(payload)["ok"] is True


def test_a_broken_answer_is_an_error_and_its_text_is_not_logged(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(TelegramError):
        UpdatesRequest().parse_json_payload(b'{"ok": true, "result": [{"text": "my secret"')
    assert "my secret" not in caplog.text


# An update the library cannot read


UNREADABLE = {"update_id": 9, "message": {"text": "my secret words", "from": {"id": USER}}}


def test_an_update_that_cannot_be_read_leaves_only_its_id_and_the_rest_go_on(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    later = dict(TEXT, update_id=10)
    payload = json.dumps({"ok": True, "result": [PRESS, UNREADABLE, later]}).encode()

    answer = UpdatesRequest().parse_json_payload(payload)

    assert answer["result"][1] == {"update_id": 9}
    updates = Update.de_list(answer["result"], Bot(TOKEN))  # what the library does next
    assert [u.update_id for u in updates] == [7, 9, 10]  # the offset moves past all three
    assert updates[0].callback_query.data == "cv:1:0"
    assert updates[1].effective_message is None and updates[1].callback_query is None
    assert updates[2].message.text == "hello there"
    assert "update 9 could not be read" in caplog.text
    assert "secret" not in caplog.text


def test_the_last_update_unreadable_still_moves_the_offset() -> None:
    payload = json.dumps({"ok": True, "result": [UNREADABLE]}).encode()

    (update,) = Update.de_list(UpdatesRequest().parse_json_payload(payload)["result"])

    assert update.update_id == 9


def test_an_update_without_an_id_is_dropped(caplog) -> None:
    payload = json.dumps({"ok": True, "result": [{"message": {"text": "a secret"}}, TEXT]})

    answer = UpdatesRequest().parse_json_payload(payload.encode())

    assert [u["update_id"] for u in answer["result"]] == [8]
    assert "secret" not in caplog.text


_KINDS = st.sampled_from(["message", "callback_query", "edited_message", "my_chat_member"])
_FIELDS = st.sampled_from(["text", "chat", "from", "date", "id", "message", "data", "type"])
_odd_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(_FIELDS, children, max_size=4)
    ),
    max_leaves=20,
)


@given(
    st.lists(
        st.one_of(
            st.builds(lambda kind, body: {kind: body}, _KINDS, _odd_json),
            st.just(PRESS),
            st.just(TEXT),
        ),
        max_size=6,
    )
)
def test_whatever_comes_the_library_reads_the_batch_and_every_id_is_kept(updates) -> None:
    numbered = [dict(update, update_id=100 + n) for n, update in enumerate(updates)]
    payload = json.dumps({"ok": True, "result": numbered}).encode()

    read = Update.de_list(UpdatesRequest().parse_json_payload(payload)["result"], Bot(TOKEN))

    assert [u.update_id for u in read] == [100 + n for n in range(len(updates))]


# The quick check of an ordinary press never lets through what the library cannot read


_ANY = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=3)
_maybe = st.one_of(_ANY, st.dictionaries(_FIELDS, _ANY, max_size=3))


def _field(good: st.SearchStrategy) -> st.SearchStrategy:
    """A field that is mostly right and sometimes anything."""
    return st.integers(0, 15).flatmap(lambda n: good if n else _maybe)


def _shape(required: dict, optional: dict) -> st.SearchStrategy:
    """Objects with the fields they need (each mostly right), or with some left out."""
    odd = (
        st.fixed_dictionaries(required, optional=optional),
        st.fixed_dictionaries(required, optional={**optional, "x": _ANY}),
        st.fixed_dictionaries({}, optional={**required, **optional}),
    )
    return st.integers(0, 9).flatmap(lambda n: odd[max(0, n - 7)])


_users = _shape(
    {
        "id": _field(st.integers()),
        "is_bot": _field(st.booleans()),
        "first_name": _field(st.text(max_size=5)),
    },
    {"username": _field(st.text(max_size=5)), "is_premium": _field(st.booleans())},
)
_chats = _shape(
    {"id": _field(st.integers()), "type": _field(st.sampled_from(["private", "group", "?"]))},
    {"first_name": _field(st.text(max_size=5)), "title": _field(st.text(max_size=3))},
)
_pressed = _shape(
    {
        "message_id": _field(st.integers()),
        "date": _field(st.integers(-10, 2**40)),
        "chat": _field(_chats),
    },
    {},
)
_presses = _shape(
    {
        "id": _field(st.text(max_size=4)),
        "from": _field(_users),
        "chat_instance": _field(st.text(max_size=4)),
    },
    {
        "data": _field(st.text(max_size=4)),
        "message": _field(_pressed),
        "inline_message_id": _field(st.text(max_size=4)),
    },
)


# No deadline: one example may wait behind the other worker on 2 cores (a 271 ms first run
# was seen); the test is about what the library reads, not how fast.
@settings(max_examples=300, deadline=None)
@given(_presses)
def test_a_press_taken_as_plain_is_one_the_library_reads(query) -> None:
    update = {"update_id": 1, "callback_query": query}
    if plain_press(update):
        Update.de_json(update, Bot(TOKEN))  # never raises


def test_an_ordinary_press_is_plain() -> None:
    update = json.loads(json.dumps(PRESS))
    trim_pressed_message(update)
    assert plain_press(update)
