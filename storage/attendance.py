"""Attendance figures for reports: counts only, never names or Telegram ids.

Who came is kept per meeting by region and hub in `meeting_attendance` (written when a
coordinator saves the sheet); `meeting_attendance_saved` says which meetings were saved, with
how many were invited and said going at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.timefmt import from_db, to_db

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


_MEETING = (
    "SELECT m.id, m.title, m.starts_at, m.audience_scope, m.audience_place, "
    "s.meeting_id IS NOT NULL AS saved, s.invited AS saved_invited, s.going AS saved_going "
    "FROM meetings m LEFT JOIN meeting_attendance_saved s ON s.meeting_id = m.id "
)


def _past(row) -> PastMeeting:
    """Turn a row into a PastMeeting."""
    return PastMeeting(
        id=row["id"],
        title=row["title"],
        starts_at=from_db(row["starts_at"]),  # type: ignore[arg-type]
        audience_scope=row["audience_scope"],
        audience_place=row["audience_place"],
        saved=bool(row["saved"]),
    )


class AttendanceRepository:
    """Reads the attendance kept for reports."""

    def __init__(self, db: Database) -> None:
        self._db = db

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
