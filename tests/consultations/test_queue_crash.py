"""Consultations change state and queue their messages in one transaction: never lost, never
twice. A real failure is injected inside that transaction (a SQLite trigger refuses the
delivery rows of one kind, or SIGKILL from inside SQLite); afterwards nothing is half
written, and the next sweep or the coordinator's retry queues it exactly once, with the
delivery worker woken only after the commit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import build_services
from bot.clock import Clock
from bot.services.consultations.messages import (
    KIND_CANCELLED,
    KIND_FOLLOWUP,
    KIND_INVITE,
    KIND_MEMBER_RESULTS,
    KIND_NUDGE,
    KIND_RESULTS,
)
from bot.services.registry import Services
from tests.catch_up.test_catch_up_service import CASEY, NW, consultation_draft, join
from tests.conftest import START, make_settings
from tests.queue_faults import arm_kill, killed_child, queued, refusing, watch_wakes

MORE = [600_000_003, 600_000_004]


async def build(folder: Path, clock: Clock) -> Services:
    """Every service as the bot builds them, with four North West members."""
    services = await build_services(make_settings(folder, coordinator_ids=[CASEY]), clock)
    for member_id in NW + MORE:
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


async def state(services: Services, consultation_id: int) -> str:
    """The consultation's state as stored."""
    return await services.db.fetch_value(
        "SELECT state FROM consultations WHERE id = ?", (consultation_id,)
    )


async def count(services: Services, table: str, consultation_id: int) -> int:
    """Rows of a consultation's table."""
    return await services.db.fetch_value(
        f"SELECT COUNT(*) FROM {table} WHERE consultation_id = ?", (consultation_id,)
    )


async def delivery_rows(services: Services) -> int:
    """Every delivery row written."""
    return await services.db.fetch_value("SELECT COUNT(*) FROM deliveries")


async def test_opening_that_cannot_queue_stays_scheduled_and_the_next_sweep_asks_once(
    services: Services, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    wakes = watch_wakes(services.delivery, services.db)
    later = await services.consultations.create(
        CASEY, consultation_draft(clock, opens_at=clock.now() + timedelta(hours=1))
    )
    clock.advance(timedelta(hours=1))

    async with refusing(services.db, KIND_INVITE):
        assert await services.consultations.open_due() == []
    assert "could not be opened" in caplog.text
    assert await state(services, later.id) == "scheduled"
    assert await count(services, "consultation_invites", later.id) == 0
    assert await queued(services.db, KIND_INVITE) == []

    assert await services.consultations.open_due() == [later.id]  # the next sweep
    assert await services.consultations.open_due() == []
    assert await state(services, later.id) == "open"
    assert await queued(services.db, KIND_INVITE) == [sorted(NW + MORE)]
    assert await count(services, "consultation_invites", later.id) == 4
    assert wakes == [await delivery_rows(services)]  # woken once, after the commit


async def test_one_made_to_open_now_is_kept_scheduled_when_its_invitations_fail(
    services: Services, clock: Clock
) -> None:
    async with refusing(services.db, KIND_INVITE):
        created = await services.consultations.create(CASEY, consultation_draft(clock))
    assert created.state == "scheduled"  # stored; the sweep opens it
    await services.consultations.tick()
    assert await state(services, created.id) == "open"
    assert await queued(services.db, KIND_INVITE) == [sorted(NW + MORE)]


async def test_a_nudge_that_cannot_queue_stays_pending_and_goes_once(
    services: Services, clock: Clock
) -> None:
    opened = await services.consultations.create(CASEY, consultation_draft(clock))
    await services.consultations.vote(NW[0], opened.id, 0)
    clock.advance(timedelta(days=1))  # 24 hours before closing
    wakes = watch_wakes(services.delivery, services.db)

    async with refusing(services.db, KIND_NUDGE):
        assert await services.consultations.send_due_nudges() == []
    assert (await services.consultations.get(opened.id)).nudge_state == "pending"
    assert await queued(services.db, KIND_NUDGE) == []

    clock.advance(timedelta(minutes=1))
    assert await services.consultations.send_due_nudges() == [opened.id]
    assert await services.consultations.send_due_nudges() == []
    assert (await services.consultations.get(opened.id)).nudge_state == "sent"
    assert await queued(services.db, KIND_NUDGE) == [sorted([NW[1], *MORE])]
    assert wakes == [await delivery_rows(services)]


@pytest.mark.parametrize("kind", [KIND_RESULTS, KIND_MEMBER_RESULTS])
async def test_results_that_cannot_queue_are_all_queued_once_by_the_next_sweep(
    services: Services, clock: Clock, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    opened = await services.consultations.create(CASEY, consultation_draft(clock))
    for member_id in NW:
        await services.consultations.vote(member_id, opened.id, 0)

    async with refusing(services.db, kind):
        closed = await services.consultations.close_now(CASEY, opened.id)
    # Closing stands (counts kept); the pack is not marked sent and nothing of it is queued.
    assert closed.state == "closed" and not closed.results_sent
    assert "results not queued" in caplog.text
    assert await count(services, "consultation_result_places", opened.id) == 1
    assert await queued(services.db, KIND_RESULTS) == []
    assert await queued(services.db, KIND_MEMBER_RESULTS) == []

    wakes = watch_wakes(services.delivery, services.db)
    await services.consultations.close_due()  # the next sweep
    await services.consultations.close_due()
    assert (await services.consultations.get(opened.id)).results_sent
    pack = await queued(services.db, KIND_RESULTS)
    assert pack and all(part == [CASEY] for part in pack)
    assert await queued(services.db, KIND_MEMBER_RESULTS) == [sorted(NW)]
    assert wakes == [await delivery_rows(services)]


async def test_a_cancellation_that_cannot_queue_changes_nothing_and_a_retry_tells_once(
    services: Services, clock: Clock
) -> None:
    opened = await services.consultations.create(CASEY, consultation_draft(clock))
    await services.consultations.vote(NW[0], opened.id, 1)
    wakes = watch_wakes(services.delivery, services.db)

    async with refusing(services.db, KIND_CANCELLED):
        with pytest.raises(Exception, match="disk full"):
            await services.consultations.cancel(CASEY, opened.id)
    assert await state(services, opened.id) == "open"
    assert await count(services, "consultation_choices", opened.id) == 1  # answers kept
    assert await queued(services.db, KIND_CANCELLED) == []
    assert wakes == []

    assert await services.consultations.cancel(CASEY, opened.id) == 4
    assert await state(services, opened.id) == "cancelled"
    assert await count(services, "consultation_choices", opened.id) == 0
    assert await queued(services.db, KIND_CANCELLED) == [sorted(NW + MORE)]
    assert wakes == [await delivery_rows(services)]


async def test_a_follow_up_that_cannot_queue_is_not_kept_and_a_retry_sends_it_once(
    services: Services, clock: Clock
) -> None:
    opened = await services.consultations.create(CASEY, consultation_draft(clock))
    await services.consultations.close_now(CASEY, opened.id)
    before = await delivery_rows(services)
    wakes = watch_wakes(services.delivery, services.db)

    async with refusing(services.db, KIND_FOLLOWUP):
        with pytest.raises(Exception, match="disk full"):
            await services.consultations.follow_up(CASEY, opened.id, "We moved them.")
    assert await count(services, "consultation_followups", opened.id) == 0
    assert (
        await services.db.fetch_value(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'consultation.followup'"
        )
        == 0
    )

    assert await services.consultations.follow_up(CASEY, opened.id, "We moved them.") == 4
    assert await services.consultations.followups_for_member(NW[0], opened.id) == ["We moved them."]
    [sent] = await queued(services.db, KIND_FOLLOWUP)
    assert sent == sorted(NW + MORE)
    linked = await services.db.fetch_value(
        "SELECT broadcast_id FROM consultation_followups WHERE consultation_id = ?", (opened.id,)
    )
    assert linked is not None
    assert wakes == [before + 4]


async def closing_killed(folder: Path) -> None:
    """In a child process: close a consultation and die as its results pack is written."""
    clock = Clock(START)
    services = await build(folder, clock)
    opened = await services.consultations.create(CASEY, consultation_draft(clock))
    for member_id in NW:
        await services.consultations.vote(member_id, opened.id, 0)
    await arm_kill(services.db, KIND_RESULTS)
    await services.consultations.close_now(CASEY, opened.id)


@pytest.mark.timeout(120)
async def test_a_process_killed_while_queueing_results_sends_them_once_after_restart(
    tmp_path: Path,
) -> None:
    await killed_child(tmp_path, f"{__name__}:closing_killed")
    services = await build_services(
        make_settings(tmp_path, coordinator_ids=[CASEY]), Clock(START + timedelta(minutes=2))
    )
    try:
        [row] = await services.db.fetch_all("SELECT id, state, results_sent FROM consultations")
        assert (row["state"], row["results_sent"]) == ("closed", 0)
        assert await queued(services.db, KIND_RESULTS) == []
        await services.consultations.close_due()  # the sweep at start
        await services.consultations.close_due()
        pack = await queued(services.db, KIND_RESULTS)
        assert pack and all(part == [CASEY] for part in pack)
        assert await queued(services.db, KIND_MEMBER_RESULTS) == [sorted(NW)]
    finally:
        await services.db.close()
