"""Fixtures shared by every test: settings, a real migrated database and a fixed clock."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import Clock
from config.settings import Settings
from storage.db import Database, open_database

# PTB's future default for time periods; without it PTB warns each time it builds a RetryAfter.
os.environ.setdefault("PTB_TIMEDELTA", "true")

TEST_TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuv"
# Thursday 10 December 2026, 14:30 UTC (also 14:30 in London: no summer time in December).
START = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings with a test token and the database in tmp_path; no .env file is read."""
    values: dict[str, object] = {
        "bot_token": TEST_TOKEN,
        "database_path": tmp_path / "forum.db",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> Clock:
    """A clock fixed at START; tests move it on with clock.advance."""
    return Clock(START)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A real SQLite database in tmp_path with every migration applied."""
    database = await open_database(tmp_path / "forum.db")
    try:
        yield database
    finally:
        await database.close()
