"""The database: migrations, WAL and foreign keys, the one-instance lock, rollbacks."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from storage.db import (
    MIGRATIONS_DIR,
    AlreadyRunningError,
    Database,
    DatabaseTooNewError,
    known_migrations,
    open_database,
)
from storage.stats import StatsRepository
from tests.old_databases import database_at_version

# The scratch rows these tests write: a day's count of one tier and kind. The primary key is
# (day, tier, kind), so the same day written twice breaks it.
INSERT_COUNT = (
    "INSERT INTO crisis_counts (day, tier, kind, count) VALUES (?, 'crisis', 'suicide', ?)"
)

EXPECTED_TABLES = {
    "members",
    "roles",
    "audit_log",
    "contact_requests",
    "crisis_counts",
    "leaver_counts",
}


async def test_every_migration_is_applied(db: Database) -> None:
    migrations = list(MIGRATIONS_DIR.glob("*.sql"))

    assert migrations
    assert await db.fetch_value("PRAGMA user_version") == len(migrations)
    assert await db.schema_version() == len(migrations)
    tables = {
        row["name"]
        for row in await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    assert tables >= EXPECTED_TABLES


async def test_wal_mode_and_foreign_keys_are_on(db: Database) -> None:
    assert await db.fetch_value("PRAGMA journal_mode") == "wal"
    assert await db.fetch_value("PRAGMA foreign_keys") == 1


async def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "forum.db"
    first = await open_database(path)
    await first.execute(INSERT_COUNT, ("2026-12-10", 3))
    await first.close()

    second = await open_database(path)
    try:
        assert await second.fetch_value("SELECT count FROM crisis_counts") == 3
        assert await second.schema_version() == len(list(MIGRATIONS_DIR.glob("*.sql")))
    finally:
        await second.close()


async def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "forum.db"
    await (await open_database(path)).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 999")
    conn.close()

    with pytest.raises(DatabaseTooNewError) as caught:
        await open_database(path)

    message = str(caught.value)
    assert "newer version" in message
    assert "999" in message
    assert "DATABASE_PATH" in message
    # The refusal let go of the lock: trying again gives the same clear answer, not "running".
    with pytest.raises(DatabaseTooNewError):
        await open_database(path)


async def test_a_second_copy_on_the_same_file_is_refused_until_the_first_closes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "forum.db"
    first = await open_database(path)
    try:
        with pytest.raises(AlreadyRunningError) as caught:
            await open_database(path)
        assert str(path) in str(caught.value)
        assert "DATABASE_PATH" in str(caught.value)
    finally:
        await first.close()

    again = await open_database(path)
    await again.close()


async def test_different_files_do_not_block_each_other(tmp_path: Path) -> None:
    one = await open_database(tmp_path / "one.db")
    two = await open_database(tmp_path / "two.db")
    await one.close()
    await two.close()


async def test_the_parent_folder_is_created(tmp_path: Path) -> None:
    database = await open_database(tmp_path / "data" / "nested" / "forum.db")
    await database.close()

    assert (tmp_path / "data" / "nested" / "forum.db").is_file()


async def test_a_transaction_that_raises_is_rolled_back(db: Database) -> None:
    with pytest.raises(RuntimeError, match="half way"):
        async with db.transaction() as tx:
            await tx.execute(INSERT_COUNT, ("d1", 1))
            await tx.execute(INSERT_COUNT, ("d2", 1))
            raise RuntimeError("half way")

    assert await db.fetch_value("SELECT COUNT(*) FROM crisis_counts") == 0
    # The connection is still usable afterwards.
    await db.execute(INSERT_COUNT, ("d3", 1))
    assert await db.fetch_value("SELECT COUNT(*) FROM crisis_counts") == 1


async def test_a_failing_statement_rolls_back_the_whole_transaction(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as tx:
            await tx.execute(INSERT_COUNT, ("d1", 1))
            await tx.execute(INSERT_COUNT, ("d1", 2))

    assert await db.fetch_value("SELECT COUNT(*) FROM crisis_counts") == 0


async def test_a_committed_transaction_is_kept(db: Database) -> None:
    async with db.transaction() as tx:
        row_id = await tx.insert(
            "INSERT INTO audit_log (at, actor_id, action) VALUES (?, 1, 'x')",
            ("2026-12-10T14:30:00+00:00",),
        )

    assert row_id > 0
    assert await db.fetch_value("SELECT action FROM audit_log WHERE id = ?", (row_id,)) == "x"


async def test_work_done_atomically_is_kept_and_returns_its_result(db: Database) -> None:
    def work(conn: sqlite3.Connection) -> int:
        conn.execute(INSERT_COUNT, ("d1", 1))
        conn.execute(INSERT_COUNT, ("d2", 2))
        return conn.execute("SELECT SUM(count) FROM crisis_counts").fetchone()[0]

    assert await db.atomically(work) == 3
    assert await db.fetch_value("SELECT COUNT(*) FROM crisis_counts") == 2


async def test_work_that_fails_atomically_leaves_nothing_and_the_database_usable(
    db: Database,
) -> None:
    def work(conn: sqlite3.Connection) -> None:
        conn.execute(INSERT_COUNT, ("d1", 1))
        conn.execute(INSERT_COUNT, ("d1", 2))

    with pytest.raises(sqlite3.IntegrityError):
        await db.atomically(work)
    assert await db.fetch_value("SELECT COUNT(*) FROM crisis_counts") == 0
    async with db.transaction() as tx:
        await tx.execute(INSERT_COUNT, ("d3", 1))
    assert await db.fetch_value("SELECT COUNT(*) FROM crisis_counts") == 1


async def test_atomic_work_and_transactions_never_interleave(db: Database) -> None:
    """Many at once: each read-then-write sees its own write only, so no update is lost."""
    await db.execute(INSERT_COUNT, ("d", 0))

    def bump(conn: sqlite3.Connection) -> None:
        (count,) = conn.execute("SELECT count FROM crisis_counts").fetchone()
        conn.execute("UPDATE crisis_counts SET count = ?", (count + 1,))

    async def bump_in_transaction() -> None:
        async with db.transaction() as tx:
            count = await tx.fetch_value("SELECT count FROM crisis_counts")
            await tx.execute("UPDATE crisis_counts SET count = ?", (count + 1,))

    await asyncio.gather(
        *(db.atomically(bump) for _ in range(50)), *(bump_in_transaction() for _ in range(50))
    )
    assert await db.fetch_value("SELECT count FROM crisis_counts") == 100


async def test_migration_8_keeps_the_old_daily_totals(tmp_path: Path) -> None:
    """The old one-number-a-day table becomes counts by tier and kind: each day's total is
    kept, as crisis replies of kind 'unrecorded', and new replies count beside it."""
    path = tmp_path / "forum.db"
    database_at_version(path, 7)
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO crisis_daily_counts (day, count) VALUES (?, ?)",
            [("2026-12-09", 3), ("2026-12-10", 5), ("2027-01-01", 1)],
        )
    conn.close()

    database = await open_database(path)
    try:
        assert await database.schema_version() == len(known_migrations())
        rows = await database.fetch_all(
            "SELECT day, tier, kind, count FROM crisis_counts ORDER BY day"
        )
        assert [tuple(row) for row in rows] == [
            ("2026-12-09", "crisis", "unrecorded", 3),
            ("2026-12-10", "crisis", "unrecorded", 5),
            ("2027-01-01", "crisis", "unrecorded", 1),
        ]
        tables = {
            row["name"]
            for row in await database.fetch_all(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        }
        assert "crisis_daily_counts" not in tables

        stats = StatsRepository(database)
        await stats.count_crisis_reply("2026-12-10", "crisis", "suicide")
        await stats.count_crisis_reply("2026-12-10", "concern", "distress")
        assert await stats.crisis_replies("2026-12-09") == 3
        assert await stats.crisis_replies("2026-12-10") == 7
        assert await stats.crisis_counts("2026-12-10") == {
            ("crisis", "unrecorded"): 5,
            ("crisis", "suicide"): 1,
            ("concern", "distress"): 1,
        }
    finally:
        await database.close()


async def test_migration_8_on_an_empty_table(tmp_path: Path) -> None:
    """With no old counts, the new table starts empty."""
    path = tmp_path / "forum.db"
    database_at_version(path, 7)
    database = await open_database(path)
    try:
        assert await database.fetch_value("SELECT COUNT(*) FROM crisis_counts") == 0
    finally:
        await database.close()
