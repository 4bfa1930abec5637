"""Restoring: refused while the bot runs; every bad input refused with a plain message and
nothing changed; a round trip brings back members and votes exactly; the database as it was is
kept aside; an older backup is brought up to date."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from pathlib import Path

import pytest

from bot.app import build_services
from bot.clock import Clock
from bot.ops.backup import backup_now, take_backup
from bot.ops.restore import RestoreError, restore
from config.settings import Settings
from storage.db import known_migrations
from tests.conftest import START
from tests.ops.conftest import KEY, fill, join, member_ids_in, read, settings_for, votes_in
from tests.ops.test_backup import MOMENT, _older_database

NEWCOMER = 730_000_001


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file in the folder (not the backups) with a hash of its bytes."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


async def filled_and_backed_up(settings: Settings, members: int = 10):
    """A forum with members and votes, a backup of it, then later changes: a newcomer joins
    and the first member changes their answer. The backup, ids and the consultation."""
    services = await build_services(settings, Clock(START))
    try:
        ids, consultation_id = await fill(services, members)
        taken = await asyncio.to_thread(backup_now, settings)
        await join(services, NEWCOMER)
        await services.consultations.vote(ids[0], consultation_id, 2)
    finally:
        await services.db.close()
    return taken, ids, consultation_id


async def test_a_restore_brings_back_members_and_votes_exactly(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    taken, ids, consultation_id = await filled_and_backed_up(settings)
    in_backup = votes_in(taken.path, consultation_id)
    before = settings.database_path.read_bytes()

    done = await restore(settings, taken.path)

    assert member_ids_in(settings.database_path) == set(ids)  # the newcomer came later
    assert votes_in(settings.database_path, consultation_id) == in_backup
    assert in_backup[ids[0]] == 0  # the answer as it was at the backup
    assert done.set_aside is not None and done.set_aside.read_bytes() == before
    assert NEWCOMER in member_ids_in(done.set_aside)  # nothing is thrown away
    assert done.schema_version == known_migrations()[-1][0]
    assert done.erased_again == 0
    assert read(settings.database_path, "PRAGMA integrity_check") == [("ok",)]
    assert [name for name in fingerprint(tmp_path) if ".restoring" in name] == []
    # The bot starts on it and reads the same answers through its services.
    services = await build_services(settings, Clock(START))
    try:
        tally = await services.consultations.tally(
            await services.consultations.get(consultation_id)
        )
        assert tally.answered == len(ids)
        assert (await services.members.require(ids[1])).first_name == "Member1"
    finally:
        await services.db.close()


async def test_an_encrypted_backup_restores_with_its_key(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, backup_key=KEY)
    taken, ids, consultation_id = await filled_and_backed_up(settings)
    assert taken.encrypted

    await restore(settings, taken.path)

    assert member_ids_in(settings.database_path) == set(ids)
    assert len(votes_in(settings.database_path, consultation_id)) == len(ids)


async def test_restore_is_refused_while_the_bot_runs(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    taken, _, _ = await filled_and_backed_up(settings)
    services = await build_services(settings, Clock(START))  # the bot is running
    try:
        before = fingerprint(tmp_path)
        with pytest.raises(RestoreError) as caught:
            await restore(settings, taken.path)
        assert "The bot is running" in str(caught.value)
        assert "Stop it first" in str(caught.value)
        assert fingerprint(tmp_path) == before
        assert NEWCOMER in member_ids_in(settings.database_path)
    finally:
        await services.db.close()


def _not_a_backup(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("shopping: milk, bread\n" * 50)
    return path


def _someone_elses_database(tmp_path: Path) -> Path:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    return path


def _cut_short(tmp_path: Path, backup: Path) -> Path:
    path = tmp_path / "cut.db"
    path.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    return path


def _from_a_newer_bot(tmp_path: Path, backup: Path) -> Path:
    path = tmp_path / "newer.db"
    path.write_bytes(backup.read_bytes())
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {known_migrations()[-1][0] + 1}")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda tmp, backup: tmp / "missing.db", "There is no file at"),
        (lambda tmp, backup: tmp, "is a folder"),
        (lambda tmp, backup: _not_a_backup(tmp), "is not a backup made by the bot"),
        (lambda tmp, backup: _someone_elses_database(tmp), "is not a backup made by the bot"),
        (lambda tmp, backup: _cut_short(tmp, backup), "is damaged"),
        (lambda tmp, backup: _from_a_newer_bot(tmp, backup), "newer version of the bot"),
    ],
    ids=["missing", "folder", "text file", "other database", "cut short", "newer bot"],
)
async def test_a_bad_backup_is_refused_and_nothing_changes(tmp_path: Path, make, says: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    settings = settings_for(data)
    taken, _, _ = await filled_and_backed_up(settings)
    source = make(tmp_path, taken.path)
    before = fingerprint(data)

    with pytest.raises(RestoreError) as caught:
        await restore(settings, source)

    assert says in str(caught.value)
    assert fingerprint(data) == before


async def test_an_encrypted_backup_without_the_right_key_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    taken, _, _ = await filled_and_backed_up(settings_for(data, backup_key=KEY))
    before = fingerprint(data)

    with pytest.raises(RestoreError) as no_key:
        await restore(settings_for(data), taken.path)
    with pytest.raises(RestoreError) as wrong_key:
        await restore(settings_for(data, backup_key=KEY + " but not quite"), taken.path)

    assert "is encrypted. Set BACKUP_KEY" in str(no_key.value)
    assert "BACKUP_KEY does not open" in str(wrong_key.value)
    assert fingerprint(data) == before


async def test_restore_onto_a_new_machine_with_no_database(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    taken, ids, _ = await filled_and_backed_up(settings_for(old))
    new = settings_for(tmp_path / "new")

    done = await restore(new, taken.path)

    assert done.set_aside is None
    assert member_ids_in(new.database_path) == set(ids)


async def test_an_older_backup_is_brought_up_to_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "old"
    old.mkdir()
    await _older_database(old, monkeypatch, old / "forum.db")
    backup = take_backup(old / "forum.db", old / "backups", key=None, at=MOMENT)
    settings = settings_for(tmp_path / "now")

    done = await restore(settings, backup.path)

    assert done.schema_version == 8
    latest = known_migrations()[-1][0]
    assert read(settings.database_path, "PRAGMA user_version") == [(latest,)]
    assert member_ids_in(settings.database_path) == {710_000_009}
