"""Backups at the SQL level: a consistent copy of the live database, checks on a copy, and the
queries that restoring and the failure notice need."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storage.db import Database, Session
from storage.timefmt import from_db, to_db

SQLITE_HEADER = b"SQLite format 3\x00"
# Pages copied in one step of the online backup (64 MB), and the pause between steps. The copy
# reads one snapshot throughout (a read transaction held open, which never blocks a writer in
# WAL mode), so steps are not needed for locks; each step is a hand-over of Python's GIL between
# the backup's thread and the bot's, so they are large: a forum's database is one or two.
STEP_PAGES = 16384
STEP_PAUSE_SECONDS = 0.005
# What a forum database always has; a sound SQLite file without it is someone else's.
FORUM_TABLE = "members"


class CopyNotSound(Exception):
    """The copy did not pass SQLite's integrity check; ``problems`` holds its first lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class NotForumDatabase(Exception):
    """The bytes are not an SQLite database, or not one the bot made."""


@dataclass(frozen=True)
class Image:
    """A whole database as bytes (as it would be on disk) and its schema version."""

    data: bytes
    schema_version: int


def snapshot(path: Path, *, pages: int = STEP_PAGES, pause: float = STEP_PAUSE_SECONDS) -> Image:
    """A consistent copy of the database at ``path``, checked, as bytes (blocking: run it on a
    thread). Its own connection holds one read transaction while SQLite's online backup copies
    the pages in steps into memory, so writers carry on and the copy is one moment's state."""
    source = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        source.execute("PRAGMA query_only=ON")
        source.execute("PRAGMA busy_timeout=30000")
        source.execute("BEGIN")
        source.execute("SELECT count(*) FROM sqlite_schema").fetchone()  # the snapshot starts
        copy = sqlite3.connect(":memory:")
        try:
            source.backup(copy, pages=pages, sleep=pause)
            version = _check(copy)
            return Image(copy.serialize(), version)
        finally:
            copy.close()
    finally:
        source.close()


def check_image(data: bytes) -> int:
    """Check a database held as bytes (integrity, and that it is the bot's); return its schema
    version. Raises NotForumDatabase or CopyNotSound."""
    if not data.startswith(SQLITE_HEADER):
        raise NotForumDatabase("not an SQLite database")
    copy = sqlite3.connect(":memory:")
    try:
        try:
            copy.deserialize(_without_wal_mark(data))
        except sqlite3.DatabaseError as exc:
            raise NotForumDatabase(str(exc)) from None
        return _check(copy)
    finally:
        copy.close()


def _without_wal_mark(data: bytes) -> bytes:
    """The image marked as an ordinary (rollback-journal) database instead of a WAL one.

    A copy keeps the source's header, which says WAL mode (bytes 18 and 19 are 2). A whole copy
    has nothing in a write-ahead log, so the mark only matters for how it is opened, and SQLite
    cannot open a WAL-marked image in memory. Setting both bytes to 1 is what
    ``PRAGMA journal_mode=DELETE`` writes. (Backup files keep the mark: a restored database
    opens in WAL mode as the bot's always does.)
    """
    if len(data) > 19 and data[18:20] == b"\x02\x02":
        return data[:18] + b"\x01\x01" + data[20:]
    return data


def _check(conn: sqlite3.Connection) -> int:
    """PRAGMA integrity_check on a copy, then that it holds the bot's tables; the version."""
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise CopyNotSound([str(exc)]) from None
    problems = [str(row[0]) for row in rows]
    if problems != ["ok"]:
        raise CopyNotSound(problems[:5])
    found = conn.execute(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", (FORUM_TABLE,)
    ).fetchone()
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if found is None or version < 1:
        raise NotForumDatabase("an SQLite database, but not the bot's")
    return version


async def rejoined_at(db: Database, telegram_id: int) -> datetime | None:
    """The latest time this person joined or was given a role (None if neither): someone
    erased before that time came back, and is not erased again on a restore."""
    value = await db.fetch_value(
        "SELECT max(at) FROM ("
        "SELECT consented_at AS at FROM members WHERE telegram_id = :who "
        "UNION ALL SELECT granted_at FROM roles WHERE telegram_id = :who)",
        {"who": telegram_id},
    )
    return from_db(value)


async def notice_since(tx: Session, kind: str, since: datetime) -> bool:
    """Whether a message of this kind was queued after ``since`` (in the caller's
    transaction, so checking and queueing are one step)."""
    found = await tx.fetch_value(
        "SELECT 1 FROM broadcasts WHERE kind = ? AND created_at > ? LIMIT 1",
        (kind, to_db(since)),
    )
    return found is not None
