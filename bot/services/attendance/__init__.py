"""Attendance: marking who came after a meeting (coordinators only; counts by region and
hub kept without names), and the reports built from it (bot/services/attendance/figures.py
holds the small-numbers rules)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.forum import Forum
from bot.results.small_groups import SmallGroupRule
from bot.services.attendance.figures import (
    BY_HUB,
    BY_REGION,
    ELSEWHERE,
    HUB,
    NO_HUB,
    NO_REGION,
    OTHERS,
    REGION,
    AreaFigures,
    AreaKey,
    MeetingReport,
    PeriodReport,
    PlaceFigure,
    RegionFigures,
    build_meeting_report,
    build_period_report,
    months_before,
)
from bot.services.errors import InvalidChoice
from bot.services.meetings.rules import MeetingGone
from bot.services.roles import RoleService
from storage.attendance import AttendanceRepository, PastMeeting, PlaceAttendance, SheetLine
from storage.audit import AuditRepository
from storage.db import Database
from storage.meetings import SCHEDULED, Meeting

PERIODS = (3, 12)  # the months a summary can cover
LIST_MONTHS = 12  # meetings this recent are offered one by one
LIST_LIMIT = 8
RECENT_DAYS = 14  # meetings this recent can have who came marked
SHEET_LIMIT = 90  # people on one attendance sheet (Telegram allows 100 buttons)

# What handlers use: the service, its records and the kinds of report line.
__all__ = [
    "BY_HUB",
    "BY_REGION",
    "ELSEWHERE",
    "HUB",
    "NO_HUB",
    "NO_REGION",
    "OTHERS",
    "PERIODS",
    "REGION",
    "AreaFigures",
    "AreaKey",
    "AttendanceService",
    "MeetingReport",
    "PastMeeting",
    "PeriodReport",
    "PlaceAttendance",
    "PlaceFigure",
    "RegionFigures",
    "SheetLine",
    "months_before",
]


@dataclass(eq=False)
class AttendanceService(SmallGroupRule):
    """Builds attendance reports, coordinators only; each report taken is recorded."""

    db: Database
    rows: AttendanceRepository
    roles: RoleService
    audit: AuditRepository
    forum: Forum
    clock: Clock
    zone: ZoneInfo

    # Marking who came

    async def recent(self, actor_id: int) -> list[Meeting]:
        """Meetings that started in the last RECENT_DAYS days, for marking who came."""
        await self.roles.require_coordinator(actor_id, "mark attendance")
        now = self.clock.now()
        return await self.rows.recent(now - timedelta(days=RECENT_DAYS), now)

    async def _started(self, meeting_id: int) -> Meeting:
        """A meeting that has started and was not cancelled, or the refusal."""
        meeting = await self.rows.get_meeting(meeting_id)
        if meeting is None or meeting.state != SCHEDULED:
            raise MeetingGone
        if meeting.starts_at > self.clock.now():
            raise InvalidChoice
        return meeting

    async def sheet(self, actor_id: int, meeting_id: int) -> tuple[Meeting, list[SheetLine]]:
        """Who said going or maybe, and who is marked as came (going counts until changed)."""
        await self.roles.require_coordinator(actor_id, "mark attendance")
        meeting = await self._started(meeting_id)
        return meeting, await self.rows.sheet(meeting_id, SHEET_LIMIT)

    async def toggle_attended(
        self, actor_id: int, meeting_id: int, member_id: int, came: bool | None = None
    ) -> bool:
        """Mark one person on the sheet as came or not (``came``; None flips them); return the
        new value. Marking as they already are changes nothing (a press delivered twice)."""
        _meeting, lines = await self.sheet(actor_id, meeting_id)
        line = next((x for x in lines if x.member_id == member_id), None)
        if line is None:
            raise InvalidChoice
        wanted = not line.attended if came is None else came
        if line.attended is None or bool(line.attended) != wanted:
            await self.rows.set_attended(meeting_id, member_id, wanted)
        return wanted

    async def save_attendance(self, actor_id: int, meeting_id: int) -> int:
        """Keep the attendance (counts by region and hub for reports); return how many came."""
        await self.roles.require_coordinator(actor_id, "mark attendance")
        await self._started(meeting_id)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            came, changed = await self.rows.save_attendance(meeting_id, tx)
            if changed:  # a double tap saves the same sheet: one line in the audit log
                await self.audit.record(
                    actor_id,
                    "meeting.attendance",
                    now,
                    detail=f"meeting {meeting_id}: {came} came",
                    tx=tx,
                )
        return came

    async def attendance(self, actor_id: int, meeting_id: int) -> list[PlaceAttendance]:
        """A meeting's kept attendance by region and hub."""
        await self.roles.require_coordinator(actor_id, "mark attendance")
        return await self.rows.attendance(meeting_id)

    # Reports

    async def meetings(self, actor_id: int) -> list[PastMeeting]:
        """The latest meetings held in the last LIST_MONTHS months, latest first."""
        await self.roles.require_coordinator(actor_id, "attendance report")
        now = self.clock.now()
        since = months_before(now, LIST_MONTHS, self.zone)
        return await self.rows.past_meetings(since, now, LIST_LIMIT)

    async def meeting_report(self, actor_id: int, meeting_id: int) -> MeetingReport:
        """One meeting that has started; cancelled or unknown ones are refused."""
        await self.roles.require_coordinator(actor_id, "attendance report")
        figures = await self.rows.meeting(meeting_id)
        if figures is None:
            raise MeetingGone
        now = self.clock.now()
        if figures.meeting.starts_at > now:
            raise InvalidChoice
        report = await asyncio.to_thread(
            build_meeting_report, figures, self.forum, self.small_group
        )
        await self.audit.record(actor_id, "attendance.report", now, detail=f"meeting {meeting_id}")
        return report

    async def period_report(self, actor_id: int, months: int) -> PeriodReport:
        """Meetings that started in the last ``months`` months (3 or 12)."""
        await self.roles.require_coordinator(actor_id, "attendance report")
        if months not in PERIODS:
            raise InvalidChoice
        now = self.clock.now()
        since = months_before(now, months, self.zone)
        figures = await self.rows.period(since, now)
        members = await self.rows.members_by_place()
        report = await asyncio.to_thread(
            build_period_report,
            figures,
            members,
            self.forum,
            months,
            since,
            now,
            self.small_group,
        )
        await self.audit.record(actor_id, "attendance.report", now, detail=f"last {months} months")
        return report
