"""The consultations table with its options and readers: writing, state changes and the
lists the service reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.consultations.records import (
    CLOSED,
    NUDGE_PENDING,
    OPEN,
    SCHEDULED,
    Consultation,
    NewConsultation,
    Rows,
)
from storage.db import Database, Row, Session
from storage.rows import columns, record
from storage.scheduled import ScheduledRows
from storage.timefmt import to_db

_COLUMNS = columns(Consultation, besides=("options",))  # options: their own table


class ConsultationRows(Rows, ScheduledRows):
    """Consultations, their answer options and the decision-makers chosen to read results."""

    table, readers_table, key = "consultations", "consultation_readers", "consultation_id"

    async def _build(self, row: Row, session: Session | Database | None = None) -> Consultation:
        """Turn a row (and its options) into a Consultation."""
        source = session or self._db
        options = await source.fetch_all(
            "SELECT label FROM consultation_options WHERE consultation_id = ? ORDER BY position",
            (row["id"],),
        )
        return record(Consultation, row, options=tuple(option["label"] for option in options))

    async def _many(self, sql: str, params: Sequence[object] = ()) -> list[Consultation]:
        """Consultations from a query over the consultations table."""
        return [await self._build(row) for row in await self._db.fetch_all(sql, params)]

    async def create(
        self, new: NewConsultation, created_by: int | None, now: datetime, tx: Session
    ) -> int:
        """Write a consultation with its options and readers, in ``tx``; return its id."""
        consultation_id = await self.insert(new, created_by, now, tx, besides=("options",))
        await tx.execute_many(
            "INSERT INTO consultation_options (consultation_id, position, label) VALUES (?,?,?)",
            [(consultation_id, position, label) for position, label in enumerate(new.options)],
        )
        return consultation_id

    async def set_closes_at(self, consultation_id: int, closes_at: datetime, now: datetime) -> None:
        """Move the deadline."""
        await self._db.execute(
            "UPDATE consultations SET closes_at = ?, updated_at = ? WHERE id = ?",
            (to_db(closes_at), to_db(now), consultation_id),
        )

    async def get(self, consultation_id: int, tx: Session | None = None) -> Consultation | None:
        """One consultation, or None (read in ``tx`` when given)."""
        row = await (tx or self._db).fetch_one(
            f"SELECT {_COLUMNS} FROM consultations WHERE id = ?", (consultation_id,)
        )
        return await self._build(row, tx) if row else None

    async def due_to_open(self, now: datetime) -> list[Consultation]:
        """Scheduled consultations whose opening time has come."""
        return await self._many(
            f"SELECT {_COLUMNS} FROM consultations WHERE state = ? AND opens_at <= ? ORDER BY id",
            (SCHEDULED, to_db(now)),
        )

    async def due_to_close(self, now: datetime) -> list[Consultation]:
        """Open or scheduled consultations whose deadline has passed."""
        return await self._many(
            f"SELECT {_COLUMNS} FROM consultations WHERE state IN (?, ?) AND closes_at <= ? "
            "ORDER BY id",
            (OPEN, SCHEDULED, to_db(now)),
        )

    async def closed_without_results(self) -> list[Consultation]:
        """Closed consultations whose results pack was never queued (a crash in between)."""
        return await self._many(
            f"SELECT {_COLUMNS} FROM consultations WHERE state = ? AND results_sent = 0 "
            "ORDER BY id",
            (CLOSED,),
        )

    async def open_with_nudge_pending(self) -> list[Consultation]:
        """Open consultations whose nudge has not gone out or been skipped."""
        return await self._many(
            f"SELECT {_COLUMNS} FROM consultations WHERE state = ? AND nudge_state = ? ORDER BY id",
            (OPEN, NUDGE_PENDING),
        )

    async def current(self, limit: int = 20) -> list[Consultation]:
        """Scheduled and open consultations, soonest deadline first."""
        return await self._many(
            f"SELECT {_COLUMNS} FROM consultations WHERE state IN (?, ?) "
            "ORDER BY closes_at, id LIMIT ?",
            (SCHEDULED, OPEN, limit),
        )

    async def closed(self, limit: int = 20, reader: int | None = None) -> list[Consultation]:
        """Closed consultations, newest first; only those ``reader`` receives when given."""
        if reader is None:
            return await self._many(
                f"SELECT {_COLUMNS} FROM consultations WHERE state = ? "
                "ORDER BY closed_at DESC, id DESC LIMIT ?",
                (CLOSED, limit),
            )
        return await self._many(
            f"SELECT {_COLUMNS} FROM consultations WHERE state = ? AND id IN "
            "(SELECT consultation_id FROM consultation_readers WHERE telegram_id = ?) "
            "ORDER BY closed_at DESC, id DESC LIMIT ?",
            (CLOSED, reader, limit),
        )

    async def for_member(self, member_id: int, states: Sequence[str], limit: int = 10) -> list:
        """Consultations this member was invited to, in these states, newest deadline first."""
        marks = ",".join("?" for _ in states)
        return await self._many(
            f"SELECT {_COLUMNS} FROM consultations WHERE state IN ({marks}) AND id IN "
            "(SELECT consultation_id FROM consultation_invites WHERE member_id = ?) "
            "ORDER BY closes_at DESC, id DESC LIMIT ?",
            (*states, member_id, limit),
        )
