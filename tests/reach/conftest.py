"""Fixtures for reaching everyone: the emulator on 127.0.0.1 with Telegram's limits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from emulator import BotApiEmulator


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """The emulator with Telegram's limits (short bursts allowed per chat)."""
    async with BotApiEmulator() as emulator:
        emulator.set_limits(per_chat_burst=20)
        yield emulator
