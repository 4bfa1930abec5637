"""SafetyNet on real SQLite: a crisis reply leaves only a count by day, tier and kind, never the
words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import Clock
from bot.crisis import CONCERN, CRISIS, DISTRESS, CrisisMatcher, Verdict
from bot.services.safety import SafetyNet
from storage.db import Database
from storage.stats import StatsRepository

MESSAGE = "Honestly I want to kill myself, Quillon here"
SUICIDE = Verdict(CRISIS, ("suicide",))
OVERDOSE = Verdict(CRISIS, ("overdose", "suicide"))
LOW = Verdict(CONCERN, (DISTRESS,))


@pytest.fixture
def safety(db: Database, clock: Clock) -> SafetyNet:
    # A tiny phrase list: the shipped lists have their own tests.
    matcher = CrisisMatcher(
        {"overdose": ["took too many pills"], "suicide": ["kill myself"], DISTRESS: ["so low"]}
    )
    return SafetyNet(matcher, StatsRepository(db), clock, ZoneInfo("Europe/London"))


async def _everything_stored(db: Database) -> list[tuple[str, tuple[object, ...]]]:
    tables = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
    stored = []
    for table in (row["name"] for row in tables):
        for row in await db.fetch_all(f'SELECT * FROM "{table}"'):
            stored.append((table, tuple(row)))
    return stored


async def test_check_spots_risk_and_stores_nothing(db: Database, safety: SafetyNet) -> None:
    assert safety.check(MESSAGE) == SUICIDE
    assert safety.check(MESSAGE).kind == "suicide"
    assert safety.check("I took too many pills and want to kill myself") == OVERDOSE
    assert safety.check("feeling so low today") == LOW
    assert safety.check("What time is the meeting?") is None

    assert await _everything_stored(db) == []


async def test_assess_gives_the_same_verdict_for_short_and_long_messages(
    db: Database, safety: SafetyNet
) -> None:
    # longer than the sentence model's first window (bot/crisis/encoder.py)
    long_text = "We met on Tuesday and it went well. " * 40 + MESSAGE
    assert await safety.assess(MESSAGE) == SUICIDE
    assert await safety.assess(long_text) == SUICIDE
    assert await safety.assess("What time is the meeting?") is None
    assert await safety.assess("We met on Tuesday. " * 100) is None

    assert await _everything_stored(db) == []


async def test_a_reply_adds_one_to_the_day_tier_and_kind_and_nothing_else(
    db: Database, safety: SafetyNet
) -> None:
    verdict = safety.check(MESSAGE)
    assert verdict is not None

    await safety.count_reply(verdict)
    await safety.count_reply(verdict)

    assert await safety.replies_on("2026-12-10") == 2
    assert await safety.counts_on("2026-12-10") == {(CRISIS, "suicide"): 2}
    stored = await _everything_stored(db)
    assert stored == [("crisis_counts", ("2026-12-10", CRISIS, "suicide", 2))]
    assert "Quillon" not in str(stored)
    assert "kill" not in str(stored)


async def test_each_tier_and_kind_has_its_own_count(safety: SafetyNet) -> None:
    await safety.count_reply(SUICIDE)
    await safety.count_reply(OVERDOSE)
    await safety.count_reply(OVERDOSE)
    await safety.count_reply(LOW)

    # A reply is counted once, under its most urgent kind.
    assert await safety.counts_on("2026-12-10") == {
        (CRISIS, "suicide"): 1,
        (CRISIS, "overdose"): 2,
        (CONCERN, DISTRESS): 1,
    }
    assert await safety.replies_on("2026-12-10") == 4


async def test_each_day_has_its_own_count(safety: SafetyNet, clock: Clock) -> None:
    await safety.count_reply(SUICIDE)
    clock.advance(timedelta(days=1))
    await safety.count_reply(SUICIDE)
    await safety.count_reply(LOW)

    assert await safety.replies_on("2026-12-10") == 1
    assert await safety.replies_on("2026-12-11") == 2
    assert await safety.replies_on("2026-12-12") == 0
    assert await safety.counts_on("2026-12-11") == {(CRISIS, "suicide"): 1, (CONCERN, DISTRESS): 1}
    assert await safety.counts_on("2026-12-12") == {}


async def test_the_day_is_the_forum_s_local_day_in_summer_time(
    safety: SafetyNet, clock: Clock
) -> None:
    # 23:30 UTC on 10 June is 00:30 on 11 June in London (British Summer Time).
    clock.set(datetime(2026, 6, 10, 23, 30, tzinfo=UTC))

    await safety.count_reply(SUICIDE)

    assert await safety.replies_on("2026-06-11") == 1
    assert await safety.replies_on("2026-06-10") == 0
    assert await safety.counts_on("2026-06-11") == {(CRISIS, "suicide"): 1}
