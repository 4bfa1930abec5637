"""The one database connection: WAL mode, foreign keys, migrations, one-instance lock."""

from __future__ import annotations

import asyncio
import fcntl
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

Row = aiosqlite.Row
T = TypeVar("T")


class DatabaseError(Exception):
    """A database problem that should stop the bot with a clear message."""


class AlreadyRunningError(DatabaseError):
    """Another copy of the bot is already using this database file."""


class DatabaseTooNewError(DatabaseError):
    """The database was written by a newer version of the bot."""


class Session:
    """Runs statements on the connection; used inside a transaction or for one statement."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return the number of rows changed."""
        cursor = await self._conn.execute(sql, params)
        changed = cursor.rowcount
        await cursor.close()
        return changed

    async def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one INSERT; return the new row's id."""
        cursor = await self._conn.execute(sql, params)
        row_id = cursor.lastrowid
        await cursor.close()
        return int(row_id or 0)

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each parameter row."""
        await self._conn.executemany(sql, rows)

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        async with self._conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Every row of a query."""
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def fetch_value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        row = await self.fetch_one(sql, params)
        return row[0] if row is not None else None


class Database:
    """One aiosqlite connection shared by the whole bot, with serialised access."""

    def __init__(self, path: Path, conn: aiosqlite.Connection, lock_fd: int | None) -> None:
        self.path = path
        self._conn = conn
        self._lock_fd = lock_fd
        self._mutex = asyncio.Lock()
        self._session = Session(conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        """Run the block as one transaction; roll back if it raises."""
        async with self._mutex:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._session
            except BaseException:
                await self._conn.rollback()
                raise
            else:
                await self._conn.commit()

    async def atomically(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` (plain sqlite3 calls) as one transaction on the database's own thread,
        in a single hop from the event loop; for hot paths like a vote.

        Each statement through aiosqlite is its own hop to its thread and back, and the lock is
        held across all of them, so a busy event loop makes a short transaction slow for
        everyone queued behind it. Here the whole transaction is one hop. aiosqlite has no
        public call for this; ``_execute`` (queue a function on its thread) is used, and the
        tests exercise it, so an aiosqlite change that breaks it fails loudly.
        """
        raw = self._conn._conn  # the sqlite3 connection, only touched on aiosqlite's thread

        def run() -> T:
            raw.execute("BEGIN IMMEDIATE")
            try:
                result = work(raw)
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")
            return result

        async with self._mutex:
            return await self._conn._execute(run)

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement on its own; return the number of rows changed."""
        async with self.transaction() as tx:
            return await tx.execute(sql, params)

    async def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one INSERT on its own; return the new row's id."""
        async with self.transaction() as tx:
            return await tx.insert(sql, params)

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        async with self._mutex:
            return await self._session.fetch_one(sql, params)

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Every row of a query."""
        async with self._mutex:
            return await self._session.fetch_all(sql, params)

    async def fetch_value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        async with self._mutex:
            return await self._session.fetch_value(sql, params)

    async def scrub(self) -> None:
        """Push the write-ahead log into the file and rebuild it, so erased data leaves the disk."""
        async with self._mutex:
            checkpoint = "PRAGMA wal_checkpoint(TRUNCATE)"
            for sql in (checkpoint, "VACUUM", checkpoint):
                # Close each cursor: an unread checkpoint row makes VACUUM fail with
                # "SQL statements in progress".
                cursor = await self._conn.execute(sql)
                await cursor.close()

    async def schema_version(self) -> int:
        """The number of the last migration applied."""
        return int(await self.fetch_value("PRAGMA user_version") or 0)

    async def close(self) -> None:
        """Close the connection and release the one-instance lock."""
        try:
            await self._conn.close()
        finally:
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None


def known_migrations() -> list[tuple[int, Path]]:
    """The migration files, numbered and in order."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise DatabaseError(f"migration file {path.name} must be named like 0001_name.sql")
        found.append((int(match.group(1)), path))
    numbers = [number for number, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise DatabaseError(f"migration numbers must run 1, 2, 3 … without gaps: {numbers}")
    return found


def _take_instance_lock(path: Path) -> int:
    """Hold an exclusive lock beside the database so a second copy cannot start."""
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise AlreadyRunningError(
            f"Another copy of the bot is already using {path}. Stop it first, "
            "or set DATABASE_PATH to a different file."
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


@contextmanager
def instance_lock(path: Path) -> Iterator[None]:
    """Hold the one-instance lock for the block, as the running bot does (a restore: the bot
    cannot start meanwhile); AlreadyRunningError if the bot holds it now."""
    fd = _take_instance_lock(path)
    try:
        yield
    finally:
        os.close(fd)


# Called with (current schema, newest schema) before migrating a database that has data.
BeforeMigrating = Callable[[int, int], Awaitable[None]]


async def open_database(
    path: Path, *, exclusive: bool = True, before_migrating: BeforeMigrating | None = None
) -> Database:
    """Open (or create) the database, lock it for this process and apply migrations; when a
    database that already has data is about to be migrated, ``before_migrating`` runs first
    (the bot takes a backup there; if it raises, nothing is migrated)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_fd = _take_instance_lock(path) if exclusive else None
    try:
        conn = await aiosqlite.connect(path, isolation_level=None)
    except BaseException:
        if lock_fd is not None:
            os.close(lock_fd)
        raise
    conn.row_factory = aiosqlite.Row
    db = Database(path, conn, lock_fd)
    try:
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA secure_delete=ON",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA busy_timeout=5000",
        ):
            await conn.execute(pragma)
        await _migrate(db, conn, before_migrating)
    except BaseException:
        await db.close()
        raise
    return db


async def _migrate(
    db: Database, conn: aiosqlite.Connection, before: BeforeMigrating | None = None
) -> None:
    """Apply every migration newer than the database, each in its own transaction."""
    migrations = known_migrations()
    latest = migrations[-1][0] if migrations else 0
    current = await db.schema_version()
    if current > latest:
        raise DatabaseTooNewError(
            f"The database {db.path} was made by a newer version of the bot "
            f"(schema {current}, this version knows up to {latest}). "
            "Update the bot's code, or use a different DATABASE_PATH."
        )
    if before is not None and 0 < current < latest:
        await before(current, latest)
    for number, path in migrations:
        if number <= current:
            continue
        script = path.read_text(encoding="utf-8")
        await conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
