"""Broadcasts: one message to many people, stored with one delivery row per recipient."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from storage.db import Database, Row, Session
from storage.timefmt import from_db, to_db

QUEUED, SENDING, DONE, CANCELLED = "queued", "sending", "done", "cancelled"


@dataclass(frozen=True)
class StoredUpload:
    """A file the bot made for a broadcast, kept until Telegram gives it a file_id."""

    filename: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class NewBroadcast:
    """What to send and to whom, before it is stored."""

    kind: str
    text_html: str
    created_by: int | None
    media_kind: str | None = None
    media_file_id: str | None = None
    reply_markup: str | None = None
    urgent: bool = False
    preference: str | None = None
    audience: str = ""
    not_before: datetime | None = None
    report_chat_id: int | None = None
    upload: StoredUpload | None = None  # bytes to send when there is no media_file_id yet


@dataclass(frozen=True)
class Broadcast:
    """One stored broadcast."""

    id: int
    kind: str
    created_by: int | None
    created_at: datetime
    text_html: str
    media_kind: str | None
    media_file_id: str | None
    reply_markup: str | None
    urgent: bool
    preference: str | None
    audience: str
    not_before: datetime | None
    state: str
    total: int
    started_at: datetime | None
    finished_at: datetime | None
    report_chat_id: int | None
    progress_message_id: int | None
    reported: bool


@dataclass(frozen=True)
class StateCount:
    """How many of a broadcast's rows are in one state, for one reason."""

    state: str
    reason: str | None
    count: int


_COLUMNS = (
    "id, kind, created_by, created_at, text_html, media_kind, media_file_id, reply_markup, "
    "urgent, preference, audience, not_before, state, total, started_at, finished_at, "
    "report_chat_id, progress_message_id, reported"
)


def _broadcast(row: Row) -> Broadcast:
    """Turn a row into a Broadcast."""
    return Broadcast(
        id=row["id"],
        kind=row["kind"],
        created_by=row["created_by"],
        created_at=from_db(row["created_at"]),  # type: ignore[arg-type]
        text_html=row["text_html"],
        media_kind=row["media_kind"],
        media_file_id=row["media_file_id"],
        reply_markup=row["reply_markup"],
        urgent=bool(row["urgent"]),
        preference=row["preference"],
        audience=row["audience"],
        not_before=from_db(row["not_before"]),
        state=row["state"],
        total=row["total"],
        started_at=from_db(row["started_at"]),
        finished_at=from_db(row["finished_at"]),
        report_chat_id=row["report_chat_id"],
        progress_message_id=row["progress_message_id"],
        reported=bool(row["reported"]),
    )


class BroadcastRepository:
    """Reads and writes broadcasts and the counts of their delivery rows."""

    def __init__(self, db: Database) -> None:
        self._db = db

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
            return await self._write(tx, new, recipients, now)
        async with self._db.transaction() as own:
            return await self._write(own, new, recipients, now)

    @staticmethod
    async def _write(
        tx: Session, new: NewBroadcast, recipients: Iterable[int], now: datetime
    ) -> int:
        """The inserts of ``create``, in ``tx``."""
        unique = list(dict.fromkeys(int(r) for r in recipients))
        stamp = to_db(now)
        broadcast_id = await tx.insert(
            "INSERT INTO broadcasts (kind, created_by, created_at, text_html, media_kind, "
            "media_file_id, reply_markup, urgent, preference, audience, not_before, total, "
            "report_chat_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                new.kind,
                new.created_by,
                stamp,
                new.text_html,
                new.media_kind,
                new.media_file_id,
                new.reply_markup,
                int(new.urgent),
                new.preference,
                new.audience,
                to_db(new.not_before),
                len(unique),
                new.report_chat_id,
            ),
        )
        if new.upload is not None:
            await tx.execute(
                "INSERT INTO broadcast_uploads (broadcast_id, filename, data) VALUES (?, ?, ?)",
                (broadcast_id, new.upload.filename, new.upload.data),
            )
        await tx.execute_many(
            "INSERT INTO deliveries (broadcast_id, recipient_id, updated_at) VALUES (?, ?, ?)",
            [(broadcast_id, recipient, stamp) for recipient in unique],
        )
        return broadcast_id

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
            f"SELECT {_COLUMNS} FROM broadcasts WHERE id = ?", (broadcast_id,)
        )
        return _broadcast(row) if row else None

    async def recent(self, limit: int, kind: str | None = None) -> list[Broadcast]:
        """The newest broadcasts (of one kind, or all), newest first."""
        if kind is None:
            rows = await self._db.fetch_all(
                f"SELECT {_COLUMNS} FROM broadcasts ORDER BY id DESC LIMIT ?", (limit,)
            )
        else:
            rows = await self._db.fetch_all(
                f"SELECT {_COLUMNS} FROM broadcasts WHERE kind = ? ORDER BY id DESC LIMIT ?",
                (kind, limit),
            )
        return [_broadcast(row) for row in rows]

    async def unfinished(self) -> list[Broadcast]:
        """Broadcasts with rows still to settle, oldest first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE finished_at IS NULL ORDER BY id"
        )
        return [_broadcast(row) for row in rows]

    async def unreported(self) -> list[Broadcast]:
        """Finished broadcasts whose report has not been delivered yet."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE finished_at IS NOT NULL AND reported = 0 "
            "AND report_chat_id IS NOT NULL ORDER BY id"
        )
        return [_broadcast(row) for row in rows]

    async def counts(self, broadcast_id: int) -> list[StateCount]:
        """How many rows are in each state, with each reason."""
        rows = await self._db.fetch_all(
            "SELECT state, reason, COUNT(*) AS n FROM deliveries WHERE broadcast_id = ? "
            "GROUP BY state, reason",
            (broadcast_id,),
        )
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
