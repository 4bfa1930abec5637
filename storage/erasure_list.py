"""The erasure list: who was erased and when, as keyed hashes of Telegram ids, in an
append-only file beside the database, so that restoring an older backup erases them again.

Each line is ``<HMAC-SHA256 of the id, hex> <UTC time>``. The key is a random 32-byte secret in
its own owner-only file beside the database (created on first use), never in the database nor
in a backup: without the key, the list cannot be turned back into ids, even by trying every
possible id. The list lives outside the database file, so a restore (which replaces that file)
never loses an erasure made after the backup was taken.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from storage.timefmt import from_db, to_db

LIST_SUFFIX = ".erasures"
KEY_SUFFIX = ".erasure-key"
_HEADER = (
    "# The bot's erasure list: one line per person erased, a keyed hash (HMAC-SHA256) of their\n"
    "# Telegram id and the time. The key is in the file ending .erasure-key beside it. Keep\n"
    "# both with the database: a restore reads them to erase again whoever left since.\n"
)


class ErasureListError(Exception):
    """The erasure list or its key cannot be read or written; the message says what to do."""


class ErasureList:
    """Records erasures and reads them back; every read and write is a plain file operation
    (blocking: callers on the event loop use a thread)."""

    def __init__(self, list_path: Path, key_path: Path) -> None:
        self.list_path = list_path
        self.key_path = key_path

    @classmethod
    def beside(cls, database: Path) -> ErasureList:
        """The list kept beside this database file (``forum.db.erasures``)."""
        return cls(
            database.with_name(database.name + LIST_SUFFIX),
            database.with_name(database.name + KEY_SUFFIX),
        )

    def record(self, telegram_id: int, at: datetime) -> None:
        """Append one erasure and flush it to disk."""
        line = f"{self._digest(telegram_id, self._key(create=True))} {to_db(at)}\n"
        fd = os.open(self.list_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size == 0:
                line = _HEADER + line
            os.write(fd, line.encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def entries(self) -> dict[str, datetime]:
        """Each hash in the list with the latest time it was erased ({} when there is none)."""
        if not self.list_path.exists():
            return {}
        latest: dict[str, datetime] = {}
        text = self.list_path.read_text(encoding="ascii", errors="replace")
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            try:
                if len(parts) != 2 or len(parts[0]) != 64:
                    raise ValueError(line)
                int(parts[0], 16)
                when = from_db(parts[1])
            except ValueError:
                raise ErasureListError(
                    f"Line {number} of the erasure list {self.list_path} is damaged. "
                    "Restore that file from a copy, or remove that line."
                ) from None
            assert when is not None
            if parts[0] not in latest or when > latest[parts[0]]:
                latest[parts[0]] = when
        return latest

    def hasher(self) -> Callable[[int], str]:
        """A function from Telegram id to its hash in this list (needs the key file)."""
        key = self._key(create=False)
        return lambda telegram_id: self._digest(telegram_id, key)

    @staticmethod
    def _digest(telegram_id: int, key: bytes) -> str:
        """HMAC-SHA256 of the id written as a decimal number, in hex."""
        return hmac.new(key, str(int(telegram_id)).encode("ascii"), hashlib.sha256).hexdigest()

    def _key(self, *, create: bool) -> bytes:
        """The list's secret key; made (owner-only) on first use when ``create``."""
        if create and not self.key_path.exists():
            try:
                fd = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # made meanwhile: read it below
            else:
                try:
                    os.write(fd, (secrets.token_hex(32) + "\n").encode("ascii"))
                    os.fsync(fd)
                finally:
                    os.close(fd)
        try:
            text = self.key_path.read_text(encoding="ascii").strip()
            key = bytes.fromhex(text)
        except FileNotFoundError:
            raise ErasureListError(
                f"The erasure list's key file {self.key_path} is missing. Put it back from "
                "where the database came from; without it the list cannot be read."
            ) from None
        except (OSError, UnicodeDecodeError, ValueError):
            raise ErasureListError(
                f"The erasure list's key file {self.key_path} cannot be read. Put it back "
                "from where the database came from."
            ) from None
        if len(key) != 32:
            raise ErasureListError(
                f"The erasure list's key file {self.key_path} is damaged. Put it back from "
                "where the database came from."
            )
        return key
