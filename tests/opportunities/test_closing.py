"""Closing on time, on a real database with the clock moved on: once its closing date passes
the sweep closes an opportunity and tells the coordinator who posted it (or every coordinator
once they have gone) how many are interested and what to do next; taken once, even with two
sweeps at once, after a crash mid-close, or after a restart."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.delivery import Audience
from bot.services.opportunities import OpportunityDraft, OpportunityService
from storage.roles import RoleRepository
from tests.opportunities.conftest import CASEY, MIDLANDS, NW_1, NW_2, ROBIN, World

A, B = NW_1
NOTICE = "opportunity_closed_on_time"


async def post(world: World, days: int = 3, **changes: object) -> int:
    """A research opportunity for everyone, closing at the end of the day ``days`` from now."""
    draft = OpportunityDraft(
        kind="research",
        title="Peer <research> on housing",
        involves="Interviews with people who use services.",
        gives="£20 an hour",
        time_needed="Two days",
        place="Online",
        closes_at=world.service.closing_in(days),
        places=None,
        audience=Audience("everyone"),
        paid=False,
    )
    return (await world.service.create(CASEY, replace(draft, **changes))).opportunity.id


async def state(world: World, opportunity_id: int) -> str:
    """The opportunity's state in the database."""
    found = await world.repo.get(opportunity_id)
    assert found is not None
    return found.state


async def test_nothing_closes_before_its_closing_date(world: World) -> None:
    opp = await post(world, days=3)
    world.clock.advance(timedelta(days=2))
    assert await world.service.sweep() == 0
    assert await state(world, opp) == "open"
    assert await world.queued(NOTICE) == []


async def test_the_poster_is_told_how_many_are_waiting_and_to_choose_people(
    world: World,
) -> None:
    opp = await post(world, days=3)
    for member in (A, B, NW_2):
        await world.service.interested(member, opp, None)
    await world.service.tell(CASEY, opp, {A: True})
    await world.service.withdraw(B, opp)
    world.clock.advance(timedelta(days=4))

    assert await world.service.sweep() == 1

    assert await state(world, opp) == "closed"
    (notice,) = await world.queued(NOTICE)
    assert notice["to"] == [CASEY]
    assert "Peer &lt;research&gt; on housing</b> has closed" in notice["text"]
    assert "1 person is interested and waiting to hear." in notice["text"]
    assert "1 person has a place already." in notice["text"]
    assert "Next step: choose people." in notice["text"]
    # The coordinator's list now reads it as closed; members no longer see it.
    (running,) = await world.service.running(CASEY)
    assert not running.open_now
    assert await world.service.for_member(MIDLANDS) == []
    entry = await world.db.fetch_one(
        "SELECT actor_id, detail FROM audit_log WHERE action = 'opportunity.closed'"
    )
    assert entry["actor_id"] is None
    assert entry["detail"] == f"opportunity {opp}: deadline, 1 waiting, 1 chosen"


async def test_nobody_interested_or_everyone_told_each_get_their_next_step(
    world: World,
) -> None:
    await post(world, days=1, title="Quiet one")
    told = await post(world, days=1, title="All told")
    await world.service.interested(A, told, None)
    await world.service.tell(CASEY, told, {A: True})
    world.clock.advance(timedelta(days=2))

    assert await world.service.sweep() == 2

    by_title = {("Quiet one" in n["text"]): n["text"] for n in await world.queued(NOTICE)}
    assert "Nobody said they were interested this time." in by_title[True]
    assert "post it again with /newopportunity" in by_title[True]
    assert "1 person has a place already." in by_title[False]
    assert "Record what happened" in by_title[False]
    assert "waiting to hear" not in by_title[False]


async def test_every_coordinator_is_told_once_the_poster_has_gone(world: World) -> None:
    opp = await post(world, days=1)
    await world.service.interested(A, opp, "Free on Mondays")
    await RoleRepository(world.db).revoke(CASEY, "coordinator")
    world.clock.advance(timedelta(days=2))
    await world.service.sweep()
    (notice,) = await world.queued(NOTICE)
    assert notice["to"] == [ROBIN]


async def test_closed_early_cancelled_and_ended_ones_are_left_alone(world: World) -> None:
    early = await post(world, days=1)
    cancelled = await post(world, days=1)
    await world.service.close_early(CASEY, early)
    await world.service.cancel(CASEY, cancelled)
    world.clock.advance(timedelta(days=2))
    assert await world.service.sweep() == 0
    assert (await state(world, early), await state(world, cancelled)) == ("closed", "cancelled")
    assert await world.queued(NOTICE) == []


async def test_two_sweeps_at_once_and_sweeps_after_tell_only_once(world: World) -> None:
    opp = await post(world, days=1)
    await world.service.interested(A, opp, None)
    world.clock.advance(timedelta(days=2))

    closed = await asyncio.gather(world.service.sweep(), world.service.sweep())

    assert sorted(closed) == [0, 1]
    assert await world.service.sweep() == 0
    assert len(await world.queued(NOTICE)) == 1
    actions = await world.db.fetch_value(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'opportunity.closed'"
    )
    assert actions == 1


async def test_a_crash_mid_close_keeps_nothing_and_the_next_sweep_tells_once(
    world: World,
) -> None:
    opp = await post(world, days=1)
    await world.service.interested(A, opp, None)
    world.clock.advance(timedelta(days=2))
    real = world.service.messages

    class Broken:
        """A renderer that fails while the close is being written."""

        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

        def closed_on_time(self, *args: object) -> object:
            raise RuntimeError("the process died here")

    world.service.messages = Broken()  # type: ignore[assignment]
    with pytest.raises(RuntimeError):
        await world.service.sweep()
    assert await state(world, opp) == "open"  # nothing half done
    assert await world.queued(NOTICE) == []

    # The bot starts again: a new service on the same database closes it, once.
    again = OpportunityService.sharing(world.service, messages=real)
    assert await again.sweep() == 1
    assert await again.sweep() == 0
    assert await state(world, opp) == "closed"
    (notice,) = await world.queued(NOTICE)
    assert "1 person is interested" in notice["text"]
