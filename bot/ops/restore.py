"""Restoring a backup: refused while the bot runs (the instance lock); the backup is read,
decrypted and checked before anything changes; it is brought up to the current schema and
everyone who left after it was taken is erased again, in a file of its own; only then is the
current database set aside (``forum.db.before-restore-<time>``) and the backup put in its place.
Any failure before that last step leaves the current database exactly as it was."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.ops.backup import STAMP, backup_key, write_private
from bot.ops.encryption import CannotDecrypt, NotEncrypted, decrypt, is_encrypted
from bot.ops.erasures import erase_again
from config.settings import Settings
from storage.backup import CopyNotSound, NotForumDatabase, check_image
from storage.db import AlreadyRunningError, instance_lock, known_migrations, open_database
from storage.erasure_list import ErasureList, ErasureListError

COMPANIONS = ("-wal", "-shm")  # SQLite's files beside a database, named after it


class RestoreError(Exception):
    """The restore was refused or could not be done; the message says why and what to do.
    Nothing was changed."""


@dataclass(frozen=True)
class Restored:
    """What a restore did."""

    source: Path
    database: Path
    set_aside: Path | None  # the database as it was, or None if there was none
    schema_version: int  # the backup's, before it was brought up to date
    erased_again: int


def read_backup(path: Path, key: str | None) -> tuple[bytes, int]:
    """A backup file's database bytes, decrypted and checked, and its schema version;
    blocking. RestoreError says plainly what is wrong with it."""
    if not path.exists():
        raise RestoreError(f"There is no file at {path}.")
    if path.is_dir():
        raise RestoreError(f"{path} is a folder. Give the path of one backup file in it.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RestoreError(f"{path} could not be read ({exc.strerror}).") from None
    if is_encrypted(data):
        if key is None:
            raise RestoreError(
                f"{path} is encrypted. Set BACKUP_KEY to the key it was made with, then "
                "run the restore again."
            )
        try:
            data = decrypt(data, key)
        except (CannotDecrypt, NotEncrypted):
            raise RestoreError(
                f"BACKUP_KEY does not open {path}: it was made with a different key, or the "
                "file is damaged or cut short. Set the key it was made with, or try another "
                "backup."
            ) from None
    try:
        version = check_image(data)
    except NotForumDatabase:
        raise RestoreError(
            f"{path} is not a backup made by the bot. Backups are named like "
            "forum-2026-12-10T143000Z.db (or .db.enc) and are in BACKUP_DIR."
        ) from None
    except CopyNotSound as exc:
        raise RestoreError(
            f"{path} is damaged: it did not pass SQLite's integrity check ({exc}). "
            "Try an older backup."
        ) from None
    latest = known_migrations()[-1][0]
    if version > latest:
        raise RestoreError(
            f"{path} was made by a newer version of the bot (schema {version}; this "
            f"version knows up to {latest}). Update the bot's code first."
        )
    return data, version


async def restore(settings: Settings, source: Path, *, now: datetime | None = None) -> Restored:
    """Put the backup at ``source`` in place of the database (see the module's note)."""
    database = settings.database_path
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        with instance_lock(database):
            return await _restore(settings, source, now or datetime.now(UTC))
    except AlreadyRunningError:
        raise RestoreError(
            f"The bot is running: it is using {database}. Stop it first, then run the "
            "restore again."
        ) from None


async def _restore(settings: Settings, source: Path, now: datetime) -> Restored:
    """The restore itself, with the instance lock held."""
    database = settings.database_path
    data, version = await asyncio.to_thread(read_backup, source, backup_key(settings))
    erasures = ErasureList.beside(database)
    try:
        # Read now, so a damaged list or a missing key stops the restore before any change.
        if await asyncio.to_thread(erasures.entries):
            await asyncio.to_thread(erasures.hasher)
    except ErasureListError as exc:
        raise RestoreError(f"{exc}") from None
    staged = database.with_name(database.name + ".restoring")
    await asyncio.to_thread(_remove_with_companions, staged)
    try:
        await asyncio.to_thread(write_private, staged, data)
        db = await open_database(staged, exclusive=False)  # brought up to the current schema
        try:
            erased = await erase_again(db, erasures)
            await db.scrub()  # everything in the main file: nothing left in a -wal beside it
        finally:
            await db.close()
        set_aside = await asyncio.to_thread(_swap, staged, database, now)
    except BaseException:
        await asyncio.to_thread(_remove_with_companions, staged)
        raise
    return Restored(source, database, set_aside, version, erased)


def _remove_with_companions(path: Path) -> None:
    """Delete a file and SQLite's -wal and -shm beside it, if there."""
    for suffix in ("", *COMPANIONS):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _swap(staged: Path, database: Path, now: datetime) -> Path | None:
    """Set the database (with its -wal and -shm) aside and put the staged file in its place;
    return where the old one went. If the last step fails, the old one is put back."""
    for suffix in COMPANIONS:  # the staged database was closed cleanly: these are empty
        Path(f"{staged}{suffix}").unlink(missing_ok=True)
    stamp = now.astimezone(UTC).strftime(STAMP)
    aside = database.with_name(f"{database.name}.before-restore-{stamp}")
    counter = 1
    while aside.exists():
        counter += 1
        aside = database.with_name(f"{database.name}.before-restore-{stamp}-{counter}")
    moved: list[tuple[Path, Path]] = []
    for suffix in ("", *COMPANIONS):
        current = Path(f"{database}{suffix}")
        if current.exists():
            kept = Path(f"{aside}{suffix}")
            os.replace(current, kept)
            moved.append((current, kept))
    try:
        os.replace(staged, database)
    except BaseException:
        for current, kept in reversed(moved):
            os.replace(kept, current)
        raise
    _sync(database.parent)
    return aside if any(current == database for current, _ in moved) else None


def _sync(folder: Path) -> None:
    """Flush the folder's entries to disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
