"""Attendance: marking who came after a meeting (the sheet, saving it), and the figures for
reports: counts only, never names or Telegram ids.

Who came is kept per meeting by region and hub in `meeting_attendance` (written when a
coordinator saves the sheet); `meeting_attendance_saved` says which meetings were saved, with
how many were invited and said going at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, Session
from storage.meetings.records import COLUMNS, GOING, SCHEDULED, Meeting, meeting_of
from storage.rows import record
from storage.timefmt import to_db

Place = tuple[str, str]  # (region id, hub id); '' for none


@dataclass(frozen=True)
class PastMeeting:
    """A meeting that has started (times in UTC), and whether who came was saved."""

    id: int
    title: str
    starts_at: datetime
    audience_scope: str
    audience_place: str | None
    saved: bool


@dataclass(frozen=True)
class MeetingFigures:
    """One meeting's raw figures. ``came`` is empty when who came was not saved yet."""

    meeting: PastMeeting
    invited: int
    going: int
    came: dict[Place, int]


@dataclass(frozen=True)
class PeriodFigures:
    """Raw figures for the meetings that started in a period."""

    meetings_held: int
    meetings_saved: int
    attendances: dict[Place, int]  # summed over the saved meetings
    people: int  # different members marked as came (members who left since are not counted)


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


_MEETING = (
    "SELECT m.id, m.title, m.starts_at, m.audience_scope, m.audience_place, "
    "s.meeting_id IS NOT NULL AS saved, s.invited AS saved_invited, s.going AS saved_going "
    "FROM meetings m LEFT JOIN meeting_attendance_saved s ON s.meeting_id = m.id "
)


def _past(row) -> PastMeeting:
    """Turn a row into a PastMeeting."""
    return record(PastMeeting, row)


class AttendanceRepository:
    """Marks who came, keeps the counts, and reads the attendance kept for reports."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # Marking who came

    async def get_meeting(self, meeting_id: int) -> Meeting | None:
        """One meeting as stored, or None."""
        row = await self._db.fetch_one(
            f"SELECT {COLUMNS} FROM meetings WHERE id = ?", (meeting_id,)
        )
        return meeting_of(row) if row else None

    async def recent(self, since: datetime, now: datetime) -> list[Meeting]:
        """Scheduled meetings that started between ``since`` and ``now``, latest first."""
        rows = await self._db.fetch_all(
            f"SELECT {COLUMNS} FROM meetings WHERE state = ? AND starts_at > ? AND starts_at <= ? "
            "ORDER BY starts_at DESC, id DESC LIMIT 10",
            (SCHEDULED, to_db(since), to_db(now)),
        )
        return [meeting_of(row) for row in rows]

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

    # Reports

    async def past_meetings(self, since: datetime, now: datetime, limit: int) -> list[PastMeeting]:
        """Meetings (not cancelled) that started between ``since`` and ``now``, latest first."""
        rows = await self._db.fetch_all(
            _MEETING + "WHERE m.state = 'scheduled' AND m.starts_at > ? AND m.starts_at <= ? "
            "ORDER BY m.starts_at DESC, m.id DESC LIMIT ?",
            (to_db(since), to_db(now), limit),
        )
        return [_past(row) for row in rows]

    async def meeting(self, meeting_id: int) -> MeetingFigures | None:
        """One meeting's figures, or None when it does not exist or was cancelled. Until who
        came is saved, invited and going are counted from the answers as they are now."""
        row = await self._db.fetch_one(
            _MEETING + "WHERE m.id = ? AND m.state = 'scheduled'", (meeting_id,)
        )
        if row is None:
            return None
        past = _past(row)
        if past.saved:
            invited, going = row["saved_invited"], row["saved_going"]
        else:
            answers = await self._db.fetch_one(
                "SELECT COALESCE(SUM(invited = 1), 0) AS invited, "
                "COALESCE(SUM(answer = 'going'), 0) AS going "
                "FROM meeting_rsvps WHERE meeting_id = ?",
                (meeting_id,),
            )
            assert answers is not None
            invited, going = answers["invited"], answers["going"]
        came: dict[Place, int] = {}
        if past.saved:
            rows = await self._db.fetch_all(
                "SELECT region_id, hub_id, count FROM meeting_attendance WHERE meeting_id = ?",
                (meeting_id,),
            )
            came = {(r["region_id"], r["hub_id"]): r["count"] for r in rows}
        return MeetingFigures(past, int(invited), int(going), came)

    async def period(self, since: datetime, until: datetime) -> PeriodFigures:
        """Figures for the meetings (not cancelled) that started after ``since`` and by
        ``until``."""
        window = (to_db(since), to_db(until))
        held = await self._db.fetch_one(
            "SELECT COUNT(*) AS held, COUNT(s.meeting_id) AS saved FROM meetings m "
            "LEFT JOIN meeting_attendance_saved s ON s.meeting_id = m.id "
            "WHERE m.state = 'scheduled' AND m.starts_at > ? AND m.starts_at <= ?",
            window,
        )
        assert held is not None
        rows = await self._db.fetch_all(
            "SELECT a.region_id, a.hub_id, SUM(a.count) AS n FROM meeting_attendance a "
            "JOIN meetings m ON m.id = a.meeting_id "
            "WHERE m.state = 'scheduled' AND m.starts_at > ? AND m.starts_at <= ? "
            "GROUP BY a.region_id, a.hub_id",
            window,
        )
        people = await self._db.fetch_value(
            "SELECT COUNT(DISTINCT r.member_id) FROM meeting_rsvps r "
            "JOIN meetings m ON m.id = r.meeting_id "
            "JOIN meeting_attendance_saved s ON s.meeting_id = m.id "
            "WHERE r.attended = 1 AND m.state = 'scheduled' AND m.starts_at > ? "
            "AND m.starts_at <= ?",
            window,
        )
        return PeriodFigures(
            meetings_held=int(held["held"]),
            meetings_saved=int(held["saved"]),
            attendances={(r["region_id"], r["hub_id"]): int(r["n"]) for r in rows},
            people=int(people or 0),
        )

    async def members_by_place(self) -> dict[Place, int]:
        """Members now (active and paused) by region and hub."""
        rows = await self._db.fetch_all(
            "SELECT COALESCE(region_id, '') AS region_id, COALESCE(hub_id, '') AS hub_id, "
            "COUNT(*) AS n FROM members GROUP BY COALESCE(region_id, ''), COALESCE(hub_id, '')"
        )
        return {(r["region_id"], r["hub_id"]): int(r["n"]) for r in rows}
