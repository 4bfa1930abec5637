"""Meetings, their RSVPs and their reminder rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.db import Database, Row, Session
from storage.timefmt import from_db, to_db

GOING, MAYBE, NO = "going", "maybe", "no"
ANSWERS = (GOING, MAYBE, NO)
SCHEDULED, CANCELLED = "scheduled", "cancelled"
PENDING, SENT, LATE, MISSED = "pending", "sent", "late", "missed"


@dataclass(frozen=True)
class Meeting:
    """One meeting as stored (times in UTC)."""

    id: int
    title: str
    starts_at: datetime
    duration_minutes: int
    place: str
    link: str
    audience_scope: str
    audience_place: str | None
    notes: str
    state: str
    series_id: int | None

    @property
    def ends_at(self) -> datetime:
        """When it finishes."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def audience_label(self) -> str:
        """Like 'everyone' or 'hub:nw_1'."""
        if self.audience_place is None:
            return self.audience_scope
        return f"{self.audience_scope}:{self.audience_place}"


@dataclass(frozen=True)
class NewMeeting:
    """What is needed to store a meeting."""

    title: str
    starts_at: datetime
    duration_minutes: int
    place: str
    link: str
    audience_scope: str
    audience_place: str | None
    notes: str
    series_id: int | None = None


@dataclass(frozen=True)
class ReminderPlan:
    """A reminder row to write: which setting it came from, when it is due, and whether it
    carries the nudge."""

    hours_before: int
    due_at: datetime
    first: bool


@dataclass(frozen=True)
class DueReminder:
    """A reminder taken from the queue, with the state it was given."""

    id: int
    meeting_id: int
    first: bool
    due_at: datetime
    state: str


@dataclass(frozen=True)
class SheetLine:
    """One person on an attendance sheet: their answer and whether they came."""

    member_id: int
    first_name: str
    answer: str | None
    attended: bool


@dataclass(frozen=True)
class PlaceAttendance:
    """How many came from one region and hub ('' for none)."""

    region_id: str
    hub_id: str
    count: int


@dataclass(frozen=True)
class AnswerCounts:
    """How many invited people answered each way, and how many have not."""

    going: int
    maybe: int
    no: int
    no_answer: int


_COLUMNS = (
    "id, title, starts_at, duration_minutes, place, link, audience_scope, audience_place, "
    "notes, state, series_id"
)


def _meeting(row: Row) -> Meeting:
    """Turn a row into a Meeting."""
    return Meeting(
        id=row["id"],
        title=row["title"],
        starts_at=from_db(row["starts_at"]),  # type: ignore[arg-type]
        duration_minutes=row["duration_minutes"],
        place=row["place"],
        link=row["link"],
        audience_scope=row["audience_scope"],
        audience_place=row["audience_place"],
        notes=row["notes"],
        state=row["state"],
        series_id=row["series_id"],
    )


class MeetingRepository:
    """Reads and writes meetings, RSVPs and reminders."""

    def __init__(self, db: Database) -> None:
        self._db = db

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
        await self._write_reminders(tx, meeting_id, reminders)
        await tx.execute_many(
            "INSERT OR IGNORE INTO meeting_rsvps (meeting_id, member_id, invited) VALUES (?,?,1)",
            [(meeting_id, member_id) for member_id in invitees],
        )
        return meeting_id

    @staticmethod
    async def _write_reminders(
        tx: Session, meeting_id: int, reminders: Sequence[ReminderPlan]
    ) -> None:
        """Add pending reminder rows."""
        await tx.execute_many(
            "INSERT INTO meeting_reminders (meeting_id, hours_before, first, due_at) "
            "VALUES (?,?,?,?)",
            [(meeting_id, r.hours_before, int(r.first), to_db(r.due_at)) for r in reminders],
        )

    async def get(self, meeting_id: int, tx: Session | None = None) -> Meeting | None:
        """One meeting, or None (read in ``tx`` when given)."""
        row = await (tx or self._db).fetch_one(
            f"SELECT {_COLUMNS} FROM meetings WHERE id = ?", (meeting_id,)
        )
        return _meeting(row) if row else None

    async def upcoming(self, now: datetime, limit: int = 20) -> list[Meeting]:
        """Scheduled meetings that have not started, soonest first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM meetings WHERE state = ? AND starts_at > ? "
            "ORDER BY starts_at, id LIMIT ?",
            (SCHEDULED, to_db(now), limit),
        )
        return [_meeting(row) for row in rows]

    async def upcoming_for(
        self, now: datetime, member_id: int, region_id: str | None, hub_id: str | None
    ) -> list[Meeting]:
        """Scheduled meetings not started yet that are for this member's places or that they
        were invited to, soonest first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM meetings WHERE state = ? AND starts_at > ? AND ("
            "audience_scope = 'everyone' "
            "OR (audience_scope = 'region' AND audience_place = ?) "
            "OR (audience_scope = 'hub' AND audience_place = ?) "
            "OR id IN (SELECT meeting_id FROM meeting_rsvps WHERE member_id = ?)"
            ") ORDER BY starts_at, id LIMIT 20",
            (SCHEDULED, to_db(now), region_id, hub_id, member_id),
        )
        return [_meeting(row) for row in rows]

    async def answer_of(self, meeting_id: int, member_id: int) -> str | None:
        """A member's answer, or None."""
        return await self._db.fetch_value(
            "SELECT answer FROM meeting_rsvps WHERE meeting_id = ? AND member_id = ?",
            (meeting_id, member_id),
        )

    async def answers_by(self, member_id: int) -> list[dict[str, object]]:
        """Every meeting answer a member gave (for their own data export)."""
        rows = await self._db.fetch_all(
            "SELECT m.title, m.starts_at, r.answer, r.answered_at, r.attended "
            "FROM meeting_rsvps r JOIN meetings m ON m.id = r.meeting_id "
            "WHERE r.member_id = ? ORDER BY m.starts_at",
            (member_id,),
        )
        return [
            {
                "meeting": row["title"],
                "starts_at": row["starts_at"],
                "answer": row["answer"],
                "answered_at": row["answered_at"],
                "attended": None if row["attended"] is None else bool(row["attended"]),
            }
            for row in rows
        ]

    async def is_listed(self, meeting_id: int, member_id: int) -> bool:
        """True when the member was invited or has answered."""
        return (
            await self._db.fetch_value(
                "SELECT 1 FROM meeting_rsvps WHERE meeting_id = ? AND member_id = ?",
                (meeting_id, member_id),
            )
            is not None
        )

    async def set_answer(self, meeting_id: int, member_id: int, answer: str, now: datetime) -> None:
        """Record or change a member's answer."""
        await self._db.execute(
            "INSERT INTO meeting_rsvps (meeting_id, member_id, answer, answered_at) "
            "VALUES (?,?,?,?) ON CONFLICT (meeting_id, member_id) "
            "DO UPDATE SET answer = excluded.answer, answered_at = excluded.answered_at",
            (meeting_id, member_id, answer, to_db(now)),
        )

    async def people(
        self,
        meeting_id: int,
        answers: Sequence[str | None],
        invited_only: bool = False,
        tx: Session | None = None,
    ) -> list[int]:
        """Members whose answer is one of ``answers`` (None: no answer yet); read in ``tx``
        when given."""
        clauses = []
        values: list[object] = [meeting_id]
        named = [a for a in answers if a is not None]
        if named:
            clauses.append(f"answer IN ({','.join('?' * len(named))})")
            values.extend(named)
        if None in answers:
            clauses.append("answer IS NULL")
        if not clauses:
            return []
        where = " OR ".join(clauses)
        if invited_only:
            where = f"({where}) AND invited = 1"
        rows = await (tx or self._db).fetch_all(
            f"SELECT member_id FROM meeting_rsvps WHERE meeting_id = ? AND ({where}) "
            "ORDER BY member_id",
            values,
        )
        return [row["member_id"] for row in rows]

    async def counts(self, meeting_id: int) -> AnswerCounts:
        """Answers so far, with invited people who have not answered."""
        rows = await self._db.fetch_all(
            "SELECT answer, COUNT(*) AS n FROM meeting_rsvps WHERE meeting_id = ? "
            "AND (answer IS NOT NULL OR invited = 1) GROUP BY answer",
            (meeting_id,),
        )
        found = {row["answer"]: row["n"] for row in rows}
        return AnswerCounts(
            found.get(GOING, 0), found.get(MAYBE, 0), found.get(NO, 0), found.get(None, 0)
        )

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
        await self._write_reminders(tx, meeting_id, reminders)

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
            f"{', '.join('m.' + c.strip() for c in _COLUMNS.split(','))} "
            "FROM meeting_series s JOIN meetings m ON m.id = "
            "(SELECT id FROM meetings WHERE series_id = s.id ORDER BY starts_at DESC, id DESC "
            "LIMIT 1) WHERE s.active = 1 AND m.starts_at <= ?",
            (to_db(now),),
        )
        return [
            (row["sid"], row["rule"], row["creator"], _meeting(row), from_db(row["anchor"]))  # type: ignore[misc]
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

    async def recent(self, since: datetime, now: datetime) -> list[Meeting]:
        """Scheduled meetings that started between ``since`` and ``now``, latest first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM meetings WHERE state = ? AND starts_at > ? AND starts_at <= ? "
            "ORDER BY starts_at DESC, id DESC LIMIT 10",
            (SCHEDULED, to_db(since), to_db(now)),
        )
        return [_meeting(row) for row in rows]

    async def sheet(self, meeting_id: int, limit: int) -> list[SheetLine]:
        """Members who said going or maybe, or are marked as having come: going first. Until
        someone is marked, a 'going' answer counts as came."""
        rows = await self._db.fetch_all(
            "SELECT r.member_id, m.first_name, r.answer, r.attended FROM meeting_rsvps r "
            "JOIN members m ON m.telegram_id = r.member_id WHERE r.meeting_id = ? "
            "AND (r.answer IN ('going', 'maybe') OR r.attended = 1) "
            "ORDER BY r.answer = 'going' DESC, m.first_name, r.member_id LIMIT ?",
            (meeting_id, limit),
        )
        return [
            SheetLine(
                row["member_id"],
                row["first_name"],
                row["answer"],
                bool(row["attended"]) if row["attended"] is not None else row["answer"] == GOING,
            )
            for row in rows
        ]

    async def set_attended(self, meeting_id: int, member_id: int, came: bool) -> None:
        """Mark one member as came or not."""
        await self._db.execute(
            "INSERT INTO meeting_rsvps (meeting_id, member_id, attended) VALUES (?,?,?) "
            "ON CONFLICT (meeting_id, member_id) DO UPDATE SET attended = excluded.attended",
            (meeting_id, member_id, int(came)),
        )

    async def save_attendance(self, meeting_id: int, tx: Session) -> tuple[int, bool]:
        """Settle the sheet (going and unmarked counts as came) and keep the counts by region
        and hub without names; return how many came, and whether anything kept changed (a
        second save of the same sheet, a double tap, changes nothing)."""
        before = await self._kept_attendance(meeting_id, tx)
        await tx.execute(
            "UPDATE meeting_rsvps SET attended = 1 WHERE meeting_id = ? AND attended IS NULL "
            "AND answer = ?",
            (meeting_id, GOING),
        )
        await tx.execute("DELETE FROM meeting_attendance WHERE meeting_id = ?", (meeting_id,))
        await tx.execute(
            "INSERT INTO meeting_attendance (meeting_id, region_id, hub_id, count) "
            "SELECT ?, COALESCE(m.region_id, ''), COALESCE(m.hub_id, ''), COUNT(*) "
            "FROM meeting_rsvps r JOIN members m ON m.telegram_id = r.member_id "
            "WHERE r.meeting_id = ? AND r.attended = 1 "
            "GROUP BY COALESCE(m.region_id, ''), COALESCE(m.hub_id, '')",
            (meeting_id, meeting_id),
        )
        # Marked as saved (so 0 came reads "nobody came", not "not marked yet"), with the
        # invited and going figures as they are now (answers go when a member is erased).
        await tx.execute(
            "INSERT OR REPLACE INTO meeting_attendance_saved (meeting_id, invited, going) "
            "SELECT ?, COALESCE(SUM(invited = 1), 0), COALESCE(SUM(answer = 'going'), 0) "
            "FROM meeting_rsvps WHERE meeting_id = ?",
            (meeting_id, meeting_id),
        )
        came = int(
            await tx.fetch_value(
                "SELECT COALESCE(SUM(count), 0) FROM meeting_attendance WHERE meeting_id = ?",
                (meeting_id,),
            )
        )
        return came, await self._kept_attendance(meeting_id, tx) != before

    @staticmethod
    async def _kept_attendance(meeting_id: int, tx: Session) -> tuple[object, ...]:
        """What is kept of a meeting's attendance: the counts and the saved mark."""
        counts = await tx.fetch_all(
            "SELECT region_id, hub_id, count FROM meeting_attendance WHERE meeting_id = ? "
            "ORDER BY region_id, hub_id",
            (meeting_id,),
        )
        saved = await tx.fetch_one(
            "SELECT invited, going FROM meeting_attendance_saved WHERE meeting_id = ?",
            (meeting_id,),
        )
        return (
            tuple(tuple(row) for row in counts),
            tuple(saved) if saved is not None else None,
        )

    async def attendance(self, meeting_id: int) -> list[PlaceAttendance]:
        """The kept attendance counts of a meeting by region and hub."""
        rows = await self._db.fetch_all(
            "SELECT region_id, hub_id, count FROM meeting_attendance WHERE meeting_id = ? "
            "ORDER BY region_id, hub_id",
            (meeting_id,),
        )
        return [PlaceAttendance(row["region_id"], row["hub_id"], row["count"]) for row in rows]

    async def set_reminder_broadcast(
        self, reminder_id: int, broadcast_id: int, tx: Session | None = None
    ) -> None:
        """Remember which broadcast carried a reminder (in ``tx`` when given)."""
        await (tx or self._db).execute(
            "UPDATE meeting_reminders SET broadcast_id = ? WHERE id = ?",
            (broadcast_id, reminder_id),
        )
