"""Real failures inside the transactions that change state and queue messages together.

``refusing`` adds a temporary SQLite trigger that refuses the delivery rows of one kind of
broadcast (as a full disk would), so the failure happens inside the caller's transaction,
after its own change was written. ``killed_child`` runs a scenario in its own process and
kills it with SIGKILL from inside SQLite as those rows are written, with the transaction open.
``watch_wakes`` checks the delivery worker is woken only once the messages are committed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from pathlib import Path

from bot.delivery import DeliveryService
from storage.db import Database

ROOT = Path(__file__).resolve().parents[1]


def _refuse(kind: str, action: str) -> str:
    """A temporary trigger that runs ``action`` before a delivery row of ``kind`` is written."""
    return (
        f"CREATE TEMP TRIGGER refuse_{kind} BEFORE INSERT ON deliveries "
        f"WHEN (SELECT kind FROM broadcasts WHERE id = NEW.broadcast_id) = '{kind}' "
        f"BEGIN {action}; END"
    )


@asynccontextmanager
async def refusing(db: Database, kind: str) -> AsyncIterator[None]:
    """While open, writing a delivery row of a broadcast of ``kind`` fails."""
    await db.execute(_refuse(kind, "SELECT RAISE(ABORT, 'disk full')"))
    try:
        yield
    finally:
        await db.execute(f"DROP TRIGGER IF EXISTS refuse_{kind}")


async def arm_kill(db: Database, kind: str) -> None:
    """Kill this process (SIGKILL, from inside SQLite) as a delivery row of ``kind`` is
    written: the transaction that writes it is open and never commits."""

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    await db._conn.create_function("die", 0, die)
    await db.execute(_refuse(kind, "SELECT die()"))


async def queued(db: Database, kind: str) -> list[list[int]]:
    """The recipients of each broadcast of a kind, oldest first."""
    found = []
    for row in await db.fetch_all("SELECT id FROM broadcasts WHERE kind = ? ORDER BY id", (kind,)):
        people = await db.fetch_all(
            "SELECT recipient_id FROM deliveries WHERE broadcast_id = ? ORDER BY recipient_id",
            (row["id"],),
        )
        found.append([p["recipient_id"] for p in people])
    return found


def watch_wakes(delivery: DeliveryService, db: Database) -> list[int]:
    """Record, at each wake of the delivery worker, how many delivery rows another connection
    can see: rows still in an open transaction are invisible to it, so a wake before the
    commit shows up as a lower count than the rows the test finds afterwards."""
    seen: list[int] = []
    wake = delivery.wake

    def watched() -> None:
        with closing(sqlite3.connect(db.path)) as other:
            seen.append(other.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0])
        wake()

    delivery.wake = watched  # type: ignore[method-assign]
    return seen


CHILD = """
import asyncio, importlib, sys
from pathlib import Path

module, name = sys.argv[2].split(":")
scenario = getattr(importlib.import_module(module), name)
print("armed", flush=True)
asyncio.run(scenario(Path(sys.argv[1])))
print("survived", flush=True)
"""


async def killed_child(folder: Path, scenario: str) -> None:
    """Run ``module:function`` (an async function of the folder) in its own process until
    it is killed; fail if it is not."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        str(folder),
        scenario,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    out, err = await asyncio.wait_for(child.communicate(), timeout=90)
    assert child.returncode == -signal.SIGKILL, err.decode()
    assert out.decode().split() == ["armed"]
