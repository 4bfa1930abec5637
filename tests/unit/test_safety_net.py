"""SafetyNet on real SQLite: a crisis reply leaves only a daily count, never the words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import Clock
from bot.crisis import CrisisMatcher
from bot.services.safety import SafetyNet
from storage.db import Database
from storage.stats import StatsRepository

MESSAGE = "Honestly I want to kill myself, Quillon here"


@pytest.fixture
def safety(db: Database, clock: Clock) -> SafetyNet:
    # A tiny phrase list: the shipped list has its own tests.
    matcher = CrisisMatcher({"suicide": ["kill myself"]})
    return SafetyNet(matcher, StatsRepository(db), clock, ZoneInfo("Europe/London"))


async def _everything_stored(db: Database) -> list[tuple[str, tuple[object, ...]]]:
    tables = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
    stored = []
    for table in (row["name"] for row in tables):
        for row in await db.fetch_all(f'SELECT * FROM "{table}"'):
            stored.append((table, tuple(row)))
    return stored


async def test_check_spots_risk_and_stores_nothing(db: Database, safety: SafetyNet) -> None:
    assert safety.check(MESSAGE) is not None
    assert safety.check(MESSAGE).category == "suicide"
    assert safety.check("What time is the meeting?") is None

    assert await _everything_stored(db) == []


async def test_a_reply_adds_one_to_the_day_and_nothing_else(
    db: Database, safety: SafetyNet
) -> None:
    assert safety.check(MESSAGE) is not None

    await safety.count_reply()
    await safety.count_reply()

    assert await safety.replies_on("2026-12-10") == 2
    assert await _everything_stored(db) == [("crisis_daily_counts", ("2026-12-10", 2))]
    assert "Quillon" not in str(await _everything_stored(db))


async def test_each_day_has_its_own_count(safety: SafetyNet, clock: Clock) -> None:
    await safety.count_reply()
    clock.advance(timedelta(days=1))
    await safety.count_reply()
    await safety.count_reply()

    assert await safety.replies_on("2026-12-10") == 1
    assert await safety.replies_on("2026-12-11") == 2
    assert await safety.replies_on("2026-12-12") == 0


async def test_the_day_is_the_forum_s_local_day_in_summer_time(
    safety: SafetyNet, clock: Clock
) -> None:
    # 23:30 UTC on 10 June is 00:30 on 11 June in London (British Summer Time).
    clock.set(datetime(2026, 6, 10, 23, 30, tzinfo=UTC))

    await safety.count_reply()

    assert await safety.replies_on("2026-06-11") == 1
    assert await safety.replies_on("2026-06-10") == 0
