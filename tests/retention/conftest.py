"""Fixtures for the retention policy: the bot's services over a real database with a moved
clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_services
from bot.clock import Clock
from bot.services.registry import Services
from tests.conftest import START, make_settings

CASEY = 900_000_001  # coordinator named in settings


@pytest.fixture
def clock() -> Clock:
    """A clock fixed at START; tests move it on."""
    return Clock(START)


@pytest.fixture
async def services(tmp_path: Path, clock: Clock) -> AsyncIterator[Services]:
    """Every service as bot/app.py builds it, over a real database; the delivery engine is
    not started, so what is queued stays in the outbox to be looked at."""
    built = await build_services(make_settings(tmp_path, coordinator_ids=[CASEY]), clock)
    try:
        yield built
    finally:
        await built.db.close()
