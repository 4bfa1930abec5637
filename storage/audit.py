"""The audit log: who did what, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, Row, Session
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class AuditEntry:
    """One recorded action."""

    id: int
    at: datetime
    actor_id: int | None
    action: str
    target_id: int | None
    detail: str


def _entry(row: Row) -> AuditEntry:
    """Turn a row into an AuditEntry."""
    return AuditEntry(
        row["id"],
        from_db(row["at"]),  # type: ignore[arg-type]
        row["actor_id"],
        row["action"],
        row["target_id"],
        row["detail"],
    )


class AuditRepository:
    """Appends to and reads the audit log."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        actor_id: int | None,
        action: str,
        now: datetime,
        target_id: int | None = None,
        detail: str = "",
        tx: Session | None = None,
    ) -> None:
        """Add an entry, inside a given transaction or on its own."""
        sql = "INSERT INTO audit_log (at, actor_id, action, target_id, detail) VALUES (?,?,?,?,?)"
        params = (to_db(now), actor_id, action, target_id, detail)
        if tx is not None:
            await tx.insert(sql, params)
        else:
            await self._db.insert(sql, params)

    async def latest(self, limit: int = 20) -> list[AuditEntry]:
        """The newest entries, newest first."""
        rows = await self._db.fetch_all(
            "SELECT id, at, actor_id, action, target_id, detail FROM audit_log "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [_entry(row) for row in rows]

    async def about(self, telegram_id: int) -> list[AuditEntry]:
        """Entries where this person acted or was acted on (for their own data export)."""
        rows = await self._db.fetch_all(
            "SELECT id, at, actor_id, action, target_id, detail FROM audit_log "
            "WHERE actor_id = ? OR target_id = ? ORDER BY id",
            (telegram_id, telegram_id),
        )
        return [_entry(row) for row in rows]
