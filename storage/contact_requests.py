"""Contact requests: a person asked a coordinator to get in touch (urgent from a crisis reply)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, Row, Session
from storage.repository import Repository
from storage.rows import record, stamp_once
from storage.timefmt import to_db


@dataclass(frozen=True)
class ContactRequest:
    """One request to be contacted."""

    id: int
    telegram_id: int
    first_name: str | None  # None when Telegram gave no name the bot could use
    region_id: str | None
    message: str | None
    created_at: datetime
    handled_by: int | None
    handled_at: datetime | None
    urgent: bool = False
    claimed_by: int | None = None
    claimed_name: str | None = None
    claimed_at: datetime | None = None
    reminded_at: datetime | None = None
    notice_broadcast_id: int | None = None
    reminder_broadcast_id: int | None = None

    @property
    def is_open(self) -> bool:
        """Not marked as done yet."""
        return self.handled_at is None


@dataclass(frozen=True)
class NoticeCopy:
    """One coordinator's copy of an urgent notice (or of its reminder) that Telegram has."""

    chat_id: int
    message_id: int
    reminder: bool


_COLUMNS = (
    "id, telegram_id, first_name, region_id, message, created_at, handled_by, handled_at, "
    "urgent, claimed_by, claimed_name, claimed_at, reminded_at, notice_broadcast_id, "
    "reminder_broadcast_id"
)


def _request(row: Row) -> ContactRequest:
    """Turn a row into a ContactRequest."""
    # first_name is kept as '' (the column is NOT NULL) when there is none
    return record(ContactRequest, row, first_name=row["first_name"] or None)


class ContactRequestRepository(Repository):
    """Reads and writes contact requests (a request is written with its messages)."""

    def _on(self, tx: Session | None) -> Session | Database:
        """The caller's transaction, or the database for a statement of its own."""
        return tx if tx is not None else self._db

    async def add(
        self,
        telegram_id: int,
        first_name: str | None,
        region_id: str | None,
        message: str | None,
        now: datetime,
        *,
        urgent: bool = False,
        ask_key: str | None = None,
        tx: Session | None = None,
    ) -> ContactRequest:
        """Record a new request (in ``tx`` when given); no first name is kept as ''."""
        request_id = await self._on(tx).insert(
            "INSERT INTO contact_requests (telegram_id, first_name, region_id, message, "
            "created_at, urgent, ask_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (telegram_id, first_name or "", region_id, message, to_db(now), int(urgent), ask_key),
        )
        request = await self.get(request_id, tx)
        assert request is not None
        return request

    async def get(self, request_id: int, tx: Session | None = None) -> ContactRequest | None:
        """The request with this id, or None."""
        row = await self._on(tx).fetch_one(
            f"SELECT {_COLUMNS} FROM contact_requests WHERE id = ?", (request_id,)
        )
        return _request(row) if row else None

    async def repeat_of(
        self,
        telegram_id: int,
        *,
        ask_key: str | None,
        urgent: bool,
        message: str | None,
        since: datetime,
        tx: Session | None = None,
    ) -> ContactRequest | None:
        """The request a new ask would repeat, or None: the one made by the same ask (a press
        delivered twice), else this person's request of the same kind not yet marked done,
        made since ``since`` (an urgent one whatever its note; any other with the same note)."""
        on = self._on(tx)
        if ask_key is not None:
            row = await on.fetch_one(
                f"SELECT {_COLUMNS} FROM contact_requests WHERE telegram_id = ? AND ask_key = ?",
                (telegram_id, ask_key),
            )
            if row is not None:
                return _request(row)
        row = await on.fetch_one(
            f"SELECT {_COLUMNS} FROM contact_requests "
            "WHERE telegram_id = ? AND urgent = ? AND handled_at IS NULL AND created_at >= ? "
            "AND (urgent = 1 OR message IS ?) ORDER BY id DESC LIMIT 1",
            (telegram_id, int(urgent), to_db(since), message),
        )
        return _request(row) if row else None

    async def set_notice(self, request_id: int, broadcast_id: int, tx: Session) -> None:
        """Remember the broadcast that told the coordinators about an urgent request."""
        await tx.execute(
            "UPDATE contact_requests SET notice_broadcast_id = ? WHERE id = ?",
            (broadcast_id, request_id),
        )

    async def claim(
        self, request_id: int, coordinator_id: int, name: str | None, now: datetime, tx: Session
    ) -> bool:
        """Claim an urgent request for a coordinator (``name`` None when the bot has none for
        them); False if it was taken, done or is gone."""
        changed = await tx.execute(
            "UPDATE contact_requests SET claimed_by = ?, claimed_name = ?, claimed_at = ? "
            "WHERE id = ? AND urgent = 1 AND claimed_at IS NULL AND handled_at IS NULL",
            (coordinator_id, name, to_db(now), request_id),
        )
        return changed > 0

    async def waiting_since(self, before: datetime) -> list[int]:
        """Urgent requests made at or before ``before`` that nobody has taken, marked done or
        been reminded about, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT id FROM contact_requests WHERE urgent = 1 AND claimed_at IS NULL "
            "AND handled_at IS NULL AND reminded_at IS NULL AND created_at <= ? ORDER BY id",
            (to_db(before),),
        )
        return [row["id"] for row in rows]

    async def take_reminder(
        self, request_id: int, before: datetime, now: datetime, tx: Session
    ) -> ContactRequest | None:
        """Mark the one reminder of a request still waiting as sent now; None if it is not
        waiting any more (taken, done, reminded already, or gone)."""
        changed = await tx.execute(
            "UPDATE contact_requests SET reminded_at = ? WHERE id = ? AND urgent = 1 "
            "AND claimed_at IS NULL AND handled_at IS NULL AND reminded_at IS NULL "
            "AND created_at <= ?",
            (to_db(now), request_id, to_db(before)),
        )
        return await self.get(request_id, tx) if changed else None

    async def set_reminder(self, request_id: int, broadcast_id: int, tx: Session) -> None:
        """Remember the broadcast that reminded the coordinators."""
        await tx.execute(
            "UPDATE contact_requests SET reminder_broadcast_id = ? WHERE id = ?",
            (broadcast_id, request_id),
        )

    async def notice_copies(self, request_id: int) -> list[NoticeCopy]:
        """The copies of a request's notice and reminder that reached coordinators."""
        rows = await self._db.fetch_all(
            "SELECT d.recipient_id, d.message_id, "
            "d.broadcast_id IS r.reminder_broadcast_id AS reminder "
            "FROM contact_requests r JOIN deliveries d "
            "ON d.broadcast_id IN (r.notice_broadcast_id, r.reminder_broadcast_id) "
            "WHERE r.id = ? AND d.state = 'sent' AND d.message_id IS NOT NULL "
            # Copies sent again to a coordinator who opened the bot later count too.
            "UNION ALL SELECT d.recipient_id, d.message_id, "
            "b.resend_of IS r.reminder_broadcast_id AS reminder "
            "FROM contact_requests r JOIN broadcasts b "
            "ON b.resend_of IN (r.notice_broadcast_id, r.reminder_broadcast_id) "
            "JOIN deliveries d ON d.broadcast_id = b.id "
            "WHERE r.id = ? AND d.state = 'sent' AND d.message_id IS NOT NULL "
            "ORDER BY 1",
            (request_id, request_id),
        )
        return [
            NoticeCopy(row["recipient_id"], row["message_id"], bool(row["reminder"]))
            for row in rows
        ]

    async def reached_nobody(self) -> list[ContactRequest]:
        """Urgent requests, open and not taken, whose notice has ended without reaching any
        coordinator (every copy failed or was skipped), whose person has not been told."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM contact_requests r WHERE urgent = 1 "
            "AND unreached_at IS NULL AND claimed_at IS NULL AND handled_at IS NULL "
            "AND notice_broadcast_id IS NOT NULL AND EXISTS (SELECT 1 FROM broadcasts b "
            "WHERE b.id = r.notice_broadcast_id AND b.finished_at IS NOT NULL "
            "AND b.state = 'done') AND NOT EXISTS (SELECT 1 FROM deliveries d "
            "WHERE d.broadcast_id = r.notice_broadcast_id AND d.state NOT IN "
            "('failed', 'cancelled')) ORDER BY id"
        )
        return [_request(row) for row in rows]

    async def mark_unreached(self, request_id: int, now: datetime, tx: Session) -> bool:
        """Record that the person was told no coordinator could be reached; False if they
        were told already."""
        return await stamp_once(tx, "contact_requests", "unreached_at", request_id, now)

    async def mark_handled(
        self, request_id: int, coordinator_id: int, now: datetime, tx: Session | None = None
    ) -> bool:
        """Mark a request handled (in ``tx`` when given); False if it was already handled or
        is gone."""
        changed = await self._on(tx).execute(
            "UPDATE contact_requests SET handled_by = ?, handled_at = ? "
            "WHERE id = ? AND handled_at IS NULL",
            (coordinator_id, to_db(now), request_id),
        )
        return changed > 0

    async def open_requests(self, limit: int = 20) -> list[ContactRequest]:
        """Requests not yet handled, oldest first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM contact_requests WHERE handled_at IS NULL ORDER BY id LIMIT ?",
            (limit,),
        )
        return [_request(row) for row in rows]

    async def by_person(self, telegram_id: int) -> list[ContactRequest]:
        """Every request this person made (for their own data export)."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM contact_requests WHERE telegram_id = ? ORDER BY id",
            (telegram_id,),
        )
        return [_request(row) for row in rows]
