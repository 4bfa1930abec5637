"""Backups: how long one takes for a forum of 10,000 members and 100,000 answers, and what a
backup running meanwhile does to members pressing answer buttons.

``backup_ms``: the median of BACKUP_RUNS backups (plain; ``backup_encrypted_ms`` with a key) of
that database, timed in this process (`take_backup`: its own connection, the online backup, the
integrity check on the copy, written and read back). Then the real bot, with the same data in
its own database, takes rushes of votes (BENCH_BACKUP_VOTERS, default 1000, within about two
seconds, as in the votes phase), after a smaller rush to warm up: BENCH_BACKUP_PAIRS (default
3) pairs, one alone and one while backups run one after another, each in a process of its own
as the bot's job takes them (so every press meets one). ``vote_p99_ms_during_backup`` is the
median press-to-answer p99 of the rushes with backups (the issue asks under 250 ms), with that
of the rushes alone beside it for the ratio.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.ops.backup import backup_in_process, prune, take_backup
from storage.db import Database, open_database
from storage.timefmt import to_db

MEMBERS, CONSULTATIONS = 10_000, 10  # every member answered each: 100,000 answers
FIRST_MEMBER = 1_100_000_001
BACKUP_RUNS = 3
KEY = "bench backup key, long enough"
HUBS = (
    ("north_west", "nw_hub_1"),
    ("north_east", "ne_hub_2"),
    ("midlands", "mid_hub_1"),
    ("south_west", "sw_hub_2"),
    ("south_east", "se_hub_1"),
)


async def fill(db: Database) -> int:
    """10,000 members over five hubs, and ten closed consultations each answered by all of
    them (invites, choices and a comment from one in ten); the number of answers."""
    now = datetime.now(UTC)
    past = to_db(now - timedelta(days=30))
    ids = range(FIRST_MEMBER, FIRST_MEMBER + MEMBERS)
    async with db.transaction() as tx:
        await tx.execute_many(
            "INSERT INTO members (telegram_id, first_name, consented_at, region_id, hub_id, "
            "setup_done, updated_at) VALUES (?,?,?,?,?,1,?)",
            [(m, "Member", past, *HUBS[m % len(HUBS)], past) for m in ids],
        )
        for number in range(CONSULTATIONS):
            cid = await tx.insert(
                "INSERT INTO consultations (question, audience_scope, opens_at, closes_at, "
                "state, nudge_state, results_sent, created_at, updated_at, closed_at) "
                "VALUES (?, 'everyone', ?, ?, 'closed', 'sent', 1, ?, ?, ?)",
                (f"Bench question {number}?", past, past, past, past, past),
            )
            await tx.execute_many(
                "INSERT INTO consultation_options (consultation_id, position, label) "
                "VALUES (?,?,?)",
                [(cid, p, label) for p, label in enumerate(("Yes", "No", "Not sure"))],
            )
            await tx.execute_many(
                "INSERT INTO consultation_invites (consultation_id, member_id, region_id, "
                "hub_id, answered_at) VALUES (?,?,?,?,?)",
                [(cid, m, *HUBS[m % len(HUBS)], past) for m in ids],
            )
            await tx.execute_many(
                "INSERT INTO consultation_choices (consultation_id, member_id, position) "
                "VALUES (?,?,?)",
                [(cid, m, (m + number) % 3) for m in ids],
            )
            await tx.execute_many(
                "INSERT INTO consultation_comments (consultation_id, member_id, text, "
                "written_at) VALUES (?,?,?,?)",
                [
                    (cid, m, "A comment of a sentence or two, as members write.", past)
                    for m in ids
                    if m % 10 == 0
                ],
            )
    return MEMBERS * CONSULTATIONS


def _median_ms(database: Path, folder: Path, key: str | None, runs: int) -> float:
    """The median time of ``runs`` backups, in ms (blocking)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        take_backup(database, folder, key=key, at=datetime.now(UTC))
        times.append((time.perf_counter() - started) * 1000)
        prune(folder, database.stem, 1)
    return statistics.median(times)


async def run_backup_ms() -> dict:
    """The backup of the filled database, plain and encrypted, on a database of its own."""
    folder = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    try:
        db = await open_database(folder / "forum.db")
        try:
            answers = await fill(db)
            plain = await asyncio.to_thread(
                _median_ms, db.path, folder / "backups", None, BACKUP_RUNS
            )
            sealed = await asyncio.to_thread(_median_ms, db.path, folder / "backups", KEY, 1)
            size = db.path.stat().st_size
        finally:
            await db.close()
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)
    return {
        "backup_members": MEMBERS,
        "backup_answers": answers,
        "backup_db_mb": round(size / 1_000_000, 1),
        "backup_ms": round(plain, 1),
        "backup_encrypted_ms": round(sealed, 1),
    }


class BackupsMeanwhile:
    """Backups one after another, each in a process of its own as the bot's job takes them,
    until stopped; counts them."""

    def __init__(self, database: Path, folder: Path) -> None:
        self._database = database
        self._folder = folder
        self._stop = asyncio.Event()
        self.taken = 0
        self._task: asyncio.Task | None = None

    async def _loop(self) -> None:
        """Back up, keep one, again."""
        while not self._stop.is_set():
            await backup_in_process(self._database, self._folder, key=None, at=datetime.now(UTC))
            await asyncio.to_thread(prune, self._folder, self._database.stem, 1)
            self.taken += 1

    async def __aenter__(self) -> BackupsMeanwhile:
        self._task = asyncio.create_task(self._loop())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._task is not None
        await self._task


async def run_votes_during_backup(app: Any, emu: Any, token: str) -> dict:
    """The bot's database filled as above; after a warm-up, BENCH_BACKUP_PAIRS (default 3) pairs
    of rushes, one alone and one while backups run, so what else the machine is doing weighs on
    both alike; the median p99 of each, and the votes kept."""
    from benchmarks.votes import _run_presses

    services = app.bot_data["services"]
    settings = services.settings
    await fill(services.db)
    # A fresh backup in BACKUP_DIR, so the bot's own job (a minute after start) finds none due
    # and stays out of the runs without backups.
    await asyncio.to_thread(
        take_backup, settings.database_path, settings.backup_dir, key=None, at=datetime.now(UTC)
    )
    count = int(os.environ.get("BENCH_BACKUP_VOTERS", "1000"))
    pairs = int(os.environ.get("BENCH_BACKUP_PAIRS", "3"))
    voters = iter(range(1_200_000_001, 1_300_000_000))

    async def rush(size: int, spread: float) -> dict:
        """One rush of votes from members who have not voted yet."""
        return await _run_presses(app, emu, token, [next(voters) for _ in range(size)], spread)

    # A first rush warms the bot up (its first answers are slower, backup or not): not counted.
    await rush(max(count // 4, 1), 0.5)
    folder = settings.database_path.parent / "bench-backups"
    alone, during, taken = [], [], 0
    for _ in range(pairs):
        alone.append(await rush(count, 2.0))
        async with BackupsMeanwhile(settings.database_path, folder) as backups:
            during.append(await rush(count, 2.0))
        taken += backups.taken
    await asyncio.to_thread(shutil.rmtree, folder, True)
    p99 = _median([run["vote_p99_ms"] for run in during])
    base = _median([run["vote_p99_ms"] for run in alone])
    return {
        "vote_p99_ms_during_backup": p99,
        "vote_p99_ms_same_run_without_backup": base,
        "vote_p99_backup_ratio": round(p99 / base, 2) if p99 and base else None,
        "vote_p99_ms_during_backup_runs": [run["vote_p99_ms"] for run in during],
        "vote_p99_ms_without_backup_runs": [run["vote_p99_ms"] for run in alone],
        "votes_recorded_during_backup": sum(run["votes_recorded"] for run in during),
        "votes_voters_during_backup": sum(run["vote_voters"] for run in during),
        "backups_during_votes": taken,
    }


def _median(values: list[float | None]) -> float | None:
    """The median, with a press never answered (None) counted as the slowest."""
    known = [value if value is not None else float("inf") for value in values]
    middle = statistics.median(known) if known else None
    return None if middle is None or middle == float("inf") else round(middle, 1)
