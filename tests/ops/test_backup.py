"""Taking backups: a checked, consistent copy of the live database, owner-only or encrypted,
named by time, the newest BACKUP_KEEP kept; and one taken before any migration at start-up."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import storage.db
from bot.app import build_services
from bot.clock import Clock
from bot.ops.backup import (
    NO_DATABASE,
    NO_PERMISSION,
    NOT_SOUND,
    BackupError,
    backup_now,
    list_backups,
    prune,
    take_backup,
)
from bot.ops.encryption import CannotDecrypt, NotEncrypted, decrypt, encrypt, is_encrypted
from bot.services.registry import Services
from config.settings import Settings
from storage.backup import check_image
from storage.db import DatabaseError, known_migrations, open_database
from tests.conftest import START
from tests.ops.conftest import (
    KEY,
    fill,
    join,
    member_ids_in,
    open_consultation,
    read,
    settings_for,
    votes_in,
)

MOMENT = datetime(2026, 12, 10, 3, 0, tzinfo=UTC)


async def test_a_backup_of_the_running_bot_holds_every_member_and_vote(
    services: Services, settings: Settings
) -> None:
    ids, consultation_id = await fill(services, 12)

    taken = await asyncio.to_thread(backup_now, settings)

    assert taken.path.parent == settings.database_path.parent / "backups"
    assert taken.path.name.startswith("forum-") and taken.path.suffix == ".db"
    assert member_ids_in(taken.path) == set(ids)
    live = votes_in(settings.database_path, consultation_id)
    assert votes_in(taken.path, consultation_id) == live and len(live) == 12
    assert read(taken.path, "PRAGMA integrity_check") == [("ok",)]


async def test_without_a_key_only_the_owner_can_read_backups(
    services: Services, settings: Settings
) -> None:
    await join(services, 710_000_001)

    taken = await asyncio.to_thread(backup_now, settings)

    assert stat.S_IMODE(taken.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.backup_dir.stat().st_mode) == 0o700
    assert not taken.encrypted
    assert taken.path.read_bytes().startswith(b"SQLite format 3\x00")
    # Nothing half-written is left beside it.
    assert [p.name for p in settings.backup_dir.iterdir()] == [taken.path.name]


async def test_with_a_key_the_backup_is_encrypted_and_opens_only_with_that_key(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path, backup_key=KEY)
    built = await build_services(settings, Clock(START))
    try:
        ids, consultation_id = await fill(built, 5)
        taken = await asyncio.to_thread(backup_now, settings)
    finally:
        await built.db.close()

    blob = taken.path.read_bytes()
    assert taken.encrypted and taken.path.name.endswith(".db.enc")
    assert is_encrypted(blob)
    assert b"SQLite format 3" not in blob and b"Member0" not in blob
    assert stat.S_IMODE(taken.path.stat().st_mode) == 0o600
    plain = decrypt(blob, KEY)
    assert check_image(plain) == known_migrations()[-1][0]
    copy = tmp_path / "decrypted.db"
    copy.write_bytes(plain)
    assert member_ids_in(copy) == set(ids)
    assert len(votes_in(copy, consultation_id)) == 5


def test_encryption_round_trip_and_refusals() -> None:
    data = b"SQLite format 3\x00" + bytes(range(256)) * 40

    sealed = encrypt(data, KEY)

    assert decrypt(sealed, KEY) == data
    assert encrypt(data, KEY) != sealed  # a new salt and nonce every time
    with pytest.raises(CannotDecrypt):
        decrypt(sealed, KEY + "x")
    with pytest.raises(CannotDecrypt):
        decrypt(sealed[:-1], KEY)  # cut short
    flipped = bytearray(sealed)
    flipped[len(flipped) // 2] ^= 1
    with pytest.raises(CannotDecrypt):
        decrypt(bytes(flipped), KEY)
    header = bytearray(sealed)
    header[20] ^= 1  # a changed salt: the header is checked with the data
    with pytest.raises(CannotDecrypt):
        decrypt(bytes(header), KEY)
    with pytest.raises(NotEncrypted):
        decrypt(data, KEY)


async def test_a_backup_taken_during_a_rush_of_votes_loses_nothing(
    services: Services, settings: Settings
) -> None:
    ids = [720_000_001 + i for i in range(150)]
    for index, member_id in enumerate(ids):
        await join(services, member_id, index)
    consultation_id = await open_consultation(services)
    counted_before = len(votes_in(settings.database_path, consultation_id))

    async def vote_all() -> None:
        for index, member_id in enumerate(ids):
            await services.consultations.vote(member_id, consultation_id, index % 3)
            await asyncio.sleep(0)

    voting = asyncio.create_task(vote_all())
    await asyncio.sleep(0.01)  # some votes are in before the copy starts
    taken = await asyncio.to_thread(backup_now, settings)
    await voting

    live = votes_in(settings.database_path, consultation_id)
    assert len(live) == len(ids)  # every vote was kept while the copy ran
    copied = votes_in(taken.path, consultation_id)
    assert counted_before <= len(copied) <= len(ids)
    # The copy is one moment's state: each vote in it is a vote as it was made, and the
    # invitations it marks answered are exactly the ones with a vote.
    assert all(live[member] == position for member, position in copied.items())
    answered = read(
        taken.path,
        "SELECT member_id FROM consultation_invites "
        "WHERE consultation_id = ? AND answered_at IS NOT NULL",
        (consultation_id,),
    )
    assert {row[0] for row in answered} == set(copied)
    assert read(taken.path, "PRAGMA integrity_check") == [("ok",)]


async def test_only_the_newest_backups_are_kept(services: Services, settings: Settings) -> None:
    await join(services, 710_000_001)
    folder = settings.backup_dir
    folder.mkdir(mode=0o700)
    unrelated = [folder / "notes.txt", folder / "other-2026-12-01T000000Z.db"]
    for path in unrelated:
        path.write_text("keep me")
    taken = [
        take_backup(settings.database_path, folder, key=None, at=MOMENT + timedelta(hours=h))
        for h in range(5)
    ]

    deleted = prune(folder, "forum", 3)

    assert deleted == [taken[0].path, taken[1].path]
    assert [b.path for b in list_backups(folder, "forum")] == [b.path for b in taken[2:]]
    assert all(path.exists() for path in unrelated)  # never a file the bot did not name


async def test_a_half_written_backup_left_by_a_crash_is_cleared_after_an_hour(
    services: Services, settings: Settings
) -> None:
    folder = settings.backup_dir
    folder.mkdir(mode=0o700)
    old = folder / ".forum-2026-12-09T030000Z.db.partial"
    new = folder / ".forum-2026-12-10T030000Z.db.enc.partial"
    theirs = folder / ".notes.partial"
    for path in (old, new, theirs):
        path.write_bytes(b"half")
    an_hour_and_more = time.time() - 2 * 3600
    os.utime(old, (an_hour_and_more, an_hour_and_more))
    os.utime(theirs, (an_hour_and_more, an_hour_and_more))

    take_backup(settings.database_path, folder, key=None, at=MOMENT)
    prune(folder, "forum", 3)

    assert not old.exists()
    assert new.exists()  # perhaps being written right now
    assert theirs.exists()


async def test_backup_now_into_backup_dir_keeps_backup_keep(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, backup_keep=2)
    built = await build_services(settings, Clock(START))
    try:
        await join(built, 710_000_001)
        for _ in range(3):
            await asyncio.to_thread(backup_now, settings)
        elsewhere = tmp_path / "usb"
        for _ in range(3):
            await asyncio.to_thread(backup_now, settings, to=elsewhere)
    finally:
        await built.db.close()

    assert len(list_backups(settings.backup_dir, "forum")) == 2
    assert len(list_backups(elsewhere, "forum")) == 3  # a folder of your own is left alone


async def test_two_backups_in_the_same_second_both_stay(
    services: Services, settings: Settings
) -> None:
    first = take_backup(settings.database_path, settings.backup_dir, key=None, at=MOMENT)
    second = take_backup(settings.database_path, settings.backup_dir, key=None, at=MOMENT)

    assert first.path != second.path
    assert first.path.exists() and second.path.exists()


def test_no_database_means_no_backup_and_no_file(tmp_path: Path) -> None:
    with pytest.raises(BackupError) as caught:
        take_backup(tmp_path / "forum.db", tmp_path / "backups", key=None, at=MOMENT)

    assert caught.value.reason == NO_DATABASE
    assert "nothing to back up" in str(caught.value)
    assert not (tmp_path / "forum.db").exists()  # not created by trying
    assert not (tmp_path / "backups").exists()


def test_a_file_that_is_not_the_bots_database_is_refused(tmp_path: Path) -> None:
    stranger = tmp_path / "forum.db"
    conn = sqlite3.connect(stranger)
    conn.execute("CREATE TABLE notes (text)")
    conn.close()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database at all" * 200)

    for database in (stranger, garbage):
        with pytest.raises(BackupError) as caught:
            take_backup(database, tmp_path / "backups", key=None, at=MOMENT)
        assert caught.value.reason == NOT_SOUND
    assert list_backups(tmp_path / "backups", "forum") == []


async def test_a_backup_folder_that_cannot_be_written_is_said_plainly(
    services: Services, settings: Settings, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")

    with pytest.raises(BackupError) as caught:
        take_backup(settings.database_path, blocked, key=None, at=MOMENT)

    assert caught.value.reason == NO_PERMISSION
    assert "not a folder" in str(caught.value)
    assert blocked.read_text() == "a file where the folder should be"


async def test_a_backup_is_taken_before_the_database_is_upgraded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(tmp_path)
    await _older_database(tmp_path, monkeypatch, settings.database_path)
    latest = known_migrations()[-1][0]

    built = await build_services(settings, Clock(START))
    try:
        assert await built.db.schema_version() == latest
    finally:
        await built.db.close()

    (backup,) = list_backups(settings.backup_dir, "forum")
    assert backup.path.name.endswith(f"-before-upgrade-8-to-{latest}.db")
    assert read(backup.path, "PRAGMA user_version") == [(8,)]
    assert member_ids_in(backup.path) == {710_000_009}


async def test_no_backup_for_a_new_database_or_one_already_up_to_date(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    for _ in range(2):  # created, then opened again with nothing to migrate
        built = await build_services(settings, Clock(START))
        await built.db.close()

    assert list_backups(settings.backup_dir, "forum") == []


async def test_when_the_backup_before_an_upgrade_fails_nothing_is_upgraded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder")
    settings = settings_for(tmp_path, backup_dir=blocked)
    await _older_database(tmp_path, monkeypatch, settings.database_path)

    with pytest.raises(DatabaseError) as caught:
        await build_services(settings, Clock(START))

    assert "backup is taken first" in str(caught.value)
    assert "Nothing was changed" in str(caught.value)
    assert read(settings.database_path, "PRAGMA user_version") == [(8,)]
    # And the bot can start again once the folder is fixed (the lock was let go).
    blocked.unlink()
    built = await build_services(settings, Clock(START))
    await built.db.close()
    assert len(list_backups(blocked, "forum")) == 1


async def _older_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """A database made by an older bot (migrations up to 0008 only), with one member."""
    older = tmp_path / "older-migrations"
    older.mkdir()
    for number, file in known_migrations():
        if number <= 8:
            shutil.copy(file, older / file.name)
    with monkeypatch.context() as patch:
        patch.setattr(storage.db, "MIGRATIONS_DIR", older)
        db = await open_database(path)
        await db.execute(
            "INSERT INTO members (telegram_id, first_name, consented_at, updated_at) "
            "VALUES (710000009, 'Early', '2026-01-01T00:00:00+00:00', "
            "'2026-01-01T00:00:00+00:00')"
        )
        await db.close()
