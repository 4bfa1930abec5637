"""Catch-up is crash-safe and runs on every natural trigger.

Each late invitation row is written with its message in one transaction (a SQLite trigger
refusing the delivery rows, or SIGKILL from inside SQLite, leaves neither); and besides setup
and a move of region or hub, a member is asked what they missed when they turn consultations
or meetings back on, end a pause, or their pause runs out. A member's own change and their
catch-up land together; if the catch-up cannot be written the change is still made."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import build_services
from bot.clock import Clock
from bot.services.catch_up import CaughtUp
from bot.services.consultations.messages import KIND_INVITE as CONSULTATION_INVITE
from bot.services.meetings.messages import KIND_INVITE as MEETING_INVITE
from bot.services.registry import Services
from tests.catch_up.test_catch_up_service import CASEY, LATE, NW, consultation_draft, join, meeting
from tests.conftest import START, make_settings
from tests.queue_faults import arm_kill, killed_child, queued, refusing, watch_wakes

LATER = START + timedelta(days=20)  # after a pause of 2 weeks has run out


async def build(folder: Path, clock: Clock) -> Services:
    """Every service as the bot builds them, with two North West members."""
    services = await build_services(make_settings(folder, coordinator_ids=[CASEY]), clock)
    for member_id in NW:
        await join(services, member_id, "north_west")
    return services


@pytest.fixture
async def services(tmp_path: Path, clock: Clock) -> AsyncIterator[Services]:
    """The services over a real database (the worker is never started: nothing is sent)."""
    built = await build(tmp_path, clock)
    try:
        yield built
    finally:
        await built.db.close()


async def asked(services: Services, member_id: int) -> tuple[int, int]:
    """How many consultation and meeting invitations were queued for a member."""
    found = []
    for kind in (CONSULTATION_INVITE, MEETING_INVITE):
        found.append(sum(member_id in people for people in await queued(services.db, kind)))
    return found[0], found[1]


async def rows_for(services: Services, member_id: int) -> tuple[int, int]:
    """A member's consultation invitation rows and meeting rows."""
    return (
        await services.db.fetch_value(
            "SELECT COUNT(*) FROM consultation_invites WHERE member_id = ?", (member_id,)
        ),
        await services.db.fetch_value(
            "SELECT COUNT(*) FROM meeting_rsvps WHERE member_id = ?", (member_id,)
        ),
    )


async def open_both(services: Services, clock: Clock, *, far: bool = False) -> tuple[int, int]:
    """A national consultation and a North West meeting (far ahead: after a pause ends)."""
    closes = clock.now() + (timedelta(days=30) if far else timedelta(days=2))
    consultation = await services.consultations.create(
        CASEY, consultation_draft(clock, closes_at=closes)
    )
    made = await services.meetings.create(CASEY, meeting(starts_at=LATER) if far else meeting())
    return consultation.id, made.meeting.id


async def deliveries(services: Services) -> int:
    """Every delivery row written."""
    return await services.db.fetch_value("SELECT COUNT(*) FROM deliveries")


@pytest.mark.parametrize("kind", [CONSULTATION_INVITE, MEETING_INVITE])
async def test_a_catch_up_that_cannot_queue_writes_nothing_and_the_next_asks_once(
    services: Services, clock: Clock, kind: str
) -> None:
    consultation_id, meeting_id = await open_both(services, clock)
    await join(services, LATE, "north_west")
    wakes = watch_wakes(services.delivery, services.db)

    async with refusing(services.db, kind):
        with pytest.raises(Exception, match="disk full"):
            await services.catch_up.member(LATE)
    assert await rows_for(services, LATE) == (0, 0)  # neither row, neither message
    assert await asked(services, LATE) == (0, 0)
    assert wakes == []

    assert await services.catch_up.member(LATE) == CaughtUp((consultation_id,), (meeting_id,))
    assert await services.catch_up.member(LATE) == CaughtUp()
    assert await asked(services, LATE) == (1, 1)
    assert wakes == [await deliveries(services)]


@pytest.mark.parametrize("preference", ["consultations", "meetings"])
async def test_turning_consultations_or_meetings_back_on_asks_once(
    services: Services, clock: Clock, preference: str
) -> None:
    consultation_id, meeting_id = await open_both(services, clock)
    await join(services, LATE, "north_west", turn_off=preference)
    assert await services.catch_up.member(LATE) == CaughtUp(
        meetings=(meeting_id,) if preference == "consultations" else (),
        consultations=(consultation_id,) if preference == "meetings" else (),
    )
    wakes = watch_wakes(services.delivery, services.db)

    member = await services.members.toggle_preference(LATE, preference)  # back on
    assert getattr(member, f"wants_{preference}")
    assert await asked(services, LATE) == (1, 1)
    assert wakes == [await deliveries(services)]

    await services.members.toggle_preference(LATE, preference)  # off
    await services.members.toggle_preference(LATE, preference)  # and on again
    await services.members.toggle_preference(LATE, "news")
    await services.members.toggle_preference(LATE, "news")
    assert await asked(services, LATE) == (1, 1)
    assert len(wakes) == 1


async def test_turning_one_on_during_setup_asks_nothing_until_setup_is_done(
    services: Services, clock: Clock
) -> None:
    await open_both(services, clock)
    await join(services, LATE, "north_west", turn_off="consultations", finish=False)
    await services.members.toggle_preference(LATE, "consultations")
    assert await asked(services, LATE) == (0, 0)
    await services.members.finish_setup(LATE)
    await services.catch_up.member(LATE)  # as the setup screen does
    assert await asked(services, LATE) == (1, 1)


async def test_ending_a_pause_asks_what_opened_meanwhile(services: Services, clock: Clock) -> None:
    await join(services, LATE, "north_west")
    await services.members.pause(LATE, 2)
    await open_both(services, clock)
    assert await asked(services, LATE) == (0, 0)

    member = await services.members.resume(LATE)
    assert not member.is_paused(clock.now())
    assert await asked(services, LATE) == (1, 1)
    await services.members.resume(LATE)  # pressed twice
    assert await asked(services, LATE) == (1, 1)


async def test_a_pause_that_runs_out_asks_what_is_still_open(
    services: Services, clock: Clock
) -> None:
    await join(services, LATE, "north_west")
    await services.members.pause(LATE, 2)
    await open_both(services, clock, far=True)
    clock.advance(timedelta(days=13))
    assert await services.members.end_expired_pauses() == []
    assert await asked(services, LATE) == (0, 0)

    clock.advance(timedelta(days=1, minutes=1))
    wakes = watch_wakes(services.delivery, services.db)
    assert await services.members.end_expired_pauses() == [LATE]
    assert await services.members.end_expired_pauses() == []
    assert await asked(services, LATE) == (1, 1)
    assert wakes == [await deliveries(services)]


async def test_a_catch_up_that_fails_never_blocks_the_members_own_change(
    services: Services, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    await join(services, LATE, "north_west", turn_off="consultations")
    await services.members.pause(LATE, 2)
    await open_both(services, clock, far=True)

    async with refusing(services.db, CONSULTATION_INVITE):
        member = await services.members.toggle_preference(LATE, "consultations")
        assert member.wants_consultations
        clock.advance(timedelta(days=14, minutes=1))
        assert await services.members.end_expired_pauses() == [LATE]  # not kept paused
    assert "catch-up not written" in caplog.text
    assert await rows_for(services, LATE) == (0, 0)

    assert await services.catch_up.member(LATE) != CaughtUp()  # the next trigger asks once
    assert await asked(services, LATE) == (1, 1)


async def pause_ending_killed(folder: Path) -> None:
    """In a child process: a member's pause runs out and the process dies while their late
    invitation is written."""
    clock = Clock(START)
    services = await build(folder, clock)
    await join(services, LATE, "north_west")
    await services.members.pause(LATE, 2)
    await open_both(services, clock, far=True)
    clock.advance(timedelta(days=14, minutes=1))
    await arm_kill(services.db, CONSULTATION_INVITE)
    await services.members.end_expired_pauses()


@pytest.mark.timeout(120)
async def test_a_process_killed_mid_catch_up_keeps_the_pause_and_asks_once_after_restart(
    tmp_path: Path,
) -> None:
    await killed_child(tmp_path, f"{__name__}:pause_ending_killed")
    clock = Clock(START + timedelta(days=14, minutes=2))
    services = await build_services(make_settings(tmp_path, coordinator_ids=[CASEY]), clock)
    try:
        assert (await services.members.get(LATE)).paused_until is not None  # not ended
        assert await rows_for(services, LATE) == (0, 0)
        assert await services.members.end_expired_pauses() == [LATE]  # the job after restart
        assert await asked(services, LATE) == (1, 1)
    finally:
        await services.db.close()
