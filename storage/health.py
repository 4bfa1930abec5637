"""What the health check and `python -m bot check` read from the database: reachability, the
outbox's backlog, integrity, the schema's version and whether the bot holds its lock."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storage.db import Database, known_migrations
from storage.deliveries import precise
from storage.timefmt import from_db

# The moment a pending row could first be sent: its broadcast was written, its chosen start,
# and its retry time, whichever is latest (SQLite's max() of several values; NULLs skipped
# by COALESCE). Only rows the worker would take now are counted as waiting too long.
_OUTBOX = """
SELECT
  (SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'sending')) AS backlog,
  MIN(CASE WHEN urgent = 1 THEN ready END) AS urgent_ready,
  MIN(CASE WHEN urgent = 0 THEN ready END) AS other_ready
FROM (
  SELECT b.urgent,
         max(b.created_at,
             COALESCE(b.not_before, b.created_at),
             COALESCE(d.due_at, b.created_at)) AS ready
  FROM deliveries d
  JOIN broadcasts b ON b.id = d.broadcast_id
  WHERE d.state = 'pending'
    AND b.state IN ('queued', 'sending')
    AND (b.not_before IS NULL OR b.not_before <= :now)
    AND (d.due_at IS NULL OR d.due_at <= :now)
)
"""


@dataclass(frozen=True)
class OutboxState:
    """How many delivery rows wait (pending or being sent), and since when the oldest row the
    worker could send now has been ready, urgent and other apart (None: none waiting)."""

    backlog: int
    urgent_ready_since: datetime | None
    other_ready_since: datetime | None


class HealthRepository:
    """Read-only questions the running bot's health check asks its database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def ping(self) -> bool:
        """Whether a query goes through (raises if the database cannot be read)."""
        return await self._db.fetch_value("SELECT 1") == 1

    async def outbox(self, now: datetime) -> OutboxState:
        """The outbox's backlog and its oldest sendable rows."""
        row = await self._db.fetch_one(_OUTBOX, {"now": precise(now)})
        if row is None:
            return OutboxState(0, None, None)
        return OutboxState(
            int(row["backlog"] or 0),
            _time(row["urgent_ready"]),
            _time(row["other_ready"]),
        )


def _time(text: str | None) -> datetime | None:
    """A stored time (seconds or milliseconds) as an aware datetime."""
    return from_db(text) if text else None


@dataclass(frozen=True)
class DatabaseFileState:
    """What `python -m bot check` learns about the database file without changing it."""

    exists: bool
    integrity: str  # "ok", or SQLite's first complaint
    schema_version: int  # the last migration applied
    latest_migration: int  # the last migration this code knows
    in_use: bool  # a running bot holds the one-instance lock


def inspect_database(path: Path) -> DatabaseFileState:
    """Look at a database file read-only: integrity, schema version, and the lock. Blocking:
    call it off the event loop. Nothing is created, migrated or locked for longer than the
    look at the lock takes."""
    latest = known_migrations()[-1][0] if known_migrations() else 0
    if not path.exists():
        return DatabaseFileState(False, "ok", 0, latest, _locked(path))
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA busy_timeout=5000")
        rows = conn.execute("PRAGMA integrity_check").fetchall()
        integrity = "ok" if [r[0] for r in rows] == ["ok"] else str(rows[0][0])
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()
    return DatabaseFileState(True, integrity, version, latest, _locked(path))


def _locked(path: Path) -> bool:
    """Whether another process holds the bot's one-instance lock beside the database."""
    lock_path = path.with_name(path.name + ".lock")
    if not lock_path.exists():
        return False
    fd = os.open(lock_path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)
