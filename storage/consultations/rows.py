"""The consultations table with its options and readers: writing, state changes and the
lists the service reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.consultations.records import (
    CANCELLED,
    CLOSED,
    NUDGE_PENDING,
    OPEN,
    SCHEDULED,
    Consultation,
    NewConsultation,
    Rows,
)
from storage.db import Database, Row, Session
from storage.timefmt import from_db, to_db

_COLUMNS = (
    "id, question, multiple, ask_comment, audience_scope, audience_place, member_note, "
    "show_results, opens_at, closes_at, state, nudge_state, results_sent, closed_at"
)


class ConsultationRows(Rows):
    """Consultations, their answer options and the decision-makers chosen to read results."""

    async def _build(self, row: Row, session: Session | Database | None = None) -> Consultation:
        """Turn a row (and its options) into a Consultation."""
        source = session or self._db
        options = await source.fetch_all(
            "SELECT label FROM consultation_options WHERE consultation_id = ? ORDER BY position",
            (row["id"],),
        )
        return Consultation(
            id=row["id"],
            question=row["question"],
            options=tuple(option["label"] for option in options),
            multiple=bool(row["multiple"]),
            ask_comment=bool(row["ask_comment"]),
            audience_scope=row["audience_scope"],
            audience_place=row["audience_place"],
            member_note=row["member_note"],
            show_results=row["show_results"],
            opens_at=from_db(row["opens_at"]),  # type: ignore[arg-type]
            closes_at=from_db(row["closes_at"]),  # type: ignore[arg-type]
            state=row["state"],
            nudge_state=row["nudge_state"],
            results_sent=bool(row["results_sent"]),
            closed_at=from_db(row["closed_at"]),
        )

    async def _many(self, sql: str, params: Sequence[object] = ()) -> list[Consultation]:
        """Consultations from a query over the consultations table."""
        return [await self._build(row) for row in await self._db.fetch_all(sql, params)]

    async def create(
        self, new: NewConsultation, created_by: int | None, now: datetime, tx: Session
    ) -> int:
        """Write a consultation with its options and readers, in ``tx``; return its id."""
        consultation_id = await tx.insert(
            "INSERT INTO consultations (question, multiple, ask_comment, audience_scope, "
            "audience_place, member_note, show_results, opens_at, closes_at, created_by, "
            "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                new.question,
                int(new.multiple),
                int(new.ask_comment),
                new.audience_scope,
                new.audience_place,
                new.member_note,
                new.show_results,
                to_db(new.opens_at),
                to_db(new.closes_at),
                created_by,
                to_db(now),
                to_db(now),
            ),
        )
        await tx.execute_many(
            "INSERT INTO consultation_options (consultation_id, position, label) VALUES (?,?,?)",
            [(consultation_id, position, label) for position, label in enumerate(new.options)],
        )
        await tx.execute_many(
            "INSERT INTO consultation_readers (consultation_id, telegram_id) VALUES (?, ?)",
            [(consultation_id, reader) for reader in sorted(set(new.readers))],
        )
        return consultation_id

    async def set_state(
        self,
        consultation_id: int,
        state: str,
        now: datetime,
        tx: Session,
        *,
        only_from: Sequence[str],
    ) -> bool:
        """Move a consultation to ``state`` if it is in one of ``only_from``; True if it moved."""
        marks = ",".join("?" for _ in only_from)
        closed_at = to_db(now) if state in (CLOSED, CANCELLED) else None
        return bool(
            await tx.execute(
                f"UPDATE consultations SET state = ?, updated_at = ?, "
                f"closed_at = COALESCE(?, closed_at) WHERE id = ? AND state IN ({marks})",
                (state, to_db(now), closed_at, consultation_id, *only_from),
            )
        )

    async def set_closes_at(self, consultation_id: int, closes_at: datetime, now: datetime) -> None:
        """Move the deadline."""
        await self._db.execute(
            "UPDATE consultations SET closes_at = ?, updated_at = ? WHERE id = ?",
            (to_db(closes_at), to_db(now), consultation_id),
        )

    async def take_nudge(
        self, consultation_id: int, state: str, now: datetime, tx: Session | None = None
    ) -> bool:
        """Mark the nudge sent or skipped if it is still pending; True for the one caller that
        did (so it goes out at most once). In ``tx`` when given: the caller queues the nudge
        in the same transaction, so it is taken and queued together or not at all."""
        return bool(
            await (tx or self._db).execute(
                "UPDATE consultations SET nudge_state = ?, updated_at = ? "
                "WHERE id = ? AND nudge_state = 'pending'",
                (state, to_db(now), consultation_id),
            )
        )

    async def take_results(self, consultation_id: int, tx: Session) -> bool:
        """Mark the results pack as queued, in ``tx`` (which queues it too); True for the one
        caller that did. Until that commits ``closed_without_results`` still finds it."""
        return bool(
            await tx.execute(
                "UPDATE consultations SET results_sent = 1 WHERE id = ? AND results_sent = 0",
                (consultation_id,),
            )
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

    async def readers(self, consultation_id: int) -> list[int]:
        """The decision-makers chosen to receive the results."""
        rows = await self._db.fetch_all(
            "SELECT telegram_id FROM consultation_readers WHERE consultation_id = ? "
            "ORDER BY telegram_id",
            (consultation_id,),
        )
        return [row["telegram_id"] for row in rows]

    async def is_reader(self, consultation_id: int, telegram_id: int) -> bool:
        """True when this person was chosen to receive the results."""
        return bool(
            await self._db.fetch_value(
                "SELECT 1 FROM consultation_readers WHERE consultation_id = ? AND telegram_id = ?",
                (consultation_id, telegram_id),
            )
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
