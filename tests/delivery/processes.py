"""Reading the bot's database from outside while it runs (the emulator process lives in
`emulator/process.py`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

START_TIMEOUT = 20.0


def read_rows(database: Path, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    """Read from the bot's database while it runs (read only; WAL lets both work)."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
