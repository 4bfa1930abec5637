"""A restore never brings a leaver back: the erasure list (keyed hashes, beside the database)
erases again on restore whoever left after the backup was taken; it names no one."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import build_services
from bot.clock import Clock
from bot.ops.backup import backup_now
from bot.ops.restore import RestoreError, restore
from bot.services.registry import Services
from storage.erasure import erase_person
from storage.erasure_list import ErasureList
from tests.conftest import START
from tests.ops.conftest import CASEY, fill, join, member_ids_in, read, settings_for, votes_in

# Ids unlikely to turn up by chance in a file.
LEAVER = 987_650_000_011
STAYER = 987_650_000_022
RETURNER = 987_650_000_033


def cells_holding(path: Path, value: int) -> list[str]:
    """Every table.column in a database file with a cell equal to (or containing) the id."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        found = []
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")]
        for table in tables:
            for column in [r[1] for r in conn.execute(f"PRAGMA table_info('{table}')")]:
                hit = conn.execute(
                    f'SELECT 1 FROM "{table}" WHERE "{column}" = ? '
                    f'OR CAST("{column}" AS TEXT) LIKE ? LIMIT 1',
                    (value, f"%{value}%"),
                ).fetchone()
                if hit:
                    found.append(f"{table}.{column}")
        return found
    finally:
        conn.close()


async def forum_with_three(services: Services) -> int:
    """The leaver, the stayer and the returner join and vote; the consultation's id."""
    for index, person in enumerate((LEAVER, STAYER, RETURNER)):
        await join(services, person, index)
    _, consultation_id = await fill(services, 4)
    for person in (LEAVER, STAYER, RETURNER):
        await services.consultations.vote(person, consultation_id, 1)
    await services.contact.ask(LEAVER, "Lee", "please call me")
    return consultation_id


async def test_a_member_who_left_after_the_backup_is_erased_again_on_restore(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path)
    services = await build_services(settings, Clock(START))
    try:
        consultation_id = await forum_with_three(services)
        taken = await asyncio.to_thread(backup_now, settings)
        services.clock.advance(timedelta(hours=1))
        assert await services.members.erase(LEAVER)  # /leave, after the backup
    finally:
        await services.db.close()
    assert cells_holding(taken.path, LEAVER)  # the backup still holds them

    done = await restore(settings, taken.path)

    assert done.erased_again == 1
    restored = settings.database_path
    assert cells_holding(restored, LEAVER) == []
    assert {STAYER, RETURNER} <= member_ids_in(restored)
    assert LEAVER not in votes_in(restored, consultation_id)
    assert STAYER in votes_in(restored, consultation_id)
    # Their leaving is counted, as at /leave, and the audit log says a member left then.
    assert read(restored, "SELECT sum(count) FROM leaver_counts") == [(1,)]
    assert read(
        restored, "SELECT at FROM audit_log WHERE action = 'member.erased' AND actor_id IS NULL"
    ) == [((START + timedelta(hours=1)).isoformat(timespec="seconds"),)]
    # Nothing of theirs is left in the file's free pages or write-ahead log either.
    for path in [restored, *restored.parent.glob(restored.name + "-*")]:
        assert str(LEAVER).encode() not in path.read_bytes(), path.name


async def test_someone_who_left_and_came_back_before_the_backup_is_kept(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path)
    services = await build_services(settings, Clock(START))
    try:
        await forum_with_three(services)
        services.clock.advance(timedelta(hours=1))
        await services.members.erase(RETURNER)
        services.clock.advance(timedelta(hours=1))
        await join(services, RETURNER, 1)  # came back
        taken = await asyncio.to_thread(backup_now, settings)
        services.clock.advance(timedelta(hours=1))
        await services.members.erase(LEAVER)
    finally:
        await services.db.close()

    done = await restore(settings, taken.path)

    assert done.erased_again == 1
    assert RETURNER in member_ids_in(settings.database_path)
    assert LEAVER not in member_ids_in(settings.database_path)


async def test_the_erasure_list_names_no_one(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    services = await build_services(settings, Clock(START))
    try:
        await join(services, LEAVER)
        await services.members.erase(LEAVER)
    finally:
        await services.db.close()
    erasures = ErasureList.beside(settings.database_path)
    text = erasures.list_path.read_text()
    key = bytes.fromhex(erasures.key_path.read_text().strip())

    assert str(LEAVER) not in text
    assert stat.S_IMODE(erasures.list_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(erasures.key_path.stat().st_mode) == 0o600
    (line,) = [line for line in text.splitlines() if not line.startswith("#")]
    digest = line.split()[0]
    assert digest == hmac.new(key, str(LEAVER).encode(), hashlib.sha256).hexdigest()
    # Not a plain hash: trying every id near theirs without the key finds nothing...
    nearby = range(LEAVER - 5000, LEAVER + 5000)
    plain = {hashlib.sha256(str(i).encode()).hexdigest() for i in nearby}
    wrong_key = {hmac.new(b"\0" * 32, str(i).encode(), hashlib.sha256).hexdigest() for i in nearby}
    assert digest not in plain and digest not in wrong_key
    # ...while the key, kept apart from the database and its backups, finds them.
    assert digest in {hmac.new(key, str(i).encode(), hashlib.sha256).hexdigest() for i in nearby}
    # The key is not in the database.
    assert key.hex().encode() not in settings.database_path.read_bytes()


async def test_every_erasure_path_records_it(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    services = await build_services(settings, Clock(START))
    try:
        await join(services, STAYER)
        await erase_person(services.db, STAYER)  # as the retention sweep removes someone
        erasures = ErasureList.beside(settings.database_path)
        assert erasures.hasher()(STAYER) in erasures.entries()
    finally:
        await services.db.close()


async def test_a_damaged_erasure_list_stops_the_restore_before_any_change(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path)
    services = await build_services(settings, Clock(START))
    try:
        await forum_with_three(services)
        taken = await asyncio.to_thread(backup_now, settings)
        await services.members.erase(LEAVER)
    finally:
        await services.db.close()
    erasures = ErasureList.beside(settings.database_path)
    with erasures.list_path.open("a") as file:
        file.write("this line is not a hash\n")
    before = settings.database_path.read_bytes()

    with pytest.raises(RestoreError) as damaged:
        await restore(settings, taken.path)
    assert "is damaged" in str(damaged.value)

    erasures.list_path.write_text(
        "\n".join(erasures.list_path.read_text().splitlines()[:-1]) + "\n"
    )
    key = erasures.key_path.read_bytes()
    erasures.key_path.unlink()
    with pytest.raises(RestoreError) as no_key:
        await restore(settings, taken.path)
    assert "key file" in str(no_key.value) and "missing" in str(no_key.value)
    assert settings.database_path.read_bytes() == before

    erasures.key_path.write_bytes(key)
    done = await restore(settings, taken.path)
    assert done.erased_again == 1


async def test_coordinators_who_left_are_erased_again_too(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    services = await build_services(settings, Clock(START))
    try:
        await join(services, STAYER)
        await services.roles.grant(CASEY, STAYER, "coordinator")
        taken = await asyncio.to_thread(backup_now, settings)
        services.clock.advance(timedelta(minutes=5))
        await services.members.erase(STAYER)
    finally:
        await services.db.close()

    await restore(settings, taken.path)

    assert cells_holding(settings.database_path, STAYER) == []
    assert read(settings.database_path, "SELECT telegram_id FROM roles") == [(CASEY,)]
