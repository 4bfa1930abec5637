"""Rows into records: times from ISO text, flags from 0 or 1, the rest as stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from storage.db import Database
from storage.rows import record, stamp_once


@dataclass(frozen=True)
class Sample:
    """A record with one field of each kind."""

    id: int
    name: str | None
    at: datetime
    until: datetime | None
    on: bool


async def test_a_row_becomes_its_record_with_times_and_flags_read(db: Database) -> None:
    row = await db.fetch_one(
        "SELECT 7 AS id, NULL AS name, '2026-12-10T14:30:00+00:00' AS at, NULL AS until, "
        "1 AS [on], 'extra' AS other"
    )
    assert row is not None
    assert record(Sample, row) == Sample(
        7, None, datetime(2026, 12, 10, 14, 30, tzinfo=UTC), None, True
    )


async def test_an_override_replaces_what_the_column_holds(db: Database) -> None:
    row = await db.fetch_one(
        "SELECT 1 AS id, '' AS name, '2026-12-10T00:00:00+00:00' AS at, "
        "'2026-12-11T00:00:00+00:00' AS until, 0 AS [on]"
    )
    assert row is not None
    sample = record(Sample, row, name=row["name"] or None)
    assert sample.name is None
    assert sample.until == datetime(2026, 12, 11, tzinfo=UTC)
    assert sample.on is False


async def test_a_time_is_stamped_once_and_a_second_stamp_changes_nothing(db: Database) -> None:
    first, later = datetime(2026, 12, 10, 14, 30, tzinfo=UTC), datetime(2026, 12, 11, tzinfo=UTC)
    async with db.transaction() as tx:
        await tx.execute("CREATE TEMP TABLE stamps (id INTEGER PRIMARY KEY, done_at TEXT)")
        await tx.execute("INSERT INTO stamps (id) VALUES (1)")
        assert await stamp_once(tx, "stamps", "done_at", 1, first)
        assert not await stamp_once(tx, "stamps", "done_at", 1, later)
        assert not await stamp_once(tx, "stamps", "done_at", 2, later)  # no such row
        kept = await tx.fetch_value("SELECT done_at FROM stamps WHERE id = 1")
    assert kept == "2026-12-10T14:30:00+00:00"
