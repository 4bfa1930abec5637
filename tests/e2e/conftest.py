"""Fixtures for whole flows: the emulator on 127.0.0.1 and the real bot polling it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from emulator.emulator import BotApiEmulator
from tests.e2e.harness import RunningBot, running_bot

COORDINATOR = 900_000_001


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """A fresh emulator with Telegram's limits on."""
    async with BotApiEmulator() as emulator:
        # Telegram's overall limit stays; a person's chat may take short bursts of replies,
        # so flows are not slowed by the per-chat bucket (flood rules have their own tests).
        emulator.set_limits(per_chat_burst=20)
        yield emulator


@pytest.fixture
async def bot(tmp_path: Path, emu: BotApiEmulator) -> AsyncIterator[RunningBot]:
    """The real bot with one coordinator named in settings. It runs on the real clock, so
    quiet hours are off: what a flow sends must not depend on the hour the tests run."""
    emu.add_user(COORDINATOR, "Casey")
    async with running_bot(
        tmp_path, emu, coordinator_ids=[COORDINATOR], quiet_hours_start=0, quiet_hours_end=0
    ) as running:
        yield running
