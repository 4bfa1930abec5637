"""Reminder rows: due times, taking each once, and the broadcast that carried it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from storage.db import Row, Session
from storage.meetings.records import (
    CANCELLED,
    LATE,
    MISSED,
    PENDING,
    SCHEDULED,
    SENT,
    DueReminder,
    ReminderPlan,
    Rows,
)
from storage.timefmt import from_db, to_db


async def write_reminders(tx: Session, meeting_id: int, reminders: Sequence[ReminderPlan]) -> None:
    """Add pending reminder rows."""
    await tx.execute_many(
        "INSERT INTO meeting_reminders (meeting_id, hours_before, first, due_at) VALUES (?,?,?,?)",
        [(meeting_id, r.hours_before, int(r.first), to_db(r.due_at)) for r in reminders],
    )


class ReminderRows(Rows):
    """``meeting_reminders``: pending until taken once as sent, late, missed or cancelled."""

    async def pending_reminders(self) -> list[tuple[int, datetime]]:
        """Every reminder still to go out: (id, due time), soonest first."""
        rows = await self._db.fetch_all(
            "SELECT id, due_at FROM meeting_reminders WHERE state = ? ORDER BY due_at, id",
            (PENDING,),
        )
        return [(row["id"], from_db(row["due_at"])) for row in rows]  # type: ignore[misc]

    async def reminders_of(self, meeting_id: int) -> list[Row]:
        """A meeting's reminder rows (for tests and reports)."""
        return await self._db.fetch_all(
            "SELECT * FROM meeting_reminders WHERE meeting_id = ? ORDER BY due_at", (meeting_id,)
        )

    async def due_reminders(self, now: datetime) -> list[int]:
        """Ids of pending reminders due by ``now``, soonest first (each is then taken with
        ``take_reminder`` in its own transaction)."""
        rows = await self._db.fetch_all(
            "SELECT id FROM meeting_reminders WHERE state = ? AND due_at <= ? ORDER BY due_at, id",
            (PENDING, to_db(now)),
        )
        return [row["id"] for row in rows]

    async def take_reminder(
        self,
        reminder_id: int,
        now: datetime,
        late_after: timedelta,
        can_send_at: datetime | None,
        tx: Session,
    ) -> DueReminder | None:
        """In ``tx``, take one reminder if it is still pending and due: 'sent' when on time,
        'late' when overdue by more than ``late_after`` but the meeting has not started,
        'missed' once it has started, or will have by ``can_send_at`` (the end of quiet hours,
        when it could first go out), and 'cancelled' with its meeting. Only 'sent' and 'late'
        ones are for sending, and the caller queues them in the same ``tx``, so a reminder is
        taken and queued together or not at all. None when it was already taken."""
        row = await tx.fetch_one(
            "SELECT r.id, r.meeting_id, r.first, r.due_at, m.starts_at, m.state "
            "FROM meeting_reminders r JOIN meetings m ON m.id = r.meeting_id "
            "WHERE r.id = ? AND r.state = ? AND r.due_at <= ?",
            (reminder_id, PENDING, to_db(now)),
        )
        if row is None:
            return None
        due_at = from_db(row["due_at"])
        starts_at = from_db(row["starts_at"])
        assert due_at is not None and starts_at is not None
        if row["state"] != SCHEDULED:
            state = CANCELLED
        elif starts_at <= max(now, can_send_at or now):
            state = MISSED
        elif now - due_at > late_after:
            state = LATE
        else:
            state = SENT
        changed = await tx.execute(
            "UPDATE meeting_reminders SET state = ?, done_at = ? WHERE id = ? AND state = ?",
            (state, to_db(now), reminder_id, PENDING),
        )
        if changed != 1:
            return None
        return DueReminder(reminder_id, row["meeting_id"], bool(row["first"]), due_at, state)

    async def set_reminder_broadcast(
        self, reminder_id: int, broadcast_id: int, tx: Session | None = None
    ) -> None:
        """Remember which broadcast carried a reminder (in ``tx`` when given)."""
        await (tx or self._db).execute(
            "UPDATE meeting_reminders SET broadcast_id = ? WHERE id = ?",
            (broadcast_id, reminder_id),
        )
