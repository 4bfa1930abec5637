"""Attendance reports for coordinators: one past meeting, or a summary over a period.

Figures are counts only (no names, no Telegram ids). Every count about people goes through
`bot.results.breakdown` (the consultation results' suppression, adapted): 1 to 4 reads "fewer
than 5", and figures that would let someone work a small one out are hidden. How many meetings
were held is not about people and is shown as it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.forum import Forum
from bot.results.breakdown import protect_breakdown, protect_count
from bot.results.suppression import Figure
from bot.services.errors import InvalidChoice
from bot.services.meetings import MeetingGone
from bot.services.roles import RoleService
from storage.attendance import (
    AttendanceRepository,
    MeetingFigures,
    PastMeeting,
    PeriodFigures,
    Place,
)
from storage.audit import AuditRepository

PERIODS = (3, 12)  # the months a summary can cover
LIST_MONTHS = 12  # meetings this recent are offered one by one
LIST_LIMIT = 8

BY_REGION, BY_HUB = "region", "hub"
# What a line of a breakdown stands for.
REGION, HUB, NO_HUB, NO_REGION, ELSEWHERE = "region", "hub", "no_hub", "no_region", "elsewhere"


@dataclass(frozen=True)
class PlaceFigure:
    """How many came from one place: a region or hub (by id), a region's members with no hub
    yet (the region's id), members with no region, or anyone from outside the meeting's
    region."""

    kind: str
    place_id: str
    came: Figure


@dataclass(frozen=True)
class MeetingReport:
    """One past meeting: invited, said going and came (None: not marked yet), with who came by
    region (a meeting for everyone) or by hub (a meeting for a region or a hub)."""

    meeting: PastMeeting
    by: str
    invited: Figure
    going: Figure
    came: Figure | None
    places: tuple[PlaceFigure, ...]


@dataclass(frozen=True)
class AreaFigures:
    """A region, hub or no-place group over a period: attendances, and its members now."""

    kind: str
    place_id: str
    attendances: Figure
    members: Figure


@dataclass(frozen=True)
class RegionFigures:
    """A region's figures with its hubs (then 'no hub yet'); or the 'no region' group."""

    area: AreaFigures
    hubs: tuple[AreaFigures, ...]


@dataclass(frozen=True)
class PeriodReport:
    """Meetings that started in a period: how many, how many times people came, how many
    different members came, and attendances by region and hub against members now."""

    months: int
    since: datetime
    until: datetime
    meetings_held: int
    meetings_saved: int
    attendances: Figure
    people: Figure
    members: Figure
    regions: tuple[RegionFigures, ...]


class AttendanceService:
    """Builds attendance reports, coordinators only; each report taken is recorded."""

    def __init__(
        self,
        attendance: AttendanceRepository,
        roles: RoleService,
        audit: AuditRepository,
        forum: Forum,
        clock: Clock,
        zone: ZoneInfo,
    ) -> None:
        self._attendance = attendance
        self._roles = roles
        self._audit = audit
        self._forum = forum
        self._clock = clock
        self._zone = zone

    async def meetings(self, actor_id: int) -> list[PastMeeting]:
        """The latest meetings held in the last LIST_MONTHS months, latest first."""
        await self._roles.require_coordinator(actor_id, "attendance report")
        now = self._clock.now()
        since = months_before(now, LIST_MONTHS, self._zone)
        return await self._attendance.past_meetings(since, now, LIST_LIMIT)

    async def meeting_report(self, actor_id: int, meeting_id: int) -> MeetingReport:
        """One meeting that has started; cancelled or unknown ones are refused."""
        await self._roles.require_coordinator(actor_id, "attendance report")
        figures = await self._attendance.meeting(meeting_id)
        if figures is None:
            raise MeetingGone
        now = self._clock.now()
        if figures.meeting.starts_at > now:
            raise InvalidChoice
        report = await asyncio.to_thread(build_meeting_report, figures, self._forum)
        await self._audit.record(actor_id, "attendance.report", now, detail=f"meeting {meeting_id}")
        return report

    async def period_report(self, actor_id: int, months: int) -> PeriodReport:
        """Meetings that started in the last ``months`` months (3 or 12)."""
        await self._roles.require_coordinator(actor_id, "attendance report")
        if months not in PERIODS:
            raise InvalidChoice
        now = self._clock.now()
        since = months_before(now, months, self._zone)
        figures = await self._attendance.period(since, now)
        members = await self._attendance.members_by_place()
        report = await asyncio.to_thread(
            build_period_report, figures, members, self._forum, months, since, now
        )
        await self._audit.record(actor_id, "attendance.report", now, detail=f"last {months} months")
        return report


def months_before(moment: datetime, months: int, zone: ZoneInfo) -> datetime:
    """The same local clock time ``months`` calendar months earlier (the day kept, or the
    month's last day when it is shorter), in UTC."""
    local = moment.astimezone(zone)
    index = local.year * 12 + (local.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    day = local.day
    while True:
        try:
            earlier = local.replace(year=year, month=month, day=day, fold=0)
            break
        except ValueError:
            day -= 1
    return earlier.astimezone(moment.tzinfo)


# --- pure builders (plain values in and out; the property tests call these) ----------------


def build_meeting_report(figures: MeetingFigures, forum: Forum) -> MeetingReport:
    """Protect one meeting's figures: who came by region (meeting for everyone) or by the
    hubs of the meeting's region (a meeting for a region or a hub)."""
    meeting = figures.meeting
    region = _meeting_region(meeting, forum)
    groups: list[tuple[str, str]] = []
    if region is None:
        by = BY_REGION
        groups = [(REGION, r.id) for r in forum.regions] + [(NO_REGION, "")]
    else:
        by = BY_HUB
        region_hubs = forum.region(region)
        assert region_hubs is not None
        groups = [(HUB, h.id) for h in region_hubs.hubs] + [(NO_HUB, region), (ELSEWHERE, "")]
    invited, going = protect_count(figures.invited), protect_count(figures.going)
    if not meeting.saved:
        return MeetingReport(meeting, by, invited, going, None, ())
    counts = [0] * len(groups)
    index = {group: i for i, group in enumerate(groups)}
    for place, n in figures.came.items():
        counts[index[_meeting_group(place, region, forum)]] += n
    safe = protect_breakdown([[n] for n in counts])
    places = tuple(
        PlaceFigure(kind, place_id, figure)
        for (kind, place_id), figure in zip(groups, safe.groups, strict=True)
    )
    return MeetingReport(meeting, by, invited, going, safe.total, places)


def build_period_report(
    figures: PeriodFigures,
    members: dict[Place, int],
    forum: Forum,
    months: int,
    since: datetime,
    until: datetime,
) -> PeriodReport:
    """Protect a period's attendances and members now, each by region and hub."""
    layout: list[tuple[AreaKey, list[AreaKey]]] = [
        ((REGION, r.id), [*((HUB, h.id) for h in r.hubs), (NO_HUB, r.id)]) for r in forum.regions
    ]
    layout.append(((NO_REGION, ""), [(NO_REGION, "")]))
    attendances = _protect_layout(layout, figures.attendances, forum)
    members_now = _protect_layout(layout, members, forum)
    regions = []
    for g, (group, parts) in enumerate(layout):
        hubs = tuple(
            AreaFigures(*part, attendances.parts[g][p], members_now.parts[g][p])
            for p, part in enumerate(parts)
        )
        area = AreaFigures(*group, attendances.groups[g], members_now.groups[g])
        regions.append(RegionFigures(area, hubs if group[0] == REGION else ()))
    return PeriodReport(
        months=months,
        since=since,
        until=until,
        meetings_held=figures.meetings_held,
        meetings_saved=figures.meetings_saved,
        attendances=attendances.total,
        people=protect_count(figures.people),
        members=members_now.total,
        regions=tuple(regions),
    )


AreaKey = tuple[str, str]


def _protect_layout(layout: Sequence[tuple[AreaKey, list[AreaKey]]], counts, forum: Forum):
    """Sum counts by place into the layout's parts, then protect the whole breakdown."""
    where = {part: (g, p) for g, (_, parts) in enumerate(layout) for p, part in enumerate(parts)}
    grid = [[0] * len(parts) for _, parts in layout]
    for place, n in counts.items():
        g, p = where[_period_part(place, forum)]
        grid[g][p] += n
    return protect_breakdown(grid)


def _meeting_region(meeting: PastMeeting, forum: Forum) -> str | None:
    """The region a meeting was for, or None for a meeting for everyone (or a place the forum
    file no longer has)."""
    if meeting.audience_scope == "region" and forum.region(meeting.audience_place):
        return meeting.audience_place
    if meeting.audience_scope == "hub":
        hub = forum.hub(meeting.audience_place)
        return hub.region_id if hub else None
    return None


def _meeting_group(place: Place, region: str | None, forum: Forum) -> AreaKey:
    """Which line of a meeting's breakdown a (region, hub) belongs to."""
    region_id, hub_id = place
    if region is None:
        return (REGION, region_id) if forum.region(region_id) else (NO_REGION, "")
    if region_id != region:
        return (ELSEWHERE, "")
    hub = forum.hub(hub_id)
    return (HUB, hub_id) if hub and hub.region_id == region else (NO_HUB, region)


def _period_part(place: Place, forum: Forum) -> AreaKey:
    """Which hub line of the period summary a (region, hub) belongs to."""
    region_id, hub_id = place
    if not forum.region(region_id):
        return (NO_REGION, "")
    hub = forum.hub(hub_id)
    return (HUB, hub_id) if hub and hub.region_id == region_id else (NO_HUB, region_id)
