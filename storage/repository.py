"""The base of the repositories whose callers write a change and its messages in one
transaction: the one connection, and a transaction on it (what ``outbox`` opens)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from storage.db import Database, Session


class Repository:
    """A repository over the one connection that can open a transaction for its caller."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def transaction(self) -> AbstractAsyncContextManager[Session]:
        """A transaction on the one connection: a change written together with its messages."""
        return self._db.transaction()
