"""Contact requests: a person asked a coordinator to get in touch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, Row
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class ContactRequest:
    """One request to be contacted."""

    id: int
    telegram_id: int
    first_name: str
    region_id: str | None
    message: str | None
    created_at: datetime
    handled_by: int | None
    handled_at: datetime | None


_COLUMNS = "id, telegram_id, first_name, region_id, message, created_at, handled_by, handled_at"


def _request(row: Row) -> ContactRequest:
    """Turn a row into a ContactRequest."""
    return ContactRequest(
        row["id"],
        row["telegram_id"],
        row["first_name"],
        row["region_id"],
        row["message"],
        from_db(row["created_at"]),  # type: ignore[arg-type]
        row["handled_by"],
        from_db(row["handled_at"]),
    )


class ContactRequestRepository:
    """Reads and writes contact requests."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        telegram_id: int,
        first_name: str,
        region_id: str | None,
        message: str | None,
        now: datetime,
    ) -> ContactRequest:
        """Record a new request."""
        request_id = await self._db.insert(
            "INSERT INTO contact_requests (telegram_id, first_name, region_id, message, "
            "created_at) VALUES (?, ?, ?, ?, ?)",
            (telegram_id, first_name, region_id, message, to_db(now)),
        )
        request = await self.get(request_id)
        assert request is not None
        return request

    async def get(self, request_id: int) -> ContactRequest | None:
        """The request with this id, or None."""
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM contact_requests WHERE id = ?", (request_id,)
        )
        return _request(row) if row else None

    async def mark_handled(self, request_id: int, coordinator_id: int, now: datetime) -> bool:
        """Mark a request handled; False if it was already handled or is gone."""
        changed = await self._db.execute(
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
