"""What consultations and surveys share in storage: a row moved through its states, the one
nudge and the one results pack taken, and the decision-makers chosen to read the results."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from storage.db import Database, Session
from storage.rows import move_state, row_values
from storage.timefmt import to_db

# The states of a consultation or a survey.
SCHEDULED, OPEN, CLOSED, CANCELLED = "scheduled", "open", "closed", "cancelled"


@dataclass(frozen=True)
class ScheduledRow:
    """What a stored consultation or survey has besides its details (times in UTC)."""

    id: int
    state: str  # SCHEDULED, OPEN, CLOSED or CANCELLED
    nudge_state: str  # pending, sent or skipped
    results_sent: bool
    closed_at: datetime | None


class ScheduledRows:
    """Rows of ``table`` (things that open and close on schedule) and of ``readers_table``,
    whose ``key`` column names the row. The subclass names its tables (constants, never
    input) and has the one connection as ``_db``."""

    table: ClassVar[str]
    readers_table: ClassVar[str]
    key: ClassVar[str]
    _db: Database

    async def insert(
        self,
        new: Any,
        created_by: int | None,
        now: datetime,
        tx: Session,
        *,
        besides: tuple[str, ...] = (),
    ) -> int:
        """Write a row from ``new``'s fields (but ``besides``, given another way) with who made
        it and when, and the decision-makers it names in ``readers``, in ``tx``; its id."""
        values = row_values(new, besides=(*besides, "readers"))
        values |= {"created_by": created_by, "created_at": to_db(now), "updated_at": to_db(now)}
        row_id = await tx.insert(
            f"INSERT INTO {self.table} ({', '.join(values)}) "
            f"VALUES ({', '.join('?' for _ in values)})",
            tuple(values.values()),
        )
        await self.add_readers(row_id, new.readers, tx)
        return row_id

    async def end(self, row_id: int, state: str, now: datetime, tx: Session) -> bool:
        """Close or cancel (``state``) the row while it is still scheduled or open, stamping
        ``closed_at``; True if it moved (so of two racing callers one does)."""
        return await move_state(tx, self.table, row_id, state, now, (SCHEDULED, OPEN))

    async def take_nudge(
        self, row_id: int, state: str, now: datetime, tx: Session | None = None
    ) -> bool:
        """Mark the nudge sent or skipped if it is still pending; True for the one caller that
        did (so it goes out at most once). In ``tx`` when given: the caller queues the nudge
        in the same transaction, so it is taken and queued together or not at all."""
        sql = f"UPDATE {self.table} SET nudge_state = ?, updated_at = ? WHERE id = ? "
        sql += "AND nudge_state = 'pending'"
        return await (tx or self._db).execute(sql, (state, to_db(now), row_id)) > 0

    async def take_results(self, row_id: int, tx: Session) -> bool:
        """Mark the results pack as queued, in ``tx`` (which queues it too); True for the one
        caller that did. Until that commits ``closed_without_results`` still finds it."""
        sql = f"UPDATE {self.table} SET results_sent = 1 WHERE id = ? AND results_sent = 0"
        return await tx.execute(sql, (row_id,)) > 0

    async def add_readers(self, row_id: int, readers: Iterable[int], tx: Session) -> None:
        """Keep the decision-makers chosen to receive the results, in ``tx``."""
        await tx.execute_many(
            f"INSERT INTO {self.readers_table} ({self.key}, telegram_id) VALUES (?, ?)",
            [(row_id, reader) for reader in sorted(set(readers))],
        )

    async def readers(self, row_id: int) -> list[int]:
        """The decision-makers chosen to receive the results."""
        sql = f"SELECT telegram_id FROM {self.readers_table} WHERE {self.key} = ? "
        sql += "ORDER BY telegram_id"
        return [row["telegram_id"] for row in await self._db.fetch_all(sql, (row_id,))]

    async def is_reader(self, row_id: int, telegram_id: int) -> bool:
        """True when this person was chosen to receive the results."""
        sql = f"SELECT 1 FROM {self.readers_table} WHERE {self.key} = ? AND telegram_id = ?"
        return await self._db.fetch_value(sql, (row_id, telegram_id)) is not None
