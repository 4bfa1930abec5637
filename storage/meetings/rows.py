"""The meetings table and repeating series: writing, moving, cancelling, listing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from storage.db import Session
from storage.meetings.records import (
    CANCELLED,
    COLUMNS,
    PENDING,
    SCHEDULED,
    Meeting,
    NewMeeting,
    ReminderPlan,
    Rows,
    meeting_of,
)
from storage.meetings.reminders import write_reminders
from storage.timefmt import from_db, to_db


class MeetingRows(Rows):
    """``meetings`` and ``meeting_series``; a new meeting's reminders and invited rows too."""

    async def create(
        self,
        new: NewMeeting,
        reminders: Sequence[ReminderPlan],
        invitees: Iterable[int],
        created_by: int | None,
        now: datetime,
        tx: Session,
    ) -> int:
        """Write a meeting, its reminders and one invited row per person, in ``tx``."""
        meeting_id = await tx.insert(
            "INSERT INTO meetings (title, starts_at, duration_minutes, place, link, "
            "audience_scope, audience_place, notes, series_id, created_by, created_at, "
            "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                new.title,
                to_db(new.starts_at),
                new.duration_minutes,
                new.place,
                new.link,
                new.audience_scope,
                new.audience_place,
                new.notes,
                new.series_id,
                created_by,
                to_db(now),
                to_db(now),
            ),
        )
        await write_reminders(tx, meeting_id, reminders)
        await tx.execute_many(
            "INSERT OR IGNORE INTO meeting_rsvps (meeting_id, member_id, invited) VALUES (?,?,1)",
            [(meeting_id, member_id) for member_id in invitees],
        )
        return meeting_id

    async def get(self, meeting_id: int, tx: Session | None = None) -> Meeting | None:
        """One meeting, or None (read in ``tx`` when given)."""
        row = await (tx or self._db).fetch_one(
            f"SELECT {COLUMNS} FROM meetings WHERE id = ?", (meeting_id,)
        )
        return meeting_of(row) if row else None

    async def upcoming(self, now: datetime, limit: int = 20) -> list[Meeting]:
        """Scheduled meetings that have not started, soonest first."""
        rows = await self._db.fetch_all(
            f"SELECT {COLUMNS} FROM meetings WHERE state = ? AND starts_at > ? "
            "ORDER BY starts_at, id LIMIT ?",
            (SCHEDULED, to_db(now), limit),
        )
        return [meeting_of(row) for row in rows]

    async def upcoming_for(
        self, now: datetime, member_id: int, region_id: str | None, hub_id: str | None
    ) -> list[Meeting]:
        """Scheduled meetings not started yet that are for this member's places or that they
        were invited to, soonest first."""
        rows = await self._db.fetch_all(
            f"SELECT {COLUMNS} FROM meetings WHERE state = ? AND starts_at > ? AND ("
            "audience_scope = 'everyone' "
            "OR (audience_scope = 'region' AND audience_place = ?) "
            "OR (audience_scope = 'hub' AND audience_place = ?) "
            "OR id IN (SELECT meeting_id FROM meeting_rsvps WHERE member_id = ?)"
            ") ORDER BY starts_at, id LIMIT 20",
            (SCHEDULED, to_db(now), region_id, hub_id, member_id),
        )
        return [meeting_of(row) for row in rows]

    async def reschedule(
        self,
        meeting_id: int,
        starts_at: datetime,
        place: str,
        link: str,
        reminders: Sequence[ReminderPlan],
        now: datetime,
        tx: Session,
    ) -> None:
        """Move a meeting and replace its reminders that have not gone out, in ``tx``."""
        await tx.execute(
            "UPDATE meetings SET starts_at = ?, place = ?, link = ?, updated_at = ? WHERE id = ?",
            (to_db(starts_at), place, link, to_db(now), meeting_id),
        )
        await tx.execute(
            "DELETE FROM meeting_reminders WHERE meeting_id = ? AND state = ?",
            (meeting_id, PENDING),
        )
        await write_reminders(tx, meeting_id, reminders)

    async def cancel(self, meeting_id: int, now: datetime, tx: Session) -> bool:
        """Mark a scheduled meeting cancelled and its pending reminders too; False if it was
        not scheduled."""
        changed = await tx.execute(
            "UPDATE meetings SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
            (CANCELLED, to_db(now), meeting_id, SCHEDULED),
        )
        await tx.execute(
            "UPDATE meeting_reminders SET state = 'cancelled', done_at = ? "
            "WHERE meeting_id = ? AND state = ?",
            (to_db(now), meeting_id, PENDING),
        )
        return changed == 1

    async def create_series(
        self, rule: str, created_by: int | None, now: datetime, tx: Session
    ) -> int:
        """Start a repeating series, in ``tx``."""
        return await tx.insert(
            "INSERT INTO meeting_series (rule, created_by, created_at) VALUES (?,?,?)",
            (rule, created_by, to_db(now)),
        )

    async def series_due(
        self, now: datetime
    ) -> list[tuple[int, str, int | None, Meeting, datetime]]:
        """Active series whose latest meeting has started: (series id, rule, creator, latest,
        anchor). The anchor is the start of the series' first meeting, which sets its pattern
        (weekday, week of the month, clock time) so the series never drifts."""
        rows = await self._db.fetch_all(
            f"SELECT s.id AS sid, s.rule, s.created_by AS creator, "
            "(SELECT starts_at FROM meetings WHERE series_id = s.id ORDER BY id LIMIT 1) "
            "AS anchor, "
            f"{', '.join('m.' + c.strip() for c in COLUMNS.split(','))} "
            "FROM meeting_series s JOIN meetings m ON m.id = "
            "(SELECT id FROM meetings WHERE series_id = s.id ORDER BY starts_at DESC, id DESC "
            "LIMIT 1) WHERE s.active = 1 AND m.starts_at <= ?",
            (to_db(now),),
        )
        return [
            (row["sid"], row["rule"], row["creator"], meeting_of(row), from_db(row["anchor"]))  # type: ignore[misc]
            for row in rows
        ]

    async def stop_series(self, series_id: int) -> bool:
        """Stop a series repeating; False if it was already stopped."""
        return (
            await self._db.execute(
                "UPDATE meeting_series SET active = 0 WHERE id = ? AND active = 1", (series_id,)
            )
            == 1
        )

    async def series_rule(self, series_id: int) -> str | None:
        """An active series' rule, or None."""
        return await self._db.fetch_value(
            "SELECT rule FROM meeting_series WHERE id = ? AND active = 1", (series_id,)
        )
