"""Taking backups: a consistent, checked copy of the live database, encrypted with BACKUP_KEY
when it is set, written owner-only; naming, listing, and keeping only the newest BACKUP_KEEP.

A backup is named ``<database name>-<UTC time>[-<label>].db`` (``.db.enc`` when encrypted), e.g.
``forum-2026-12-10T143000Z.db.enc``. Only files named like that are ever pruned.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import hashlib
import json
import logging
import os
import re
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from bot.ops.encryption import encrypt
from config.settings import Settings
from storage.backup import CopyNotSound, NotForumDatabase, snapshot
from storage.db import BeforeMigrating, DatabaseError

logger = logging.getLogger(__name__)
T = TypeVar("T")

STAMP = "%Y-%m-%dT%H%M%SZ"
PARTIAL = ".partial"  # a backup being written: ".<name>.partial"
PLAIN, ENCRYPTED = ".db", ".db.enc"

# Why a backup failed, in kinds a coordinator's notice can put in plain words.
NO_DATABASE = "no_database"
NO_SPACE = "no_space"
NO_PERMISSION = "no_permission"
NOT_SOUND = "not_sound"
OTHER = "other"


class BackupError(Exception):
    """A backup could not be made; ``reason`` is one of the kinds above, the message says
    what happened and what to do, and names no member."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class BackupFile:
    """One backup in a folder."""

    path: Path
    taken_at: datetime
    encrypted: bool


def backup_key(settings: Settings) -> str | None:
    """BACKUP_KEY as text, or None when backups are not encrypted."""
    return settings.backup_key.get_secret_value() if settings.backup_key else None


def _pattern(stem: str) -> re.Pattern[str]:
    """Names of this database's backups: the time, an optional label, the kind."""
    return re.compile(
        rf"^{re.escape(stem)}-(\d{{4}}-\d{{2}}-\d{{2}}T\d{{6}}Z)(-[a-z0-9-]+)?(\.db|\.db\.enc)$"
    )


def list_backups(folder: Path, stem: str) -> list[BackupFile]:
    """This database's backups in a folder, oldest first ([] when there is no such folder)."""
    pattern = _pattern(stem)
    found = []
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    for name in names:
        match = pattern.match(name)
        if match is None:
            continue
        taken = datetime.strptime(match.group(1), STAMP).replace(tzinfo=UTC)
        found.append(BackupFile(folder / name, taken, match.group(3) == ENCRYPTED))
    return sorted(found, key=lambda backup: (backup.taken_at, backup.path.name))


def latest_backup(folder: Path, stem: str) -> BackupFile | None:
    """The newest backup of this database in the folder, or None."""
    backups = list_backups(folder, stem)
    return backups[-1] if backups else None


def prune(folder: Path, stem: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups of this database, and any half-written one
    an interrupted backup left over an hour ago; return the backups deleted."""
    backups = list_backups(folder, stem)
    doomed = [backup.path for backup in backups[: max(len(backups) - keep, 0)]]
    for path in doomed:
        path.unlink(missing_ok=True)
    pattern = _pattern(stem)
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            name = entry.name
            ours = name.startswith(".") and name.endswith(PARTIAL)
            if ours and pattern.match(name[1 : -len(PARTIAL)]) and _older_than_an_hour(entry):
                Path(entry.path).unlink(missing_ok=True)
    return doomed


def write_private(path: Path, data: bytes) -> None:
    """Write the bytes to a new owner-only file, flushed to disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def _older_than_an_hour(entry: os.DirEntry) -> bool:
    """Whether the file was last written over an hour ago."""
    return time.time() - entry.stat().st_mtime > 3600


def take_backup(
    database: Path,
    folder: Path,
    *,
    key: str | None,
    at: datetime,
    label: str | None = None,
) -> BackupFile:
    """Copy the database (running or not) into the folder, checked and, with a key, encrypted;
    blocking, so run it on a thread. Raises BackupError; a failed backup leaves no file."""
    if not database.is_file():
        raise BackupError(
            NO_DATABASE,
            f"There is no database at {database}, so there is nothing to back up. "
            "Check DATABASE_PATH.",
        )
    try:
        image = snapshot(database)
    except CopyNotSound as exc:
        raise BackupError(
            NOT_SOUND,
            f"The copy of {database} did not pass SQLite's integrity check ({exc}). The "
            "database itself may be damaged: keep the backups you have, and see README.md, "
            "'Backups'.",
        ) from None
    except NotForumDatabase:
        raise BackupError(
            NOT_SOUND, f"{database} is not the bot's database. Check DATABASE_PATH."
        ) from None
    except sqlite3.Error as exc:
        raise BackupError(
            NOT_SOUND, f"The database {database} could not be read ({exc})."
        ) from None
    try:
        data = encrypt(image.data, key) if key else image.data
    except (OverflowError, MemoryError) as exc:  # a database past what fits in memory
        raise BackupError(
            OTHER, f"The backup could not be encrypted ({type(exc).__name__})."
        ) from None
    name = f"{database.stem}-{at.astimezone(UTC).strftime(STAMP)}{'-' + label if label else ''}"
    try:
        path = _write(folder, name, ENCRYPTED if key else PLAIN, data)
    except OSError as exc:
        raise _write_error(folder, exc) from None
    return BackupFile(path, at, bool(key))


def _write(folder: Path, name: str, suffix: str, data: bytes) -> Path:
    """Write the bytes owner-only under a new name (never over another backup), flushed to
    disk, then read them back to be sure they are all there."""
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
    final = folder / f"{name}{suffix}"
    counter = 1
    while final.exists():
        counter += 1
        final = folder / f"{name}-{counter}{suffix}"
    partial = folder / f".{final.name}{PARTIAL}"
    try:
        write_private(partial, data)
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _sync_folder(folder)
    # Read back in one piece: each call is a hand-over of the GIL, which the bot's thread
    # waits for, so few large calls disturb it less than many small ones.
    if hashlib.sha256(final.read_bytes()).digest() != hashlib.sha256(data).digest():
        final.unlink(missing_ok=True)
        raise OSError(errno.EIO, "the backup read back differs from what was written")
    return final


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry for a new file to disk (where the system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_error(folder: Path, exc: OSError) -> BackupError:
    """A writing problem as a BackupError in plain words."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return BackupError(NO_SPACE, f"The disk holding {folder} is full. Free some space.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return BackupError(
            NO_PERMISSION,
            f"The bot may not write to {folder}. Give the user running the bot write access "
            "to it, or set BACKUP_DIR to a folder it can write to.",
        )
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return BackupError(NO_PERMISSION, f"{folder} is not a folder. Set BACKUP_DIR to a folder.")
    return BackupError(OTHER, f"The backup could not be written to {folder} ({exc.strerror}).")


_BACKGROUND: ThreadPoolExecutor | None = None


def _lowest_priority() -> None:
    """Give this thread the lowest CPU priority (on Linux the nice value is per thread): a
    backup then runs on the machine's spare time and the bot's own thread comes first."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


async def in_background(work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking backup work on the backups' own thread, at the lowest CPU priority, so the
    event loop is never blocked and members' presses come first."""
    global _BACKGROUND
    if _BACKGROUND is None:
        _BACKGROUND = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="backup", initializer=_lowest_priority
        )
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_BACKGROUND, functools.partial(work, *args, **kwargs))


PROJECT = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT_SECONDS = 3600


async def backup_in_process(
    database: Path,
    folder: Path,
    *,
    key: str | None,
    at: datetime,
    label: str | None = None,
) -> BackupFile:
    """``take_backup`` in a process of its own (bot/ops/backup_worker.py): the bot's thread
    never waits for it, not even for Python's GIL. Raises BackupError as take_backup does."""
    request = {  # relative paths hold: the worker starts in this process's folder
        "database": str(database),
        "folder": str(folder),
        "at": at.isoformat(),
        "label": label,
        "key": key,
    }
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(PROJECT), environment.get("PYTHONPATH", "")) if part
    )
    try:
        worker = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.ops.backup_worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
        )
    except OSError as exc:
        raise BackupError(OTHER, f"The backup could not be started ({exc.strerror}).") from None
    try:
        out, err = await asyncio.wait_for(
            worker.communicate(json.dumps(request).encode()), WORKER_TIMEOUT_SECONDS
        )
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            worker.kill()
        await worker.wait()
        raise
    try:
        answer = json.loads(out)
    except ValueError:
        last = err.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise BackupError(
            OTHER, f"The backup stopped unexpectedly (exit {worker.returncode}: {last[0]})."
        ) from None
    if "path" not in answer:
        raise BackupError(answer.get("reason", OTHER), answer.get("message", "unknown"))
    return BackupFile(Path(answer["path"]), at, bool(answer["encrypted"]))


def backup_now(settings: Settings, *, to: Path | None = None, label: str | None = None):
    """Take a backup as the settings say (into ``to`` if given, else BACKUP_DIR, where only the
    newest BACKUP_KEEP are kept); blocking. Returns the BackupFile; raises BackupError."""
    folder = to if to is not None else settings.backup_dir
    taken = take_backup(
        settings.database_path,
        folder,
        key=backup_key(settings),
        at=datetime.now(UTC),
        label=label,
    )
    if to is None:
        prune(folder, settings.database_path.stem, settings.backup_keep)
    return taken


def before_migrating(
    settings: Settings, now: Callable[[], datetime] | None = None
) -> BeforeMigrating:
    """The start-up hook that backs the database up into BACKUP_DIR before it is upgraded;
    if that fails, the bot stops with the reason and nothing is changed."""

    async def back_up(current: int, latest: int) -> None:
        """Back up before migrating from schema ``current`` to ``latest``."""
        at = (now or (lambda: datetime.now(UTC)))()
        folder = settings.backup_dir
        try:
            taken = await in_background(
                take_backup,
                settings.database_path,
                folder,
                key=backup_key(settings),
                at=at,
                label=f"before-upgrade-{current}-to-{latest}",
            )
            await in_background(prune, folder, settings.database_path.stem, settings.backup_keep)
        except BackupError as exc:
            raise DatabaseError(
                f"The database needs upgrading, and a backup is taken first, but it could not "
                f"be made: {exc} Nothing was changed."
            ) from None
        logger.info("backed up before upgrading the database: %s", taken.path.name)

    return back_up
