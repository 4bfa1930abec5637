"""A member's stage from each kind of recorded fact, on real SQLite, dated by the fact; nothing
is guessed (interest, a place offered, or an outcome that did not go ahead counts for nothing)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services.progression.figures import member_stages
from tests.progression.conftest import (
    NOW,
    World,
    add_member,
    answered_consultation,
    answered_survey,
    attended,
    contribution,
    interest,
    invited_only,
    opportunity,
    outcome,
)

SAM = 600_000_001
JOINED = NOW - timedelta(days=300)
KEYS = ["joined", "took_part", "contributed", "volunteering", "training", "paid", "work"]


async def stages_of(world: World, member_id: int = SAM) -> dict[str, datetime]:
    """Each stage the member reached, by key, with the day first reached."""
    facts = await world.service.rows.facts(world.clock.now(), world.service.stages.fact_ranks())
    reached = member_stages(world.service.stages, facts)[member_id]
    return {KEYS[rank]: datetime.fromisoformat(when) for rank, when in reached.items()}


async def test_a_member_who_only_joined_is_at_joined(world: World) -> None:
    await add_member(world.db, SAM, JOINED)
    assert await stages_of(world) == {"joined": JOINED}


async def test_coming_to_a_meeting_is_taking_part_dated_by_the_meeting(world: World) -> None:
    await add_member(world.db, SAM, JOINED)
    first = NOW - timedelta(days=100)
    await attended(world.db, [SAM], NOW - timedelta(days=50))
    await attended(world.db, [SAM], first)
    assert (await stages_of(world))["took_part"] == first


async def test_saying_going_but_not_marked_as_came_is_not_taking_part(world: World) -> None:
    await add_member(world.db, SAM, JOINED)
    await attended(world.db, [SAM], NOW - timedelta(days=50), came=False)
    assert await stages_of(world) == {"joined": JOINED}


async def test_a_consultation_answer_is_dated_by_its_time_else_the_closing(world: World) -> None:
    await add_member(world.db, SAM, JOINED)
    answered_at = NOW - timedelta(days=40)
    await answered_consultation(world.db, SAM, NOW - timedelta(days=30), answered_at)
    assert (await stages_of(world))["took_part"] == answered_at
    other = 600_000_002
    await add_member(world.db, other, JOINED)
    closes = NOW - timedelta(days=20)
    await answered_consultation(world.db, other, closes, None)  # choices kept, no time
    assert (await stages_of(world, other))["took_part"] == closes


async def test_being_asked_without_answering_is_not_taking_part(world: World) -> None:
    await add_member(world.db, SAM, JOINED)
    await invited_only(world.db, SAM, NOW - timedelta(days=20))
    assert await stages_of(world) == {"joined": JOINED}


async def test_a_survey_answered_is_taking_part_dated_by_its_closing(world: World) -> None:
    await add_member(world.db, SAM, JOINED)
    closes = NOW - timedelta(days=10)
    await answered_survey(world.db, SAM, closes)
    assert (await stages_of(world))["took_part"] == closes
    # An anonymous survey still open: its finished invitation counts, dated now at the latest.
    other = 600_000_002
    await add_member(world.db, other, JOINED)
    await answered_survey(world.db, other, NOW + timedelta(days=5), anonymous=True)
    assert (await stages_of(world, other))["took_part"] == NOW


async def test_a_recorded_contribution_is_contributing_dated_by_when_it_happened(
    world: World,
) -> None:
    await add_member(world.db, SAM, JOINED)
    happened = NOW - timedelta(days=60)
    await contribution(world.db, SAM, "meeting_role", happened)
    assert (await stages_of(world))["contributed"] == happened


async def test_speaking_or_research_taken_part_in_is_contributing(world: World) -> None:
    await add_member(world.db, SAM, JOINED)
    talk = await opportunity(world.db, "speaking", NOW - timedelta(days=90))
    recorded = NOW - timedelta(days=70)
    await outcome(world.db, talk, SAM, "took_part", recorded)
    assert await stages_of(world) == {"joined": JOINED, "contributed": recorded}


async def test_each_opportunity_kind_reaches_its_stage_from_its_outcome(world: World) -> None:
    cases = [
        ("volunteering", "took_part", "volunteering"),
        ("mentoring", "completed", "volunteering"),
        ("training", "completed", "training"),
        ("paid", "took_part", "paid"),
        ("job", "completed", "work"),
        ("research", "completed", "contributed"),
    ]
    for number, (kind, result, stage) in enumerate(cases):
        member = 600_000_100 + number
        await add_member(world.db, member, JOINED)
        found = await opportunity(world.db, kind, NOW - timedelta(days=90))
        await outcome(world.db, found, member, result, NOW - timedelta(days=80))
        reached = await stages_of(world, member)
        assert max(reached, key=KEYS.index) == stage, (kind, result)


async def test_interest_or_being_chosen_without_an_outcome_changes_nothing(world: World) -> None:
    await add_member(world.db, SAM, JOINED)
    job = await opportunity(world.db, "job", NOW - timedelta(days=30), state="open")
    await interest(world.db, job, SAM, "chosen")
    panel = await opportunity(world.db, "paid", NOW - timedelta(days=30))
    await interest(world.db, panel, SAM, "chosen")
    await outcome(world.db, panel, SAM, "did_not_go_ahead", NOW - timedelta(days=2))
    training = await opportunity(world.db, "training", NOW - timedelta(days=30))
    await outcome(world.db, training, SAM, "took_part", NOW - timedelta(days=2))  # not completed
    assert await stages_of(world) == {"joined": JOINED}


async def test_the_stage_now_is_the_highest_reached_whatever_the_order(world: World) -> None:
    await add_member(world.db, SAM, JOINED)
    job = await opportunity(world.db, "job", NOW - timedelta(days=200))
    await outcome(world.db, job, SAM, "took_part", NOW - timedelta(days=150))
    await attended(world.db, [SAM], NOW - timedelta(days=10))  # later, and lower
    reached = await stages_of(world)
    assert max(reached, key=KEYS.index) == "work"
    assert set(reached) == {"joined", "took_part", "work"}


async def test_someone_who_has_left_leaves_no_facts_behind(world: World) -> None:
    # Facts of a person no longer a member (erased rows elsewhere) are never counted.
    await contribution(world.db, 600_000_999, "other", NOW - timedelta(days=5))
    facts = await world.service.rows.facts(NOW, world.service.stages.fact_ranks())
    assert 600_000_999 not in member_stages(world.service.stages, facts)
