"""Database files as an older bot left them, for the tests of migrations that change tables."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.db import known_migrations


def database_at_version(path: Path, version: int) -> None:
    """A database file with the migrations up to ``version`` applied, as an older bot left it."""
    with sqlite3.connect(path) as conn:
        for number, migration in known_migrations():
            if number > version:
                break
            conn.executescript(
                f"BEGIN;\n{migration.read_text(encoding='utf-8')}\n"
                f"PRAGMA user_version = {number};\nCOMMIT;"
            )
    conn.close()
