"""MemberService on real SQLite: joining, choosing, pausing, seeing and erasing one's data."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.forum import Forum, load_forum
from bot.services.contact import ContactService
from bot.services.errors import InvalidChoice, NotAMember
from bot.services.members import MemberService
from bot.services.roles import LastCoordinator, RoleService
from config.settings import CONFIG_DIR
from storage.audit import AuditRepository
from storage.db import Database
from storage.members import MemberRepository
from storage.roles import COORDINATOR, DECISION_MAKER, RoleRepository
from storage.stats import StatsRepository
from tests.conftest import START
from tests.contact.conftest import contact_service

SAM = 5550001
ALEX = 5550002
BOSS = 5550099
# An id and a name unlikely to turn up by chance in a database file.
LEAVER_ID = 987654321013
LEAVER_NAME = "Zephyrine"


@pytest.fixture(scope="module")
def forum() -> Forum:
    return load_forum(CONFIG_DIR / "forum.yaml")


@pytest.fixture
def members(db: Database, clock: Clock, forum: Forum) -> MemberService:
    return MemberService(
        db,
        MemberRepository(db),
        RoleRepository(db),
        AuditRepository(db),
        forum,
        clock,
    )


@pytest.fixture
async def roles(db: Database, clock: Clock) -> RoleService:
    service = RoleService(RoleRepository(db), AuditRepository(db), clock, {BOSS})
    await service.bootstrap()
    return service


@pytest.fixture
def contact(db: Database, clock: Clock, roles: RoleService, tmp_path: Path) -> ContactService:
    return contact_service(db, roles, clock, tmp_path)


async def test_join_records_consent_at_the_clock_time(members: MemberService, clock: Clock) -> None:
    member = await members.join(SAM, "  Sam  ")

    assert member.first_name == "Sam"
    assert member.consented_at == START
    assert member.region_id is None and member.hub_id is None
    assert (member.wants_meetings, member.wants_consultations, member.wants_news) == (
        True,
        True,
        True,
    )
    assert not member.setup_done
    assert not member.is_paused(clock.now())
    assert await members.get(SAM) == member


async def test_joining_again_renews_consent_and_keeps_choices(
    members: MemberService, clock: Clock
) -> None:
    await members.join(SAM, "Sam")
    await members.choose_region(SAM, "midlands")
    clock.advance(timedelta(days=3))

    again = await members.join(SAM, "Samuel")

    assert again.consented_at == START + timedelta(days=3)
    assert again.first_name == "Samuel"
    assert again.region_id == "midlands"


async def test_a_blank_or_very_long_name_is_tidied(members: MemberService) -> None:
    assert (await members.join(SAM, "   ")).first_name == "Member"
    assert (await members.join(ALEX, "A" * 500)).first_name == "A" * 64


async def test_someone_who_has_not_joined_is_not_a_member(members: MemberService) -> None:
    assert await members.get(SAM) is None
    with pytest.raises(NotAMember):
        await members.choose_region(SAM, "north_west")
    with pytest.raises(NotAMember):
        await members.pause(SAM, 2)


async def test_choose_region_and_hub(members: MemberService) -> None:
    await members.join(SAM, "Sam")

    await members.choose_region(SAM, "north_west")
    member = await members.choose_hub(SAM, "nw_hub_2")

    assert (member.region_id, member.hub_id) == ("north_west", "nw_hub_2")


async def test_unknown_region_or_hub_is_refused_and_nothing_changes(
    members: MemberService,
) -> None:
    await members.join(SAM, "Sam")
    await members.choose_region(SAM, "north_west")

    with pytest.raises(InvalidChoice):
        await members.choose_region(SAM, "atlantis")
    with pytest.raises(InvalidChoice):
        await members.choose_hub(SAM, "no_such_hub")

    member = await members.require(SAM)
    assert (member.region_id, member.hub_id) == ("north_west", None)


async def test_a_hub_from_another_region_is_refused(members: MemberService) -> None:
    await members.join(SAM, "Sam")
    await members.choose_region(SAM, "north_west")

    with pytest.raises(InvalidChoice):
        await members.choose_hub(SAM, "se_hub_1")

    assert (await members.require(SAM)).hub_id is None


async def test_a_hub_needs_a_region_first(members: MemberService) -> None:
    await members.join(SAM, "Sam")

    with pytest.raises(InvalidChoice):
        await members.choose_hub(SAM, "nw_hub_1")


async def test_changing_region_clears_a_hub_that_no_longer_fits(
    members: MemberService,
) -> None:
    await members.join(SAM, "Sam")
    await members.choose_region(SAM, "north_west")
    await members.choose_hub(SAM, "nw_hub_1")

    same = await members.choose_region(SAM, "north_west")
    assert same.hub_id == "nw_hub_1"

    moved = await members.choose_region(SAM, "south_east")
    assert (moved.region_id, moved.hub_id) == ("south_east", None)


async def test_national_only_and_not_sure_hub(members: MemberService) -> None:
    await members.join(SAM, "Sam")
    await members.choose_region(SAM, "midlands")
    await members.choose_hub(SAM, "mid_hub_1")

    not_sure = await members.choose_hub(SAM, None)
    assert (not_sure.region_id, not_sure.hub_id) == ("midlands", None)

    national = await members.choose_region(SAM, None)
    assert (national.region_id, national.hub_id) == (None, None)


async def test_toggle_preference_switches_one_kind_only(members: MemberService) -> None:
    await members.join(SAM, "Sam")

    off = await members.toggle_preference(SAM, "news")
    assert (off.wants_meetings, off.wants_consultations, off.wants_news) == (True, True, False)

    on = await members.toggle_preference(SAM, "news")
    assert on.wants_news is True

    meetings_off = await members.toggle_preference(SAM, "meetings")
    assert (meetings_off.wants_meetings, meetings_off.wants_news) == (False, True)


@pytest.mark.parametrize("preference", ["", "wants_news", "NEWS", "news; DROP TABLE members"])
async def test_unknown_preference_is_refused(members: MemberService, preference: str) -> None:
    await members.join(SAM, "Sam")

    with pytest.raises(InvalidChoice):
        await members.toggle_preference(SAM, preference)

    member = await members.require(SAM)
    assert (member.wants_meetings, member.wants_consultations, member.wants_news) == (
        True,
        True,
        True,
    )


async def test_finish_setup_is_recorded(members: MemberService) -> None:
    await members.join(SAM, "Sam")

    assert (await members.finish_setup(SAM)).setup_done


@pytest.mark.parametrize("weeks", [2, 4])
async def test_pause_for_two_or_four_weeks(
    members: MemberService, clock: Clock, weeks: int
) -> None:
    await members.join(SAM, "Sam")

    member = await members.pause(SAM, weeks)

    assert member.paused_until == START + timedelta(weeks=weeks)
    assert member.is_paused(clock.now())


@pytest.mark.parametrize("weeks", [0, 1, 3, 52, -2])
async def test_other_pause_lengths_are_refused(members: MemberService, weeks: int) -> None:
    await members.join(SAM, "Sam")

    with pytest.raises(InvalidChoice):
        await members.pause(SAM, weeks)

    assert (await members.require(SAM)).paused_until is None


async def test_resume_ends_a_pause_now(members: MemberService, clock: Clock) -> None:
    await members.join(SAM, "Sam")
    await members.pause(SAM, 4)

    member = await members.resume(SAM)

    assert member.paused_until is None
    assert not member.is_paused(clock.now())


async def test_pauses_end_by_themselves_when_their_time_is_up(
    members: MemberService, clock: Clock
) -> None:
    await members.join(SAM, "Sam")
    await members.join(ALEX, "Alex")
    await members.pause(SAM, 2)
    await members.pause(ALEX, 4)

    clock.advance(timedelta(weeks=2) - timedelta(minutes=1))
    assert await members.end_expired_pauses() == []

    clock.advance(timedelta(minutes=1))
    assert await members.end_expired_pauses() == [SAM]
    assert (await members.require(SAM)).paused_until is None
    assert (await members.require(ALEX)).is_paused(clock.now())
    # Each member is told once: the next check finds nothing new.
    assert await members.end_expired_pauses() == []

    clock.advance(timedelta(weeks=2))
    assert await members.end_expired_pauses() == [ALEX]


async def test_export_holds_everything_stored(
    members: MemberService, roles: RoleService, contact: ContactService
) -> None:
    await members.join(SAM, "Sam")
    await members.choose_region(SAM, "north_east")
    await members.choose_hub(SAM, "ne_hub_1")
    await members.toggle_preference(SAM, "consultations")
    await members.pause(SAM, 2)
    await contact.ask(SAM, "Sam", "Please ring me on Tuesday")
    await roles.grant(BOSS, SAM, DECISION_MAKER)

    data = await members.export(SAM)
    requests = await contact.member_data(SAM)

    assert data["telegram_id"] == SAM
    member = data["member"]
    assert member["first_name"] == "Sam"
    assert member["consented_at"] == START.isoformat()
    assert member["region"] == "North East"
    assert member["hub"] == "North East hub 1 (placeholder name)"
    assert member["receives"] == {
        "meeting_reminders": True,
        "consultations": False,
        "forum_news": True,
    }
    assert member["paused_until"] == (START + timedelta(weeks=2)).isoformat()
    assert data["roles"] == [DECISION_MAKER]
    # Contact requests are the contact service's part of /mydata, read once, there.
    assert "contact_requests" not in data
    assert [r["message"] for r in requests] == ["Please ring me on Tuesday"]
    assert requests[0]["handled"] is False
    assert [(r["action"], r["by_you"]) for r in data["coordinator_records"]] == [
        ("role.granted", False)
    ]
    # The export can be sent as a JSON file as it is.
    assert json.loads(json.dumps(data)) == data
    assert json.loads(json.dumps(requests)) == requests


async def test_export_for_a_stranger_holds_nothing(
    members: MemberService, contact: ContactService
) -> None:
    data = await members.export(SAM)

    assert data == {
        "telegram_id": SAM,
        "member": None,
        "roles": [],
        "coordinator_records": [],
    }
    assert await contact.member_data(SAM) == []


async def _tables(db: Database) -> list[str]:
    rows = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
    return [row["name"] for row in rows]


async def _cells_holding(db: Database, needles: tuple[object, ...]) -> list[str]:
    """Every table.column whose value is, or contains, one of the needles."""
    found = []
    for table in await _tables(db):
        for row in await db.fetch_all(f'SELECT * FROM "{table}"'):
            for column in row.keys():  # noqa: SIM118 (aiosqlite rows need keys())
                value = row[column]
                for needle in needles:
                    if value == needle or str(needle) in str(value):
                        found.append(f"{table}.{column}={value!r}")
    return found


async def _fill_leaver(members: MemberService, roles: RoleService, contact: ContactService) -> None:
    """A member who has done everything that stores data: joined, chose, asked, held roles."""
    await members.join(LEAVER_ID, LEAVER_NAME)
    await members.choose_region(LEAVER_ID, "south_west")
    await members.choose_hub(LEAVER_ID, "sw_hub_2")
    await members.pause(LEAVER_ID, 2)
    outcome = await contact.ask(LEAVER_ID, LEAVER_NAME, f"This is {LEAVER_NAME}, call me")
    await contact.mark_handled(BOSS, outcome.request.id)
    await roles.grant(BOSS, LEAVER_ID, COORDINATOR)
    # As a coordinator they act on others, so they appear as actor and granter too.
    await members.join(SAM, "Sam")
    await roles.grant(LEAVER_ID, SAM, DECISION_MAKER)
    sam_request = await contact.ask(SAM, "Sam", None)
    await contact.mark_handled(LEAVER_ID, sam_request.request.id)


async def test_erase_removes_the_person_from_every_table(
    db: Database, members: MemberService, roles: RoleService, contact: ContactService
) -> None:
    await _fill_leaver(members, roles, contact)
    assert await _cells_holding(db, (LEAVER_ID, LEAVER_NAME))  # the check can see them

    assert await members.erase(LEAVER_ID) is True

    assert await _cells_holding(db, (LEAVER_ID, LEAVER_NAME)) == []
    assert await members.get(LEAVER_ID) is None
    assert await members.export(LEAVER_ID) == {
        "telegram_id": LEAVER_ID,
        "member": None,
        "roles": [],
        "coordinator_records": [],
    }
    assert await contact.member_data(LEAVER_ID) == []
    # Other people's data stays.
    assert (await members.require(SAM)).first_name == "Sam"
    assert await roles.roles_of(SAM) == {DECISION_MAKER}


async def test_erase_keeps_only_a_count_of_leavers_by_place(
    db: Database, members: MemberService, roles: RoleService, contact: ContactService
) -> None:
    await _fill_leaver(members, roles, contact)
    await members.join(ALEX, "Alex")

    await members.erase(LEAVER_ID)
    await members.erase(ALEX)

    assert await StatsRepository(db).leavers_by_place() == {
        ("south_west", "sw_hub_2"): 1,
        (None, None): 1,
    }


def _files(db: Database) -> list[Path]:
    """The database file and its -wal and -shm companions."""
    return [db.path, *db.path.parent.glob(db.path.name + "-*")]


async def test_after_erase_the_file_on_disk_holds_neither_name_nor_id(
    db: Database, members: MemberService, roles: RoleService, contact: ContactService
) -> None:
    await _fill_leaver(members, roles, contact)
    assert LEAVER_NAME.encode() in b"".join(path.read_bytes() for path in _files(db))

    await members.erase(LEAVER_ID)

    files = _files(db)
    assert any(path.name.endswith("-wal") for path in files)
    for path in files:
        data = path.read_bytes()
        assert LEAVER_NAME.encode() not in data, path.name
        assert LEAVER_NAME.encode("utf-16-le") not in data, path.name
        assert str(LEAVER_ID).encode() not in data, path.name


async def test_erase_refuses_the_last_coordinator(
    db: Database, members: MemberService, roles: RoleService
) -> None:
    await members.join(BOSS, "Boss")

    with pytest.raises(LastCoordinator):
        await members.erase(BOSS)

    assert await members.get(BOSS) is not None
    assert await roles.is_coordinator(BOSS)


async def test_erase_of_someone_never_a_member_is_harmless(
    db: Database, members: MemberService, contact: ContactService
) -> None:
    await contact.ask(LEAVER_ID, LEAVER_NAME, "hello")

    assert await members.erase(LEAVER_ID) is False

    assert await _cells_holding(db, (LEAVER_ID, LEAVER_NAME)) == []
    assert await StatsRepository(db).leavers_by_place() == {}


async def test_mark_reachable(members: MemberService) -> None:
    await members.join(SAM, "Sam")

    await members.mark_reachable(SAM, False)
    assert not (await members.require(SAM)).reachable

    await members.join(SAM, "Sam")
    assert (await members.require(SAM)).reachable
