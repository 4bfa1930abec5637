"""The /_emulator HTTP control API, as a bot in another process would be driven."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, NetworkError, RetryAfter

from emulator import BotApiEmulator

from .conftest import USER, png_bytes


@pytest.fixture
async def http(emu: BotApiEmulator) -> AsyncIterator[Any]:
    """A tiny JSON client for the control API returning (status, body)."""
    async with aiohttp.ClientSession(emu.url) as session:

        async def call(verb: str, path: str, body: Any = None, **params: Any) -> Any:
            async with session.request(
                verb, "/_emulator" + path, json=body, params=params or None
            ) as response:
                return response.status, await response.json()

        yield call


async def test_health(emu: BotApiEmulator, http: Any) -> None:
    status, body = await http("GET", "/health")
    assert status == 200
    assert body == {
        "ok": True,
        "result": {"base_url": emu.base_url, "base_file_url": emu.base_file_url},
    }


async def test_conversation_over_http(emu: BotApiEmulator, bot: telegram.Bot, http: Any) -> None:
    assert (await http("POST", "/users", {"user_id": USER, "first_name": "Ada"}))[0] == 200
    status, body = await http("POST", "/send_text", {"user_id": USER, "text": "/start"})
    assert status == 200 and body["result"]["text"] == "/start"
    (update,) = await bot.get_updates()
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Join", callback_data="join")]])
    waiter = asyncio.create_task(
        http("POST", "/wait_for_message", {"chat_id": USER, "text_contains": "Welcome"})
    )
    await asyncio.sleep(0.01)
    sent = await update.message.reply_text("Welcome, Ada", reply_markup=markup)
    status, body = await waiter
    assert status == 200
    assert body["result"]["buttons"] == [["Join", "join"]]
    status, body = await http(
        "POST", "/press_button", {"user_id": USER, "message_id": sent.message_id, "text": "Join"}
    )
    query_id = body["result"]["callback_query_id"]
    (press,) = await bot.get_updates(offset=update.update_id + 1)
    await press.callback_query.answer("Joined")
    _status, body = await http("GET", "/callback_answers")
    assert body["result"][query_id]["text"] == "Joined"
    _status, body = await http("GET", f"/chats/{USER}/messages")
    assert [(m["from_bot"], m["text"]) for m in body["result"]] == [
        (False, "/start"),
        (True, "Welcome, Ada"),
    ]
    _status, body = await http("GET", "/messages", since=0)
    assert [m["text"] for m in body["result"]] == ["Welcome, Ada"]


async def test_wait_timeout_and_errors(http: Any) -> None:
    await http("POST", "/users", {"user_id": USER, "first_name": "Ada"})
    status, body = await http("POST", "/wait_for_message", {"chat_id": USER, "timeout": 0.05})
    assert status == 408 and not body["ok"]
    assert (await http("POST", "/send_text", {"user_id": 5, "text": "x"}))[0] == 404
    assert (await http("POST", "/users", {"first_name": "no id"}))[0] == 400
    assert (await http("GET", "/chats/77/messages"))[0] == 404
    status, body = await http("POST", "/press_button", {"user_id": USER, "message_id": 99})
    assert status == 400 and "no message 99" in body["error"]


async def test_faults_limits_block_and_stats(
    emu: BotApiEmulator, bot: telegram.Bot, http: Any
) -> None:
    await http("POST", "/users", {"user_id": USER, "first_name": "Ada"})
    await http("POST", "/send_text", {"user_id": USER, "text": "/start"})
    status, body = await http(
        "POST", "/faults", {"method": "sendMessage", "kind": "502", "count": 1}
    )
    assert status == 200 and body["result"]["remaining"] == 1
    assert len((await http("GET", "/faults"))[1]["result"]) == 1
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "x")
    await http("POST", "/faults", {"kind": "500", "count": 3})
    assert (await http("DELETE", "/faults"))[0] == 200
    await bot.send_message(USER, "ok")

    status, body = await http("POST", "/limits", {"enabled": True, "per_chat_burst": 1})
    assert body["result"]["enabled"] and body["result"]["per_chat_burst"] == 1
    await bot.send_message(USER, "first")
    with pytest.raises(RetryAfter):
        await bot.send_message(USER, "too fast")
    assert (await http("POST", "/limits", {"bogus": 1}))[0] == 400
    await http("POST", "/clock/advance", {"seconds": 5})
    await bot.send_message(USER, "after a while")

    await http("POST", f"/users/{USER}/block")
    with pytest.raises(Forbidden):
        await bot.send_message(USER, "blocked")
    await http("POST", f"/users/{USER}/unblock")

    _status, body = await http("GET", "/stats")
    stats = body["result"]
    # 200s: getMe (bot start-up) and three deliveries.
    assert stats["by_status"] == {"200": 4, "403": 1, "429": 1, "502": 1}
    assert stats["by_method"]["sendMessage"]["429"] == 1
    assert stats["messages_sent"] == 3
    assert stats["faults_fired"] == 1
    _status, body = await http("GET", "/requests", method="sendMessage", status=429)
    assert [r["chat_id"] for r in body["result"]] == [USER]


async def test_groups_documents_commands_files_and_reset(
    emu: BotApiEmulator, bot: telegram.Bot, http: Any
) -> None:
    await http("POST", "/users", {"user_id": USER, "first_name": "Ada"})
    # an admin bot sees every message in the group (privacy mode: tests/emulator/test_groups.py)
    group = {"chat_id": -42, "title": "Forum", "bot_is_admin": True}
    _status, body = await http("POST", "/groups", group)
    assert body["result"] == {"id": -42, "type": "group", "title": "Forum"}
    await http(
        "POST",
        "/send_document",
        {
            "user_id": USER,
            "filename": "a.txt",
            "data_base64": base64.b64encode(b"abc").decode(),
            "chat_id": -42,
        },
    )
    (update,) = await bot.get_updates()
    assert update.message.document.file_name == "a.txt"
    await bot.set_my_commands([("start", "Start")])
    _status, body = await http("GET", "/commands")
    assert body["result"] == [
        {
            "scope": "default",
            "language_code": "",
            "commands": [{"command": "start", "description": "Start"}],
        }
    ]
    async with aiohttp.ClientSession() as session:
        url = f"{emu.control_url}/files/{update.message.document.file_id}"
        async with session.get(url) as response:
            assert await response.read() == b"abc"
    _status, body = await http("GET", "/chats/-42/messages", include_data=1)
    assert base64.b64decode(body["result"][0]["document"]["data_base64"]) == b"abc"
    assert (await http("POST", "/reset"))[0] == 200
    assert emu.state.users == {}


async def test_photos_and_seeded_files(emu: BotApiEmulator, bot: telegram.Bot, http: Any) -> None:
    await http("POST", "/users", {"user_id": USER, "first_name": "Ada"})
    picture = base64.b64encode(png_bytes()).decode()
    status, body = await http("POST", "/send_photo", {"user_id": USER, "data_base64": picture})
    assert status == 200 and body["result"]["photo"]["width"] == 3
    status, body = await http("POST", "/files", {"data_base64": picture, "photo": True})
    file_id = body["result"]["file_id"]
    sent = await bot.send_photo(USER, file_id)
    assert sent.photo[-1].file_id == file_id
    assert (await http("POST", "/files", {"data_base64": "!!"}))[0] == 400


async def test_a_timed_rush_of_presses_arrives_in_order_and_answers_record_the_press_time(
    emu: BotApiEmulator, bot: telegram.Bot, http: Any
) -> None:
    await http("POST", "/users", {"user_id": USER, "first_name": "Ada"})
    await http("POST", "/send_text", {"user_id": USER, "text": "/start"})
    (start,) = await bot.get_updates()
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="cv:1:0")]])
    sent = await bot.send_message(USER, "Question", reply_markup=markup)
    presses = [[USER, sent.message_id, "cv:1:0"], [USER, sent.message_id, "cv:1:1"]]
    status, body = await http(
        "POST", "/press_buttons", {"presses": presses, "spread": 0.1, "start_in": 0, "forge": True}
    )
    assert status == 200
    first, second = body["result"]["callback_query_ids"]
    updates = await bot.get_updates(offset=start.update_id + 1)
    assert [u.callback_query.data for u in updates] == ["cv:1:0", "cv:1:1"]
    await updates[1].callback_query.answer("Saved")
    answer = (await http("GET", "/callback_answers"))[1]["result"][second]
    assert 0 <= answer["time"] - answer["pressed"] < 5
    assert first not in (await http("GET", "/callback_answers"))[1]["result"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"presses": []}, "non-empty list"),
        ({"presses": [[USER, 1]]}, "[user_id, message_id, callback_data]"),
        ({"presses": [[USER, 1, "x"]], "spread": -1}, "from 0 to 3600"),
        ({"presses": [[USER, 1, "x"]], "spread": "soon"}, "must be a number"),
        ({"presses": [[5, 1, "x"]]}, "unknown user 5"),
        ({"presses": [[USER, 99, "x"]], "start_in": 0}, "no message 99"),
    ],
)
async def test_a_bad_rush_is_refused_with_a_clear_error(http: Any, body: Any, error: str) -> None:
    await http("POST", "/users", {"user_id": USER, "first_name": "Ada"})
    status, answer = await http("POST", "/press_buttons", body)
    assert status in (400, 404)
    assert error in answer["error"]


async def test_odd_presses_and_raw_updates_over_http(
    emu: BotApiEmulator, bot: telegram.Bot, http: Any
) -> None:
    await http("POST", "/users", {"user_id": USER, "first_name": "Ada"})
    status, body = await http("POST", "/press_inline", {"user_id": USER, "callback_data": "x"})
    assert status == 200
    query_id = body["result"]["callback_query_id"]
    status, body = await http("POST", "/replay_press", {"callback_query_id": query_id})
    assert status == 200
    replayed = body["result"]["update_id"]
    status, body = await http("POST", "/raw_update", {"update": {"poll": {"id": 1}}})
    assert status == 200
    raw = body["result"]["update_id"]
    assert raw == replayed + 1
    assert emu.state.updates[-1][2] == {"poll": {"id": 1}, "update_id": raw}
    assert (await http("POST", "/replay_press", {"callback_query_id": "nope"}))[0] == 404
    assert (await http("POST", "/raw_update", {"update": [1]}))[0] == 400
    assert (await http("POST", "/press_inline", {"user_id": USER}))[0] == 400
    assert (await http("POST", "/press_inline", {"user_id": 5, "callback_data": "x"}))[0] == 404
