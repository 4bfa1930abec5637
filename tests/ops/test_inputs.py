"""Hostile input to what backups read: any bytes given as a backup, any text in the erasure
list, and the backup settings. Each is refused with its own plain error, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ops.encryption import MAGIC, CannotDecrypt, NotEncrypted, decrypt, encrypt
from config.errors import ConfigError
from config.settings import load_settings
from storage.backup import CopyNotSound, NotForumDatabase, check_image
from storage.erasure_list import ErasureList, ErasureListError

KEY = "a passphrase long enough"


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_as_an_encrypted_backup_are_refused_plainly(tail: bytes) -> None:
    for blob in (tail, MAGIC + tail):
        with pytest.raises((NotEncrypted, CannotDecrypt)):
            decrypt(blob, KEY)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_as_a_database_are_refused_plainly(data: bytes) -> None:
    for image in (data, b"SQLite format 3\x00" + data):
        with pytest.raises((NotForumDatabase, CopyNotSound)):
            check_image(image)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_any_text_in_the_erasure_list_is_read_or_refused(tmp_path: Path, text: str) -> None:
    erasures = ErasureList.beside(tmp_path / "forum.db")
    erasures.record(42, datetime(2026, 12, 10, tzinfo=UTC))
    with erasures.list_path.open("a", encoding="utf-8") as file:
        file.write(text)
    try:
        entries = erasures.entries()
    except ErasureListError as exc:
        assert "erasure list" in str(exc)
    else:
        assert erasures.hasher()(42) in entries
    erasures.list_path.unlink()


def test_a_key_round_trips_whatever_its_characters() -> None:
    for key in ("ünïcødé passphrase 🔑", " spaces around are kept by encrypt ", "x" * 500):
        assert decrypt(encrypt(b"data", key), key) == b"data"


def test_backup_settings(tmp_path: Path) -> None:
    base = {"_env_file": None, "database_path": tmp_path / "db" / "forum.db"}
    assert load_settings(**base).backup_dir == tmp_path / "db" / "backups"
    assert load_settings(**base, backup_dir=tmp_path / "x").backup_dir == tmp_path / "x"
    assert load_settings(**base, backup_key="   ").backup_key is None
    key = load_settings(**base, backup_key="  sixteen chars ok  ").backup_key
    assert key is not None and key.get_secret_value() == "sixteen chars ok"
    for wrong, says in (
        ({"backup_key": "too short"}, "BACKUP_KEY: it is too short"),
        ({"backup_keep": 0}, "BACKUP_KEEP"),
        ({"backup_every_hours": 0}, "BACKUP_EVERY_HOURS"),
    ):
        with pytest.raises(ConfigError) as caught:
            load_settings(**base, **wrong)
        assert says in str(caught.value)
