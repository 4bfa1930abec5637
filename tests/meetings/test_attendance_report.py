"""Attendance reports over a real database: one meeting and a period, small counts suppressed
(also where a total would give one away), coordinators only, a meeting nobody came to, and a
meeting not marked yet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.delivery import Audience
from bot.delivery.audience import EVERYONE, REGION
from bot.forum import load_forum
from bot.results.suppression import FEWER_THAN_5, HIDDEN, SHOWN, Figure
from bot.services.attendance import (
    BY_HUB,
    BY_REGION,
    AttendanceService,
    MeetingReport,
    months_before,
)
from bot.services.errors import InvalidChoice, NotAllowed
from bot.services.meetings import MeetingDraft, MeetingGone
from bot.services.roles import RoleService
from bot.texts import load_texts
from config.settings import CONFIG_DIR
from handlers.attendance_messages import AttendanceMessages
from storage.attendance import AttendanceRepository
from storage.audit import AuditRepository
from storage.db import Database
from storage.erasure import erase_person
from storage.meetings import GOING, MAYBE
from storage.members import MemberRepository
from storage.roles import RoleRepository
from tests.meetings.conftest import CASEY, DAY, LONDON, MIDLANDS, NW, World, build_world

FORUM = load_forum(CONFIG_DIR / "forum.yaml")
# Ten more North West members in hub 2 and three in the North East, besides the world's five
# in North West hub 1 and one in the Midlands.
FOR_EVERYONE = Audience(EVERYONE)
NW2 = [600_100_000 + i for i in range(10)]
NE = [600_200_000 + i for i in range(3)]


class Reports:
    """The world plus the attendance service."""

    def __init__(self, world: World, service: AttendanceService) -> None:
        self.world = world
        self.service = service
        self.messages = AttendanceMessages(load_texts(CONFIG_DIR / "texts"), LONDON, FORUM)

    async def held(
        self,
        starts_at: datetime,
        going: list[int],
        came: list[int] | None,
        audience: Audience = FOR_EVERYONE,
        maybe: list[int] = (),
    ) -> int:
        """A meeting at ``starts_at`` (made a day before), with answers; when ``came`` is given,
        who came is marked and saved an hour after the start."""
        world = self.world
        world.clock.set(starts_at - timedelta(days=1))
        draft = MeetingDraft(
            title="Forum day",
            starts_at=starts_at,
            duration_minutes=60,
            audience=audience,
            link="https://meet.example.org/forum",
        )
        meeting_id = (await world.meetings.create(CASEY, draft)).meeting.id
        for member_id in going:
            await world.meetings.rsvp(member_id, meeting_id, GOING)
        for member_id in maybe:
            await world.meetings.rsvp(member_id, meeting_id, MAYBE)
        world.clock.set(starts_at + timedelta(hours=1))
        if came is not None:
            _meeting, lines = await world.meetings.sheet(CASEY, meeting_id)
            for line in lines:
                if line.attended != (line.member_id in came):
                    await world.meetings.toggle_attended(CASEY, meeting_id, line.member_id)
            await world.meetings.save_attendance(CASEY, meeting_id)
        return meeting_id


@pytest.fixture
async def reports(tmp_path: Path, db: Database) -> Reports:
    world = await build_world(tmp_path, db)
    members = MemberRepository(db)
    for member_id in NW2:
        await members.add(member_id, "M", DAY)
        await members.set_place(member_id, "north_west", "nw_hub_2", DAY)
    for member_id in NE:
        await members.add(member_id, "M", DAY)
        await members.set_place(member_id, "north_east", "ne_hub_1", DAY)
    audit = AuditRepository(db)
    roles = RoleService(RoleRepository(db), audit, world.clock, {CASEY})
    service = AttendanceService(AttendanceRepository(db), roles, audit, FORUM, world.clock, LONDON)
    return Reports(world, service)


def shown(value: int) -> Figure:
    return Figure(value, SHOWN)


def by_place(report: MeetingReport) -> dict[str, Figure]:
    return {place.place_id or place.kind: place.came for place in report.places}


async def audit_count(db: Database) -> int:
    return await db.fetch_value("SELECT COUNT(*) FROM audit_log WHERE action = 'attendance.report'")


async def test_a_national_meeting_by_region_with_small_counts_suppressed(reports: Reports) -> None:
    start = DAY + timedelta(days=5)
    came = [*NW[:4], *NW2[:8], MIDLANDS, *NE[:2]]
    meeting_id = await reports.held(start, going=[*came, NW2[8]], came=came, maybe=[NW2[9]])

    report = await reports.service.meeting_report(CASEY, meeting_id)

    assert report.by == BY_REGION
    invited = await reports.world.db.fetch_value(
        "SELECT COUNT(*) FROM meeting_rsvps WHERE meeting_id = ? AND invited = 1", (meeting_id,)
    )
    assert invited >= 16 and report.invited == shown(invited)
    assert report.going == shown(16)
    assert report.came == shown(15)
    places = by_place(report)
    assert places["north_west"] == shown(12)
    assert places["midlands"].status == FEWER_THAN_5
    assert places["north_east"].status == FEWER_THAN_5
    assert places["south_west"] == places["south_east"] == shown(0)
    # 15 - 12 = 3 tells the two small ones together (1 and 2, or 2 and 1), but not each one.
    assert await audit_count(reports.world.db) == 1


async def test_a_total_never_gives_a_small_count_away(reports: Reports) -> None:
    start = DAY + timedelta(days=5)
    came = [*NW2[:9], MIDLANDS]  # North West 9, Midlands 1, the rest 0
    meeting_id = await reports.held(start, going=came, came=came)

    report = await reports.service.meeting_report(CASEY, meeting_id)

    places = by_place(report)
    assert places["midlands"].status == FEWER_THAN_5
    # Shown together, the total and North West would tell that the Midlands had one.
    assert report.came is not None
    assert not (report.came.status == SHOWN and places["north_west"].status == SHOWN)
    assert HIDDEN in {report.came.status, places["north_west"].status}
    text = reports.messages.meeting(report)
    assert "fewer than 5" in text and "hidden" in text


async def test_a_regional_meeting_by_hub(reports: Reports) -> None:
    start = DAY + timedelta(days=5)
    came = [*NW[:4], *NW2[:7]]
    world = reports.world
    meeting_id = await reports.held(
        start, going=came, came=None, audience=Audience(REGION, "north_west")
    )
    # One who came has moved to the Midlands since answering: counted as from elsewhere.
    await MemberRepository(world.db).set_place(NW2[6], "midlands", None, world.clock.now())
    assert await world.meetings.save_attendance(CASEY, meeting_id) == 11

    report = await reports.service.meeting_report(CASEY, meeting_id)

    assert report.by == BY_HUB
    kinds = [(place.kind, place.place_id) for place in report.places]
    assert kinds == [
        ("hub", "nw_hub_1"),
        ("hub", "nw_hub_2"),
        ("no_hub", "north_west"),
        ("elsewhere", ""),
    ]
    places = by_place(report)
    assert places["nw_hub_1"].status == FEWER_THAN_5  # 4 came
    assert places["nw_hub_2"].status in (SHOWN, HIDDEN)
    assert places["elsewhere"].status == FEWER_THAN_5  # the one who moved to the Midlands
    text = reports.messages.meeting(report)
    assert "Came, by hub" in text and "From other regions" in text


async def test_a_meeting_nobody_came_to(reports: Reports) -> None:
    start = DAY + timedelta(days=5)
    meeting_id = await reports.held(start, going=NW2[:6], came=[])

    report = await reports.service.meeting_report(CASEY, meeting_id)

    assert report.came == shown(0)
    assert report.going == shown(6)
    assert all(place.came == shown(0) for place in report.places)
    assert "No one came to this meeting." in reports.messages.meeting(report)


async def test_an_empty_sheet_saved_reads_nobody_came(reports: Reports) -> None:
    start = DAY + timedelta(days=5)
    meeting_id = await reports.held(start, going=[], came=None)
    assert (await reports.service.meeting_report(CASEY, meeting_id)).came is None

    assert await reports.world.meetings.save_attendance(CASEY, meeting_id) == 0

    assert (await reports.service.meeting_report(CASEY, meeting_id)).came == shown(0)


async def test_a_meeting_not_marked_yet(reports: Reports) -> None:
    start = DAY + timedelta(days=5)
    meeting_id = await reports.held(start, going=NW2[:7], came=None)

    report = await reports.service.meeting_report(CASEY, meeting_id)

    assert report.came is None and report.places == ()
    assert report.going == shown(7)
    text = reports.messages.meeting(report)
    assert "not saved yet" in text and "Came: 0" not in text and "No one came" not in text


async def test_figures_kept_when_a_member_is_erased(reports: Reports) -> None:
    start = DAY + timedelta(days=5)
    came = NW2[:8]
    meeting_id = await reports.held(start, going=came, came=came)
    before = await reports.service.meeting_report(CASEY, meeting_id)

    await erase_person(reports.world.db, NW2[0])

    after = await reports.service.meeting_report(CASEY, meeting_id)
    assert (after.invited, after.going, after.came) == (before.invited, before.going, before.came)


async def test_meetings_not_started_or_cancelled_are_refused(reports: Reports) -> None:
    world = reports.world
    draft = MeetingDraft(
        title="Later",
        starts_at=DAY + timedelta(days=3),
        duration_minutes=60,
        audience=Audience(EVERYONE),
        link="https://meet.example.org/later",
    )
    later = (await world.meetings.create(CASEY, draft)).meeting.id
    with pytest.raises(InvalidChoice):
        await reports.service.meeting_report(CASEY, later)
    await world.meetings.cancel(CASEY, later)
    with pytest.raises(MeetingGone):
        await reports.service.meeting_report(CASEY, later)
    with pytest.raises(MeetingGone):
        await reports.service.meeting_report(CASEY, 999_999)
    with pytest.raises(InvalidChoice):
        await reports.service.period_report(CASEY, 6)


async def test_only_coordinators_get_reports(reports: Reports) -> None:
    start = DAY + timedelta(days=5)
    meeting_id = await reports.held(start, going=NW2[:6], came=NW2[:6])
    for call in (
        reports.service.meetings(NW[0]),
        reports.service.meeting_report(NW[0], meeting_id),
        reports.service.period_report(NW[0], 3),
    ):
        with pytest.raises(NotAllowed):
            await call
    assert await audit_count(reports.world.db) == 0


async def test_a_period_summary(reports: Reports) -> None:
    # Five months ago, two months ago, last week; one cancelled; one coming up.
    now = DAY + timedelta(days=200)
    old = await reports.held(now - timedelta(days=150), going=NW2[:9], came=NW2[:9])
    await reports.held(now - timedelta(days=60), going=[*NW2[:6], NW[0]], came=[*NW2[:6], NW[0]])
    recent_came = [*NW2[:7], *NW[:3], MIDLANDS]
    await reports.held(now - timedelta(days=7), going=recent_came, came=recent_came)
    await reports.held(now - timedelta(days=3), going=NW2, came=None)  # not marked
    world = reports.world
    world.clock.set(now)
    assert old

    three = await reports.service.period_report(CASEY, 3)

    assert three.meetings_held == 3 and three.meetings_saved == 2
    assert three.attendances == shown(7 + 11)
    assert three.people == shown(11)  # NW2[:7], NW[:3], MIDLANDS
    assert three.members == shown(5 + 1 + 10 + 3)
    regions = {r.area.place_id or r.area.kind: r for r in three.regions}
    north_west = regions["north_west"]
    hubs = {hub.place_id: hub for hub in north_west.hubs}
    assert hubs["nw_hub_2"].members == shown(10)
    assert hubs["nw_hub_1"].attendances.status == FEWER_THAN_5  # 1 + 3
    assert hubs["nw_hub_1"].members == shown(5)
    assert regions["midlands"].area.attendances.status == FEWER_THAN_5
    assert regions["north_east"].area.members.status == FEWER_THAN_5
    # Secondary: North West's total less hub 2 and "no hub yet" would give hub 1 away.
    assert hubs["north_west"].attendances == shown(0)
    assert HIDDEN in {north_west.area.attendances.status, hubs["nw_hub_2"].attendances.status}

    twelve = await reports.service.period_report(CASEY, 12)
    assert twelve.meetings_held == 4 and twelve.meetings_saved == 3
    assert twelve.attendances == shown(9 + 7 + 11)
    assert await audit_count(world.db) == 2

    text = reports.messages.period(three)
    assert "the last three months" in text
    assert "Meetings held: 3. Who came is saved for 2 of them." in text
    assert "Times people came: 18." in text


def test_months_before_keeps_the_local_day_and_time() -> None:
    # 31 May 2026, 10:00 in London (summer time) -> 28 Feb 2026, 10:00 (winter).
    moment = datetime(2026, 5, 31, 9, 0, tzinfo=UTC)
    assert months_before(moment, 3, LONDON) == datetime(2026, 2, 28, 10, 0, tzinfo=UTC)
    assert months_before(moment, 12, LONDON) == datetime(2025, 5, 31, 9, 0, tzinfo=UTC)
    # Across the new year.
    january = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    assert months_before(january, 3, LONDON) == datetime(2025, 10, 15, 11, 0, tzinfo=UTC)
