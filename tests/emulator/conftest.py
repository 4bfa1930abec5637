"""Fixtures for the emulator's tests: a running emulator and PTB bots pointed at it."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator

import pytest
import telegram
from telegram.request import HTTPXRequest

from emulator import BotApiEmulator

TOKEN = "123456789:TEST-token_abc"
BOT_ID = 123456789
USER = 1001
OTHER = 1002
GROUP = -5001


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta periods, so RetryAfter raises no deprecation warning."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """A started emulator with flood control off (flood tests make their own)."""
    async with BotApiEmulator(flood_control=False) as emulator:
        yield emulator


def make_bot(emu: BotApiEmulator, read_timeout: float = 5.0) -> telegram.Bot:
    """Return a PTB bot talking to ``emu`` (not yet initialised)."""
    return telegram.Bot(
        TOKEN,
        base_url=emu.base_url,
        base_file_url=emu.base_file_url,
        request=HTTPXRequest(read_timeout=read_timeout, connection_pool_size=8),
        get_updates_request=HTTPXRequest(read_timeout=read_timeout),
    )


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[telegram.Bot]:
    """An initialised PTB bot talking to ``emu``."""
    async with make_bot(emu) as ptb_bot:
        yield ptb_bot


@pytest.fixture
async def user(emu: BotApiEmulator) -> int:
    """A user who has started the bot (so the bot may write to them)."""
    emu.add_user(USER, "Ada", "Lovelace", username="ada")
    await emu.send_text(USER, "/start")
    return USER


def png_bytes(width: int = 3, height: int = 2) -> bytes:
    """Return a valid RGB PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
