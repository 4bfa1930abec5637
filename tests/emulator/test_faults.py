"""Injected faults: server errors, 429s, hangs before and after delivery, dropped connections."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
from collections.abc import AsyncIterator

import pytest
import telegram
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from emulator import BotApiEmulator

from .conftest import USER, make_bot


@pytest.fixture
async def quick_bot(emu: BotApiEmulator) -> AsyncIterator[telegram.Bot]:
    """A bot whose requests time out after 0.3 s, with a user who started it."""
    emu.add_user(USER, "Ada")
    await emu.send_text(USER, "/start")
    async with make_bot(emu, read_timeout=0.3) as bot:
        yield bot


def delivered(emu: BotApiEmulator) -> list[str | None]:
    """Return the texts the bot managed to deliver to USER."""
    return [m.text for m in emu.chat(USER).bot_messages]


@pytest.mark.parametrize(
    ("kind", "description"), [("500", "Internal Server Error"), ("502", "Bad Gateway")]
)
async def test_server_errors(
    emu: BotApiEmulator, quick_bot: telegram.Bot, kind: str, description: str
) -> None:
    fault = emu.inject_fault("sendMessage", kind, count=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match=description):
            await quick_bot.send_message(USER, "hello")
    assert fault.fired == 2 and fault.remaining == 0
    assert emu.faults == []
    await quick_bot.send_message(USER, "third time lucky")
    assert delivered(emu) == ["third time lucky"]
    assert emu.count("sendMessage", int(kind)) == 2


async def test_injected_429(emu: BotApiEmulator, quick_bot: telegram.Bot) -> None:
    emu.inject_fault("sendMessage", "429", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await quick_bot.send_message(USER, "hello")
    assert caught.value.retry_after == dtm.timedelta(seconds=7)
    assert delivered(emu) == []


async def test_timeout_before_delivery(emu: BotApiEmulator, quick_bot: telegram.Bot) -> None:
    emu.inject_fault("sendMessage", "timeout_before", hang_seconds=1.0)
    started = time.monotonic()
    with pytest.raises(TimedOut):
        await quick_bot.send_message(USER, "lost")
    assert time.monotonic() - started < 0.9
    assert delivered(emu) == []
    assert emu.request_log[-1].status == 504


async def test_timeout_after_delivery(emu: BotApiEmulator, quick_bot: telegram.Bot) -> None:
    emu.inject_fault("sendMessage", "timeout_after", hang_seconds=1.0)
    with pytest.raises(TimedOut):
        await quick_bot.send_message(USER, "uncertain")
    assert delivered(emu) == ["uncertain"]  # the bot cannot know, but the user got it
    assert emu.request_log[-1].status == 200


async def test_dropped_connection(emu: BotApiEmulator, quick_bot: telegram.Bot) -> None:
    emu.inject_fault("sendMessage", "disconnect")
    with pytest.raises(NetworkError, match="disconnected"):
        await quick_bot.send_message(USER, "gone")
    assert delivered(emu) == []
    assert (await quick_bot.send_message(USER, "back")).text == "back"


async def test_any_sending_method(emu: BotApiEmulator, quick_bot: telegram.Bot) -> None:
    sent = await quick_bot.send_message(USER, "v1")
    emu.inject_fault(None, "500", count=2)
    assert (await quick_bot.get_me()).is_bot  # not a sending method: untouched
    with pytest.raises(NetworkError):
        await quick_bot.edit_message_text("v2", USER, sent.message_id)
    with pytest.raises(NetworkError):
        await quick_bot.send_document(USER, b"x", filename="x.txt")
    assert (await quick_bot.edit_message_text("v2", USER, sent.message_id)).text == "v2"


async def test_faults_for_other_methods_and_order(
    emu: BotApiEmulator, quick_bot: telegram.Bot
) -> None:
    emu.inject_fault("getUpdates", "502")
    emu.inject_fault("getUpdates", "429", retry_after=2)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await quick_bot.get_updates()
    with pytest.raises(RetryAfter):
        await quick_bot.get_updates()
    assert len(await quick_bot.get_updates()) == 1


async def test_faults_do_not_mask_rule_errors_afterwards(
    emu: BotApiEmulator, quick_bot: telegram.Bot
) -> None:
    emu.inject_fault("sendMessage", "500")
    with pytest.raises(NetworkError):
        await quick_bot.send_message(USER, "<bad>", parse_mode="HTML")
    with pytest.raises(BadRequest):
        await quick_bot.send_message(USER, "<bad>", parse_mode="HTML")


async def test_bad_fault_kind(emu: BotApiEmulator) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        emu.inject_fault("sendMessage", "teapot")
    with pytest.raises(ValueError, match="count"):
        emu.inject_fault("sendMessage", "500", count=0)


async def test_stop_releases_hanging_requests() -> None:
    emu = await BotApiEmulator(flood_control=False).start()
    emu.add_user(USER, "Ada")
    await emu.send_text(USER, "/start")
    async with make_bot(emu, read_timeout=30) as bot:
        emu.inject_fault("sendMessage", "timeout_before", hang_seconds=60)
        pending = asyncio.create_task(bot.send_message(USER, "stuck"))
        polling = asyncio.create_task(bot.get_updates(offset=10**6, timeout=60))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await emu.stop()
        assert time.monotonic() - started < 2
        results = await asyncio.wait_for(
            asyncio.gather(pending, polling, return_exceptions=True), 5
        )
        assert isinstance(results[0], NetworkError)
