"""ReportService on real SQLite: members by region and hub, hub lists, the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clock import Clock
from bot.forum import Forum, load_forum
from bot.services.errors import InvalidChoice, NotAllowed
from bot.services.reports import PlaceLine, ReportService, region_targets
from bot.services.roles import RoleService
from config.settings import CONFIG_DIR
from storage.audit import AuditRepository
from storage.db import Database
from storage.erasure import erase_person
from storage.members import MemberRepository
from storage.roles import RoleRepository
from storage.stats import StatsRepository
from tests.conftest import START

COORD = 1001
STRANGER = 3001


@pytest.fixture(scope="module")
def forum() -> Forum:
    return load_forum(CONFIG_DIR / "forum.yaml")


@pytest.fixture
async def reports(db: Database, clock: Clock, forum: Forum) -> ReportService:
    roles = RoleService(RoleRepository(db), AuditRepository(db), clock, {COORD})
    await roles.bootstrap()
    return ReportService(
        MemberRepository(db), StatsRepository(db), AuditRepository(db), roles, forum, clock
    )


async def _member(
    db: Database, telegram_id: int, name: str, region: str | None, hub: str | None
) -> None:
    repo = MemberRepository(db)
    await repo.add(telegram_id, name, START)
    await repo.set_place(telegram_id, region, hub, START)


async def _populate(db: Database) -> None:
    """Three active and one paused in nw_hub_1, one with no hub yet, one national, one left."""
    await _member(db, 1, "Cara", "north_west", "nw_hub_1")
    await _member(db, 2, "alan", "north_west", "nw_hub_1")
    await _member(db, 3, "Bea", "north_west", "nw_hub_1")
    await _member(db, 4, "Dev", "north_west", "nw_hub_1")
    await MemberRepository(db).set_pause(4, START + timedelta(weeks=2), START)
    await _member(db, 5, "Eli", "north_west", None)
    await _member(db, 6, "Fin", None, None)
    await _member(db, 7, "Gus", "north_west", "nw_hub_2")
    await erase_person(db, 7)


async def test_members_report_counts_by_region_and_hub(
    db: Database, reports: ReportService
) -> None:
    await _populate(db)

    report = await reports.members_report(COORD)

    assert (report.target_members, report.target_hubs_per_region) == (200, 2)
    assert (report.members, report.active, report.paused, report.left) == (6, 5, 1, 1)
    by_region = {region.region_id: region for region in report.regions}
    assert list(by_region) == [
        "north_west",
        "north_east",
        "midlands",
        "south_west",
        "south_east",
        None,
    ]
    north_west = by_region["north_west"]
    assert (north_west.active, north_west.paused, north_west.left) == (4, 1, 1)
    assert north_west.hubs_running == 1
    assert north_west.lines == [
        PlaceLine("north_west", "nw_hub_1", 3, 1, 0),
        PlaceLine("north_west", "nw_hub_2", 0, 0, 1),
        PlaceLine("north_west", None, 1, 0, 0),
    ]
    national = by_region[None]
    assert (national.active, national.paused, national.left) == (1, 0, 0)
    empty = by_region["midlands"]
    assert (empty.active, empty.paused, empty.left, empty.hubs_running) == (0, 0, 0, 0)


async def test_a_pause_that_has_ended_counts_as_active(
    db: Database, reports: ReportService, clock: Clock
) -> None:
    await _populate(db)
    clock.advance(timedelta(weeks=3))

    report = await reports.members_report(COORD)

    assert (report.active, report.paused) == (6, 0)


async def test_members_report_is_recorded(db: Database, reports: ReportService) -> None:
    await reports.members_report(COORD)

    latest = (await AuditRepository(db).latest(1))[0]
    assert (latest.actor_id, latest.action) == (COORD, "members.report")


async def test_hub_listing_is_by_name_and_recorded(db: Database, reports: ReportService) -> None:
    await _populate(db)

    listed = await reports.hub_members(COORD, "nw_hub_1")

    assert [m.first_name for m in listed] == ["alan", "Bea", "Cara", "Dev"]
    latest = (await AuditRepository(db).latest(1))[0]
    assert (latest.actor_id, latest.action, latest.detail) == (
        COORD,
        "members.listed",
        "hub nw_hub_1",
    )


async def test_an_unknown_hub_is_an_invalid_choice(reports: ReportService) -> None:
    with pytest.raises(InvalidChoice):
        await reports.hub_members(COORD, "no_such_hub")


@pytest.mark.parametrize("view", ["report", "hub", "audit"])
async def test_a_non_coordinator_is_refused_sees_nothing_and_is_recorded(
    db: Database, reports: ReportService, view: str
) -> None:
    await _populate(db)
    audit = AuditRepository(db)
    before = len(await audit.latest(100))

    with pytest.raises(NotAllowed):
        if view == "report":
            await reports.members_report(STRANGER)
        elif view == "hub":
            await reports.hub_members(STRANGER, "nw_hub_1")
        else:
            await reports.audit_log(STRANGER)

    entries = await audit.latest(100)
    assert len(entries) == before + 1
    assert (entries[0].actor_id, entries[0].action) == (STRANGER, "refused")


async def test_audit_log_shows_the_latest_first(db: Database, reports: ReportService) -> None:
    await reports.members_report(COORD)
    await reports.hub_members(COORD, "se_hub_1")

    view = await reports.audit_log(COORD, limit=2)

    assert [line.action for line in view.lines] == ["members.listed", "members.report"]


@given(st.integers(min_value=0, max_value=100_000), st.integers(min_value=1, max_value=50))
def test_region_targets_split_the_whole_target_evenly(total: int, regions: int) -> None:
    shares = region_targets(total, regions)
    assert len(shares) == regions
    assert sum(shares) == total
    assert max(shares) - min(shares) <= 1
