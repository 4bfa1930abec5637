"""Broadcasts: one message to many people, stored with one delivery row per recipient."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from storage.db import Database, Row, Session
from storage.timefmt import from_db, to_db

QUEUED, SENDING, DONE, CANCELLED = "queued", "sending", "done", "cancelled"
# Coordinators' own messages are numbered apart from the bot's notices (meeting invitations,
# reminders, consultation messages, urgent contact notices ...): each counts 1, 2, 3 ...
COORDINATOR_KIND = "broadcast"


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
    must_reach: bool = False  # sent even to people who paused or were marked unreachable
    resend_of: int | None = None  # the broadcast this one sends again
    number: int | None = None  # None: the next number of its group


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
    must_reach: bool = False
    number: int = 0  # what coordinators see: "Message 3", "Notice 12"
    resend_of: int | None = None

    @property
    def by_coordinator(self) -> bool:
        """A coordinator's own message (not one of the bot's notices)."""
        return self.kind == COORDINATOR_KIND


@dataclass(frozen=True)
class Resent:
    """A copy queued for people a broadcast may not have reached."""

    broadcast_id: int
    original_id: int
    recipients: int


@dataclass(frozen=True)
class StateCount:
    """How many of a broadcast's rows are in one state, for one reason."""

    state: str
    reason: str | None
    count: int


_COLUMNS = (
    "id, kind, created_by, created_at, text_html, media_kind, media_file_id, reply_markup, "
    "urgent, preference, audience, not_before, state, total, started_at, finished_at, "
    "report_chat_id, progress_message_id, reported, must_reach, number, resend_of"
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
        must_reach=bool(row["must_reach"]),
        number=row["number"],
        resend_of=row["resend_of"],
    )


# The expression matches the index broadcasts_by_number (migration 0009), so it is one seek.
_NEXT_NUMBER = (
    "SELECT COALESCE(MAX(number), 0) + 1 FROM broadcasts "
    f"WHERE (kind = '{COORDINATOR_KIND}') = ? AND resend_of IS NULL"
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
        number = new.number
        if number is None:
            number = await tx.fetch_value(_NEXT_NUMBER, (int(new.kind == COORDINATOR_KIND),))
        broadcast_id = await tx.insert(
            "INSERT INTO broadcasts (kind, created_by, created_at, text_html, media_kind, "
            "media_file_id, reply_markup, urgent, preference, audience, not_before, total, "
            "report_chat_id, must_reach, resend_of, number) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                int(new.must_reach),
                new.resend_of,
                number,
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
            f"SELECT {_COLUMNS} FROM broadcasts {where} ORDER BY id DESC LIMIT ?", params
        )
        return [_broadcast(row) for row in rows]

    async def resend_uncertain(
        self,
        original_id: int,
        prefix_html: str,
        now: datetime,
        *,
        created_by: int | None,
        report_chat_id: int | None,
    ) -> Resent | None:
        """Queue a copy, with ``prefix_html`` before its text, for everyone the broadcast may
        not have reached ("uncertain") and who has not been sent it again yet; one transaction,
        so a second call (a second press) finds nobody left and queues nothing. None then."""
        async with self._db.transaction() as tx:
            rows = await tx.fetch_all(
                "SELECT id, recipient_id FROM deliveries WHERE broadcast_id = ? "
                "AND state = 'uncertain' AND resent_in IS NULL ORDER BY id",
                (original_id,),
            )
            if not rows:
                return None
            copy_id = await self._copy(
                tx,
                original_id,
                [row["recipient_id"] for row in rows],
                now,
                prefix_html=prefix_html,
                created_by=created_by,
                report_chat_id=report_chat_id,
            )
            await self._mark_resent(tx, [row["id"] for row in rows], copy_id)
        return Resent(copy_id, original_id, len(rows))

    async def resend_waiting(
        self, recipient_id: int, reasons: Sequence[str], now: datetime, tx: Session
    ) -> list[int]:
        """In ``tx``: queue again, oldest first and urgent (the person is here now), every
        message that failed for this person with one of ``reasons`` (not started the bot,
        blocked it) or was skipped because they were marked unreachable, and has not been
        sent again yet. Return the copies' ids."""
        rows = await self.waiting(recipient_id, reasons, tx)
        copies = []
        for row in rows:
            copy_id = await self._copy(
                tx, row["broadcast_id"], [recipient_id], now, urgent=True, created_by=None
            )
            await self._mark_resent(tx, [row["id"]], copy_id)
            copies.append(copy_id)
        return copies

    @staticmethod
    async def waiting(recipient_id: int, reasons: Sequence[str], tx: Session) -> list[Row]:
        """The rows ``resend_waiting`` would send again (id, broadcast_id), oldest first."""
        marks = ",".join("?" * len(reasons))
        return await tx.fetch_all(
            "SELECT d.id, d.broadcast_id FROM deliveries d "
            "JOIN broadcasts b ON b.id = d.broadcast_id "
            "WHERE d.recipient_id = ? AND d.resent_in IS NULL AND b.state != 'cancelled' AND ("
            f"(d.state = 'failed' AND d.reason IN ({marks})) "
            "OR (d.state = 'cancelled' AND d.reason = 'unreachable')) "
            "ORDER BY d.broadcast_id",
            (recipient_id, *reasons),
        )

    async def _copy(
        self,
        tx: Session,
        original_id: int,
        recipients: list[int],
        now: datetime,
        *,
        prefix_html: str = "",
        urgent: bool | None = None,
        created_by: int | None = None,
        report_chat_id: int | None = None,
    ) -> int:
        """Write a copy of a broadcast (its text, file, buttons and number) for these people."""
        row = await tx.fetch_one(f"SELECT {_COLUMNS} FROM broadcasts WHERE id = ?", (original_id,))
        if row is None:
            raise ValueError(f"no broadcast {original_id}")
        original = _broadcast(row)
        new = NewBroadcast(
            kind=original.kind,
            text_html=prefix_html + original.text_html,
            created_by=created_by,
            media_kind=original.media_kind,
            media_file_id=original.media_file_id,
            reply_markup=original.reply_markup,
            urgent=original.urgent if urgent is None else urgent,
            preference=original.preference,
            audience=original.audience,
            report_chat_id=report_chat_id,
            must_reach=original.must_reach,
            resend_of=original.id,
            number=original.number,
        )
        copy_id = await self._write(tx, new, recipients, now)
        if original.media_kind and not original.media_file_id:
            await tx.execute(
                "INSERT INTO broadcast_uploads (broadcast_id, filename, data) "
                "SELECT ?, filename, data FROM broadcast_uploads WHERE broadcast_id = ?",
                (copy_id, original_id),
            )
        return copy_id

    @staticmethod
    async def _mark_resent(tx: Session, row_ids: list[int], copy_id: int) -> None:
        """Record which copy sent these rows' message again."""
        await tx.execute_many(
            "UPDATE deliveries SET resent_in = ? WHERE id = ?",
            [(copy_id, row_id) for row_id in row_ids],
        )

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
