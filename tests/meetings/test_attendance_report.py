"""Attendance reports over a real database: one meeting and a period, small places put
together as "other places" (never shown on their own, never left to be worked out), small
counts suppressed (also where a total would give one away), the small-group threshold as set,
coordinators only, a meeting nobody came to, and a meeting not marked yet."""

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
    OTHERS,
    AttendanceService,
    MeetingReport,
    months_before,
)
from bot.services.errors import InvalidChoice, NotAllowed
from bot.services.meetings import MeetingDraft, MeetingGone
from bot.services.roles import RoleService
from bot.texts import load_texts
from config.settings import CONFIG_DIR
from handlers.meetings.attendance_messages import AttendanceMessages
from storage.attendance import AttendanceRepository
from storage.audit import AuditRepository
from storage.db import Database
from storage.erasure import erase_person
from storage.meetings import GOING, MAYBE
from storage.members import MemberRepository
from storage.roles import RoleRepository
from tests.meetings.conftest import CASEY, DAY, LONDON, MIDLANDS, NW, World, build_world

FORUM = load_forum(CONFIG_DIR / "forum.yaml")
# Ten more North West members in hub 2, three in North East hub 1 and eight in its hub 2,
# besides the world's five in North West hub 1 and one in the Midlands.
FOR_EVERYONE = Audience(EVERYONE)
NW2 = [600_100_000 + i for i in range(10)]
NE = [600_200_000 + i for i in range(3)]
NE2 = [600_300_000 + i for i in range(8)]


class Reports:
    """The world plus the attendance service."""

    def __init__(self, world: World, service: AttendanceService, five: AttendanceService) -> None:
        self.world = world
        self.service = service
        self.five = five  # the same with SMALL_GROUP_THRESHOLD=5
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
            _meeting, lines = await world.attendance.sheet(CASEY, meeting_id)
            for line in lines:
                if line.attended != (line.member_id in came):
                    await world.attendance.toggle_attended(CASEY, meeting_id, line.member_id)
            await world.attendance.save_attendance(CASEY, meeting_id)
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
    for member_id in NE2:
        await members.add(member_id, "M", DAY)
        await members.set_place(member_id, "north_east", "ne_hub_2", DAY)
    audit = AuditRepository(db)
    roles = RoleService(RoleRepository(db), audit, world.clock, {CASEY})
    repo = AttendanceRepository(db)
    service = AttendanceService(db, repo, roles, audit, FORUM, world.clock, LONDON)
    five = AttendanceService(db, repo, roles, audit, FORUM, world.clock, LONDON, small_group=5)
    return Reports(world, service, five)


def shown(value: int) -> Figure:
    return Figure(value, SHOWN)


def by_place(report: MeetingReport) -> dict[str, Figure]:
    return {place.place_id or place.kind: place.came for place in report.places}


def others(report: MeetingReport):
    (other,) = [place for place in report.places if place.kind == OTHERS]
    return other


async def audit_count(db: Database) -> int:
    return await db.fetch_value("SELECT COUNT(*) FROM audit_log WHERE action = 'attendance.report'")


async def test_a_national_meeting_puts_small_regions_together(reports: Reports) -> None:
    start = DAY + timedelta(days=5)
    came = [*NW[:4], *NW2[:8], MIDLANDS, *NE[:2], *NE2[:8]]
    meeting_id = await reports.held(start, going=[*came, NW2[8]], came=came, maybe=[NW2[9]])

    report = await reports.service.meeting_report(CASEY, meeting_id)

    assert report.by == BY_REGION
    invited = await reports.world.db.fetch_value(
        "SELECT COUNT(*) FROM meeting_rsvps WHERE meeting_id = ? AND invited = 1", (meeting_id,)
    )
    assert invited >= 24 and report.invited == shown(invited)
    assert report.going == shown(24)
    assert report.came == shown(23)
    places = by_place(report)
    assert places["north_west"] == shown(12)
    # The Midlands' one is never alone; with it alone, 23 less 12 less 10 would give it away,
    # so North East (the smallest shown) joins it.
    assert "midlands" not in places and "north_east" not in places
    other = others(report)
    assert other.came == shown(11)
    assert {("region", "midlands"), ("region", "north_east")} <= set(other.parts)
    text = reports.messages.meeting(report)
    assert "• North West: 12" in text
    assert "• Other places (North East; Midlands; South West; South East; No region given): 11" in (
        text
    )
    assert await audit_count(reports.world.db) == 1


async def test_one_member_from_a_region_is_never_singled_out(reports: Reports) -> None:
    start = DAY + timedelta(days=5)
    came = [*NW2[:9], MIDLANDS]  # North West 9, Midlands 1, the rest 0: every place is small
    meeting_id = await reports.held(start, going=came, came=came)

    report = await reports.service.meeting_report(CASEY, meeting_id)

    assert report.came == shown(10)
    assert report.places == ()  # no breakdown: the Midlands' 1 could not be hidden
    text = reports.messages.meeting(report)
    assert "Midlands" not in text and "Came, by region" not in text
    assert "A place with fewer than 10 people is not shown on its own." in text


async def test_a_regional_meeting_by_hub(reports: Reports) -> None:
    start = DAY + timedelta(days=5)
    came = [*NW[:4], *NW2[:7]]
    world = reports.world
    meeting_id = await reports.held(
        start, going=came, came=None, audience=Audience(REGION, "north_west")
    )
    # One who came has moved to the Midlands since answering: counted as from elsewhere.
    await MemberRepository(world.db).set_place(NW2[6], "midlands", None, world.clock.now())
    assert await world.attendance.save_attendance(CASEY, meeting_id) == 11

    report = await reports.service.meeting_report(CASEY, meeting_id)

    assert report.by == BY_HUB
    assert report.came == shown(11)
    assert report.places == ()  # hub 1: 4, hub 2: 6, from elsewhere: 1, all under 10

    # With SMALL_GROUP_THRESHOLD=5, hub 2's 6 stand alone and the rest (5) go together.
    five = await reports.five.meeting_report(CASEY, meeting_id)
    assert five.threshold == 5
    assert by_place(five)["nw_hub_2"] == shown(6)
    other = others(five)
    assert other.came == shown(5)
    assert set(other.parts) == {
        ("hub", "nw_hub_1"),
        ("no_hub", "north_west"),
        ("elsewhere", ""),
    }
    text = reports.messages.meeting(five)
    assert "Came, by hub" in text and "From other regions" in text
    assert "A place with fewer than 5 people" in text


async def test_a_meeting_for_fewer_than_ten_shows_no_exact_answer(reports: Reports) -> None:
    start = DAY + timedelta(days=5)
    hub = Audience("hub", "ne_hub_1")  # three members: all said going, none came
    meeting_id = await reports.held(start, going=NE, came=[], audience=hub)

    report = await reports.service.meeting_report(CASEY, meeting_id)

    text = reports.messages.meeting(report)
    assert "Invited: fewer than 5. Said going: fewer than 10." in text
    assert "Came: fewer than 10." in text
    assert "No one came" not in text


async def test_a_meeting_nobody_came_to(reports: Reports) -> None:
    start = DAY + timedelta(days=5)
    meeting_id = await reports.held(start, going=NW2[:6], came=[])

    report = await reports.service.meeting_report(CASEY, meeting_id)

    assert report.came == shown(0)  # no one of the 20 or more invited: a fact about many
    assert report.going == shown(6)
    assert report.places == ()
    assert "No one came to this meeting." in reports.messages.meeting(report)


async def test_an_empty_sheet_saved_reads_nobody_came(reports: Reports) -> None:
    start = DAY + timedelta(days=5)
    meeting_id = await reports.held(start, going=[], came=None)
    assert (await reports.service.meeting_report(CASEY, meeting_id)).came is None

    assert await reports.world.attendance.save_attendance(CASEY, meeting_id) == 0

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
    assert three.people == shown(11)  # NW2[:7], NW[:3], MIDLANDS
    assert three.members == shown(5 + 1 + 10 + 3 + 8)
    regions = {r.area.place_id or r.area.kind: r for r in three.regions}
    north_west = regions["north_west"]
    assert north_west.area.members == shown(15)
    # North West's hub 1 has five members: put with hub 2, so no hub lines at all.
    assert north_west.hubs == ()
    # The Midlands' one member is never alone: with North East (the smallest shown).
    assert "midlands" not in regions and "north_east" not in regions
    other = regions[OTHERS]
    assert set(other.area.parts) == {("region", "north_east"), ("region", "midlands")}
    assert other.area.members == shown(12)
    assert other.area.attendances.status == FEWER_THAN_5  # the Midlands member came once
    # Secondary: the whole less North West would give that one away.
    assert HIDDEN in {three.attendances.status, north_west.area.attendances.status}

    # With SMALL_GROUP_THRESHOLD=5: North West's hubs (5 and 10) are shown, hub 1's "came 4"
    # is "fewer than 5" and what would give it away is hidden.
    five = await reports.five.period_report(CASEY, 3)
    north_west = next(r for r in five.regions if r.area.place_id == "north_west")
    hubs = {hub.place_id: hub for hub in north_west.hubs}
    assert hubs["nw_hub_2"].members == shown(10) and hubs["nw_hub_1"].members == shown(5)
    assert hubs["nw_hub_1"].attendances.status == FEWER_THAN_5  # 1 + 3
    assert HIDDEN in {hubs["nw_hub_2"].attendances.status, north_west.area.attendances.status}

    twelve = await reports.service.period_report(CASEY, 12)
    assert twelve.meetings_held == 4 and twelve.meetings_saved == 3
    assert twelve.people == shown(13)  # and NW2[7], NW2[8] five months ago
    assert await audit_count(world.db) == 3

    text = reports.messages.period(three)
    assert "the last three months" in text
    assert "Meetings held: 3. Who came is saved for 2 of them." in text
    assert "Midlands" not in text.replace("Other places (North East; Midlands)", "")
    assert "Other places (North East; Midlands)" in text


def test_months_before_keeps_the_local_day_and_time() -> None:
    # 31 May 2026, 10:00 in London (summer time) -> 28 Feb 2026, 10:00 (winter).
    moment = datetime(2026, 5, 31, 9, 0, tzinfo=UTC)
    assert months_before(moment, 3, LONDON) == datetime(2026, 2, 28, 10, 0, tzinfo=UTC)
    assert months_before(moment, 12, LONDON) == datetime(2025, 5, 31, 9, 0, tzinfo=UTC)
    # Across the new year.
    january = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    assert months_before(january, 3, LONDON) == datetime(2025, 10, 15, 11, 0, tzinfo=UTC)
