"""Fixtures for journey tests: the service on a real database, and the facts around it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.services.journey import JourneyService
from bot.services.journey.skills import load_skills
from config.settings import CONFIG_DIR
from emulator.emulator import BotApiEmulator
from storage.db import Database
from storage.journey import JourneyRepository
from tests.e2e.harness import RunningBot, running_bot
from tests.journey.world import World

COORDINATOR = 900_000_001


@pytest.fixture
def journeys(db: Database, clock: Clock) -> JourneyService:
    """The journey service with the shipped skills list."""
    skills = load_skills(CONFIG_DIR / "journey_skills.yaml")
    return JourneyService(JourneyRepository(db), skills, clock)


@pytest.fixture
def world(db: Database, clock: Clock) -> World:
    """Writes facts into the same database."""
    return World(db, clock.now())


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """A fresh emulator with Telegram's limits on (a person's chat may take short bursts)."""
    async with BotApiEmulator() as emulator:
        emulator.set_limits(per_chat_burst=20)
        yield emulator


@pytest.fixture
async def bot(tmp_path: Path, emu: BotApiEmulator) -> AsyncIterator[RunningBot]:
    """The real bot on the emulator, quiet hours off (as in tests/e2e)."""
    emu.add_user(COORDINATOR, "Casey")
    async with running_bot(
        tmp_path, emu, coordinator_ids=[COORDINATOR], quiet_hours_start=0, quiet_hours_end=0
    ) as running:
        yield running
