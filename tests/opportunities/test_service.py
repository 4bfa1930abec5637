"""The opportunity service on a real database: who hears about one (kind defaults, choices,
place, pauses), interest and taking it back, choosing (everyone told kindly either way),
outcomes, closing and calling off, roles, and bad input refused with nothing lost."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.delivery import Audience
from bot.services.errors import InvalidChoice, NotAllowed, NotAMember
from bot.services.opportunities import OpportunityDraft
from bot.services.opportunities.rules import (
    NoteTooLong,
    NothingToTell,
    OpportunityClosed,
    OpportunityFull,
    OpportunityGone,
    OpportunityInvalid,
    TooManyChosen,
)
from bot.services.times import TimePassed, TimeTooFar, TimeUnclear
from storage.roles import RoleRepository
from tests.opportunities.conftest import CASEY, MIDLANDS, NW_1, NW_2, PAUSED, ROBIN, World

A, B = NW_1


def draft(world: World, **changes: object) -> OpportunityDraft:
    """A speaking opportunity for the whole forum, two places, closing in a week."""
    base = OpportunityDraft(
        kind="speaking",
        title="Speak at the <Leeds> conference",
        involves="A ten-minute talk about the forum.",
        gives="Travel paid and a £50 voucher",
        time_needed="One afternoon",
        place="Leeds",
        closes_at=world.service.closing_in(7),
        places=2,
        audience=Audience("everyone"),
        paid=False,
    )
    return replace(base, **changes)


async def test_a_forum_activity_reaches_everyone_in_place_who_is_not_paused(world: World) -> None:
    created = await world.service.create(CASEY, draft(world))
    offers = await world.queued("opportunity")
    assert offers[0]["to"] == sorted([A, B, NW_2, MIDLANDS])  # the paused member is left out
    assert PAUSED not in offers[0]["to"]
    assert created.told == 4
    assert "Speak at the &lt;Leeds&gt; conference" in offers[0]["text"]  # escaped
    entries = await world.db.fetch_all("SELECT action FROM audit_log WHERE actor_id = ?", (CASEY,))
    assert "opportunity.created" in [e["action"] for e in entries]


async def test_kinds_off_by_default_reach_only_those_who_turned_them_on(world: World) -> None:
    await world.service.toggle_kind(B, "volunteering")  # on
    await world.service.toggle_kind(A, "speaking")  # a default turned off
    kinds = dict(await world.service.kinds_for(A))
    assert kinds == {
        "volunteering": False,
        "mentoring": False,
        "training": False,
        "paid": True,
        "job": False,
        "speaking": False,
        "research": True,
    }
    await world.service.create(CASEY, draft(world, kind="volunteering"))
    await world.service.create(CASEY, draft(world, kind="speaking"))
    volunteering, speaking = await world.queued("opportunity")
    assert volunteering["to"] == [B]
    assert A not in speaking["to"] and B in speaking["to"]


async def test_a_hub_or_region_opportunity_reaches_only_that_place(world: World) -> None:
    await world.service.create(CASEY, draft(world, audience=Audience("hub", "nw_hub_2")))
    await world.service.create(CASEY, draft(world, audience=Audience("region", "north_west")))
    hub, region = await world.queued("opportunity")
    assert hub["to"] == [NW_2]
    assert region["to"] == sorted([A, B, NW_2])
    assert await world.service.reach(CASEY, "speaking", Audience("region", "midlands")) == 1


async def test_the_paid_note_and_benefits_advice_come_with_a_paid_one(world: World) -> None:
    await world.service.create(CASEY, draft(world, kind="paid", paid=True))
    await world.service.create(CASEY, draft(world, kind="research", paid=False))
    paid, unpaid = await world.queued("opportunity")
    assert "Payments can affect benefits" in paid["text"] and "Turn2us" in paid["text"]
    assert "Payments can affect benefits" not in unpaid["text"]


async def test_only_coordinators_post_and_bad_drafts_are_refused_with_nothing_kept(
    world: World,
) -> None:
    with pytest.raises(NotAllowed):
        await world.service.create(A, draft(world))
    bad = [
        draft(world, title=" "),
        draft(world, title="x" * 101),
        draft(world, involves="y" * 801),
        draft(world, kind="juggling"),
        draft(world, kind="paid", paid=False),
        draft(world, places=0),
        draft(world, closes_at=world.clock.now() - timedelta(hours=1)),
    ]
    for one in bad:
        with pytest.raises(OpportunityInvalid):
            await world.service.create(CASEY, one)
    with pytest.raises(InvalidChoice):
        await world.service.create(CASEY, draft(world, audience=Audience("hub", "atlantis")))
    assert await world.db.fetch_value("SELECT COUNT(*) FROM opportunities") == 0
    assert await world.db.fetch_value("SELECT COUNT(*) FROM broadcasts") == 0
    refused = await world.db.fetch_value(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'refused' AND actor_id = ?", (A,)
    )
    assert refused == 1


async def test_closing_dates_are_read_kindly(world: World) -> None:
    service = world.service
    closes = service.read_closing("24/12/2026")
    assert closes.astimezone(service.zone).strftime("%d/%m %H:%M") == "24/12 23:59"
    assert service.read_closing("friday 5pm").astimezone(service.zone).hour == 17
    for text, refusal in (
        ("1/12/2026", TimePassed),
        ("25/12/2028", TimeTooFar),
        ("whenever", TimeUnclear),
        ("x" * 200, TimeUnclear),
    ):
        with pytest.raises(refusal):
            service.read_closing(text)


async def test_interest_tells_the_poster_and_withdrawing_tells_them_too(world: World) -> None:
    created = await world.service.create(CASEY, draft(world))
    opp = created.opportunity.id
    assert await world.service.interested(A, opp, "  Free on <Mondays>  ")
    assert not await world.service.interested(A, opp, None)  # said already: nothing again
    (notice,) = await world.queued("opportunity_interest")
    assert notice["to"] == [CASEY]
    assert "Free on &lt;Mondays&gt;" in notice["text"] and "M1" in notice["text"]
    assert notice["audience"] == f"member:{A}"
    mine = await world.service.for_member(A)
    assert mine[0].interest == "interested"

    await world.service.withdraw(A, opp)
    (told,) = await world.queued("opportunity_withdrawn")
    assert told["to"] == [CASEY]
    with pytest.raises(InvalidChoice):
        await world.service.withdraw(A, opp)  # nothing left to take back
    assert await world.service.interested(A, opp, None)  # again, after taking it back
    assert len(await world.queued("opportunity_interest")) == 2


async def test_interest_goes_to_every_coordinator_once_the_poster_has_gone(world: World) -> None:
    created = await world.service.create(CASEY, draft(world))
    await RoleRepository(world.db).revoke(CASEY, "coordinator")  # Casey left the team
    await world.service.interested(A, created.opportunity.id, None)
    (notice,) = await world.queued("opportunity_interest")
    assert notice["to"] == [ROBIN]


async def test_a_note_too_long_or_a_stranger_is_refused_and_nothing_is_lost(world: World) -> None:
    created = await world.service.create(CASEY, draft(world, audience=Audience("hub", "nw_hub_1")))
    opp = created.opportunity.id
    with pytest.raises(NoteTooLong):
        await world.service.interested(A, opp, "n" * 301)
    with pytest.raises(OpportunityGone):
        await world.service.interested(MIDLANDS, opp, None)  # not theirs to see
    with pytest.raises(OpportunityGone):
        await world.service.interested(A, 999, None)
    with pytest.raises(NotAMember):
        await world.service.interested(123, opp, None)
    assert await world.db.fetch_value("SELECT COUNT(*) FROM opportunity_interest") == 0
    assert await world.service.interested(A, opp, "n" * 300)


async def test_choosing_tells_each_person_kindly_either_way(world: World) -> None:
    first = await world.service.create(CASEY, draft(world, places=1))
    opp = first.opportunity.id
    for member in (A, B, NW_2):
        await world.service.interested(member, opp, None)
    with pytest.raises(NotAllowed):
        await world.service.tell(A, opp, {A: True})
    with pytest.raises(TooManyChosen):
        await world.service.tell(CASEY, opp, {A: True, B: True})
    with pytest.raises(NothingToTell):
        await world.service.tell(CASEY, opp, {})
    assert await world.queued("opportunity_chosen") == []  # nothing half done

    # Another open one B can see; NW_2's hub has none.
    await world.service.create(CASEY, draft(world, audience=Audience("hub", "nw_hub_1")))
    told = await world.service.tell(CASEY, opp, {A: True, B: False, NW_2: False})
    assert (told.chosen, told.not_chosen) == (1, 2)
    (chosen,) = await world.queued("opportunity_chosen")
    assert chosen["to"] == [A] and "Good news" in chosen["text"]
    not_chosen = await world.queued("opportunity_not_chosen")
    by_person = {item["to"][0]: item["text"] for item in not_chosen}
    assert "other opportunities open now" in by_person[B]
    assert "We will tell you about the next one" in by_person[NW_2]
    # A press delivered again tells nobody twice.
    with pytest.raises(NothingToTell):
        await world.service.tell(CASEY, opp, {A: True, B: False})

    # Every place is filled and chosen: interest is refused kindly.
    await world.service.create(CASEY, draft(world))
    with pytest.raises(OpportunityFull):
        await world.service.interested(MIDLANDS, opp, None)


async def test_outcomes_are_recorded_for_chosen_people_and_end_it(world: World) -> None:
    created = await world.service.create(CASEY, draft(world))
    opp = created.opportunity.id
    await world.service.interested(A, opp, None)
    await world.service.interested(B, opp, None)
    await world.service.tell(CASEY, opp, {A: True, B: True})
    with pytest.raises(InvalidChoice):
        await world.service.record_outcome(CASEY, opp, NW_2, "completed")  # not chosen
    with pytest.raises(InvalidChoice):
        await world.service.record_outcome(CASEY, opp, A, "won_a_prize")
    with pytest.raises(NotAllowed):
        await world.service.record_outcome(A, opp, A, "completed")
    assert not await world.service.record_outcome(CASEY, opp, A, "took_part")  # still open
    await world.service.close_early(CASEY, opp)
    assert await world.service.record_outcome(CASEY, opp, B, "did_not_go_ahead")
    assert (await world.repo.get(opp)).state == "ended"
    outcomes = await world.service.member_outcomes(A)
    assert [(o.kind, o.title, o.outcome) for o in outcomes] == [
        ("speaking", "Speak at the <Leeds> conference", "took_part")
    ]
    assert outcomes[0].recorded_at == world.clock.now()


async def test_closing_early_and_calling_off_tell_people_and_refuse_interest(
    world: World,
) -> None:
    one = (await world.service.create(CASEY, draft(world))).opportunity.id
    two = (await world.service.create(CASEY, draft(world))).opportunity.id
    await world.service.interested(A, one, None)
    await world.service.interested(A, two, None)
    await world.service.interested(B, two, None)
    await world.service.tell(CASEY, two, {B: True})
    assert await world.service.close_early(CASEY, one) == 1
    (closed,) = await world.queued("opportunity_closed")
    assert closed["to"] == [A]
    with pytest.raises(OpportunityClosed):
        await world.service.interested(B, one, None)
    with pytest.raises(OpportunityClosed):
        await world.service.close_early(CASEY, one)  # once
    assert await world.service.cancel(CASEY, two) == 2
    (cancelled,) = await world.queued("opportunity_cancelled")
    assert cancelled["to"] == [A, B]
    assert [item.opportunity.id for item in await world.service.running(CASEY)] == [one]
    assert await world.service.for_member(A) == []  # neither is open any more


async def test_interest_closes_on_the_closing_date(world: World) -> None:
    created = await world.service.create(CASEY, draft(world))
    world.clock.advance(timedelta(days=8))
    with pytest.raises(OpportunityClosed):
        await world.service.interested(A, created.opportunity.id, None)
    assert await world.service.for_member(A) == []


async def test_a_members_list_puts_theirs_first_then_hub_region_everyone(world: World) -> None:
    service = world.service
    everyone_old = (await service.create(CASEY, draft(world, title="old all"))).opportunity.id
    world.clock.advance(timedelta(minutes=1))
    region = (
        await service.create(
            CASEY, draft(world, title="r", audience=Audience("region", "north_west"))
        )
    ).opportunity.id
    world.clock.advance(timedelta(minutes=1))
    hub = (
        await service.create(CASEY, draft(world, title="h", audience=Audience("hub", "nw_hub_1")))
    ).opportunity.id
    world.clock.advance(timedelta(minutes=1))
    everyone_new = (await service.create(CASEY, draft(world, title="new all"))).opportunity.id
    other_hub = (
        await service.create(CASEY, draft(world, title="x", audience=Audience("hub", "nw_hub_2")))
    ).opportunity.id
    await service.interested(A, everyone_old, None)
    order = [item.opportunity.id for item in await service.for_member(A)]
    assert order == [everyone_old, hub, region, everyone_new]
    assert other_hub not in order


async def test_member_data_and_erasure(world: World) -> None:
    from storage.erasure import erase_person

    opp = (await world.service.create(CASEY, draft(world))).opportunity.id
    await world.service.toggle_kind(A, "job")
    await world.service.interested(A, opp, "a note")
    await world.service.tell(CASEY, opp, {A: True})
    await world.service.record_outcome(CASEY, opp, A, "completed")
    data = await world.service.member_data(A)
    assert data["interest"][0]["state"] == "chosen" and data["interest"][0]["note"] == "a note"
    assert data["outcomes"][0]["outcome"] == "completed"
    assert data["kinds_chosen"] == {"job": True}

    await erase_person(world.db, A, remember=False)
    assert await world.service.member_data(A) == {
        "interest": [],
        "outcomes": [],
        "kinds_chosen": {},
    }
    assert await world.queued("opportunity_interest") == []  # the notice naming them went too
    await erase_person(world.db, CASEY, remember=False)
    assert await world.db.fetch_value("SELECT created_by FROM opportunities") is None
