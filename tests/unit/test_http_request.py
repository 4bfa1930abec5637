"""The Application's aiohttp request class: what python-telegram-bot expects of a request
class, tried against the project's emulator on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import socket

import pytest
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut

from bot.http_request import AiohttpRequest
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
