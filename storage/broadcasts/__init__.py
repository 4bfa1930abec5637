"""Broadcasts: one message to many people, stored with one delivery row per recipient."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager
from datetime import datetime

from storage.broadcasts.records import (
    CANCELLED,
    COLUMNS,
    COORDINATOR_KIND,
    DONE,
    QUEUED,
    SENDING,
    Broadcast,
    NewBroadcast,
    Resent,
    StateCount,
    StoredUpload,
    broadcast_from_row,
    write_broadcast,
)
from storage.broadcasts.resends import BroadcastResends
from storage.db import Database, Session
from storage.retention import kept_counts
from storage.timefmt import to_db

__all__ = [
    "CANCELLED",
    "COORDINATOR_KIND",
    "DONE",
    "QUEUED",
    "SENDING",
    "Broadcast",
    "BroadcastRepository",
    "NewBroadcast",
    "Resent",
    "StateCount",
    "StoredUpload",
]


class BroadcastRepository(BroadcastResends):
    """Reads and writes broadcasts and the counts of their delivery rows."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def transaction(self) -> AbstractAsyncContextManager[Session]:
        """A transaction on the one connection: a broadcast written with others (its group
        posts) or not at all."""
        return self._db.transaction()

    async def create(
        self,
        new: NewBroadcast,
        recipients: Iterable[int],
        now: datetime,
        tx: Session | None = None,
    ) -> int:
        """Store the broadcast, its file to upload (if any) and one pending row per distinct
        recipient, in one transaction: ``tx`` when given (the caller's, so the broadcast lands
        together with the caller's own change or not at all), else a new one."""
        if tx is not None:
            return await write_broadcast(tx, new, recipients, now)
        async with self._db.transaction() as own:
            return await write_broadcast(own, new, recipients, now)

    async def upload(self, broadcast_id: int) -> StoredUpload | None:
        """The file the bot made for this broadcast, or None."""
        row = await self._db.fetch_one(
            "SELECT filename, data FROM broadcast_uploads WHERE broadcast_id = ?", (broadcast_id,)
        )
        return StoredUpload(row["filename"], bytes(row["data"])) if row else None

    async def set_media_file_id(self, broadcast_id: int, file_id: str) -> bool:
        """Keep the file_id Telegram gave the first upload, so later sends use it; True if
        stored (a file_id already there is kept)."""
        changed = await self._db.execute(
            "UPDATE broadcasts SET media_file_id = ? WHERE id = ? AND media_file_id IS NULL",
            (file_id, broadcast_id),
        )
        return changed > 0

    async def get(self, broadcast_id: int) -> Broadcast | None:
        """The broadcast with this id, or None."""
        row = await self._db.fetch_one(
            f"SELECT {COLUMNS} FROM broadcasts WHERE id = ?", (broadcast_id,)
        )
        return broadcast_from_row(row) if row else None

    async def recent(
        self, limit: int, kind: str | None = None, *, other_than: tuple[str, ...] = ()
    ) -> list[Broadcast]:
        """The newest broadcasts (of one kind, of every kind but those named, or all), newest
        first."""
        if kind is not None:
            where, params = "WHERE kind = ?", (kind, limit)
        elif other_than:
            marks = ", ".join("?" * len(other_than))
            where, params = f"WHERE kind NOT IN ({marks})", (*other_than, limit)
        else:
            where, params = "", (limit,)
        rows = await self._db.fetch_all(
            f"SELECT {COLUMNS} FROM broadcasts {where} ORDER BY id DESC LIMIT ?", params
        )
        return [broadcast_from_row(row) for row in rows]

    async def unfinished(self) -> list[Broadcast]:
        """Broadcasts with rows still to settle, oldest first."""
        rows = await self._db.fetch_all(
            f"SELECT {COLUMNS} FROM broadcasts WHERE finished_at IS NULL ORDER BY id"
        )
        return [broadcast_from_row(row) for row in rows]

    async def unreported(self) -> list[Broadcast]:
        """Finished broadcasts whose report has not been delivered yet."""
        rows = await self._db.fetch_all(
            f"SELECT {COLUMNS} FROM broadcasts WHERE finished_at IS NOT NULL AND reported = 0 "
            "AND report_chat_id IS NOT NULL ORDER BY id"
        )
        return [broadcast_from_row(row) for row in rows]

    async def counts(self, broadcast_id: int) -> list[StateCount]:
        """How many rows are in each state, with each reason."""
        rows = await self._db.fetch_all(
            "SELECT state, reason, COUNT(*) AS n FROM deliveries WHERE broadcast_id = ? "
            "GROUP BY state, reason",
            (broadcast_id,),
        )
        if not rows:  # rows deleted by the retention policy: the counts kept then
            row = await self._db.fetch_one(
                "SELECT kept_counts FROM broadcasts WHERE id = ?", (broadcast_id,)
            )
            stored = row["kept_counts"] if row is not None else None
            return [StateCount(*entry) for entry in kept_counts(stored) or ()]
        return [StateCount(row["state"], row["reason"], row["n"]) for row in rows]

    async def cancel(self, broadcast_id: int, now: datetime) -> int | None:
        """Stop a broadcast: cancel its rows not yet sent; None if it had already finished."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE broadcasts SET state = ? WHERE id = ? AND finished_at IS NULL "
                "AND state IN (?, ?)",
                (CANCELLED, broadcast_id, QUEUED, SENDING),
            )
            if not changed:
                return None
            return await tx.execute(
                "UPDATE deliveries SET state = 'cancelled', reason = 'cancelled', "
                "updated_at = ? WHERE broadcast_id = ? AND state = 'pending'",
                (to_db(now), broadcast_id),
            )

    async def cancel_leftovers(self, broadcast_id: int, now: datetime) -> int:
        """Cancel rows of a cancelled broadcast that came back to pending (a long text's parts)."""
        return await self._db.execute(
            "UPDATE deliveries SET state = 'cancelled', reason = 'cancelled', updated_at = ? "
            "WHERE broadcast_id = ? AND state = 'pending' AND broadcast_id IN "
            "(SELECT id FROM broadcasts WHERE state = 'cancelled')",
            (to_db(now), broadcast_id),
        )

    async def finish(self, broadcast_id: int, now: datetime) -> bool:
        """Mark a broadcast finished once no row is pending or sending; True if it was."""
        async with self._db.transaction() as tx:
            open_rows = await tx.fetch_value(
                "SELECT COUNT(*) FROM deliveries WHERE broadcast_id = ? "
                "AND state IN ('pending', 'sending')",
                (broadcast_id,),
            )
            if open_rows:
                return False
            changed = await tx.execute(
                "UPDATE broadcasts SET finished_at = ?, "
                "state = CASE state WHEN 'cancelled' THEN 'cancelled' ELSE 'done' END "
                "WHERE id = ? AND finished_at IS NULL",
                (to_db(now), broadcast_id),
            )
        return changed > 0

    async def set_progress_message(self, broadcast_id: int, message_id: int | None) -> None:
        """Remember the message that shows this broadcast's progress."""
        await self._db.execute(
            "UPDATE broadcasts SET progress_message_id = ? WHERE id = ?",
            (message_id, broadcast_id),
        )

    async def mark_reported(self, broadcast_id: int) -> None:
        """Record that the delivery report reached the coordinator."""
        await self._db.execute("UPDATE broadcasts SET reported = 1 WHERE id = ?", (broadcast_id,))
