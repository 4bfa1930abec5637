"""The survey tables and repository on a real database: the shape of the tables (no times where
a time could be matched to a response), a step that fails writes nothing, finishing is one
transaction, invitations go only to members, and erasure takes everything linked to a person
while anonymous responses stay."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from storage.erasure import PERSON_COLUMNS, erase_person, everyone
from storage.surveys import FINISHED, NOT_FINISHED, Finish, Keep, Progress
from tests.surveys.service_world import (  # noqa: F401 (the world fixture)
    CASEY,
    DANA,
    NW,
    World,
    world_fixture,
)


async def columns(world: World, table: str) -> list[str]:
    """A table's column names."""
    return [row["name"] for row in await world.db.fetch_all(f"PRAGMA table_info({table})")]


async def test_responses_have_no_time_no_order_and_no_member_of_their_own(world: World) -> None:
    assert await columns(world, "survey_responses") == ["id", "survey_id", "member_id"]
    assert await columns(world, "survey_answers") == ["response_id", "question_id", "value"]
    assert await columns(world, "survey_invites") == [
        "survey_id",
        "member_id",
        "agreed",
        "finished",
    ]
    for table in ("survey_responses", "survey_answers"):
        with pytest.raises(sqlite3.OperationalError):  # WITHOUT ROWID: no insertion order
            await world.db.fetch_all(f"SELECT rowid FROM {table}")
    survey_columns = {
        (table, column) for table, column in PERSON_COLUMNS if table.startswith("survey")
    }
    assert survey_columns == {
        ("survey_responses", "member_id"),
        ("survey_progress", "member_id"),
        ("survey_invites", "member_id"),
        ("survey_readers", "telegram_id"),
        ("surveys", "created_by"),
    }


async def test_a_step_that_fails_writes_nothing(world: World) -> None:
    survey_id = await world.open_survey()

    def refuse(progress: Progress) -> Keep:
        raise ValueError("refused")

    with pytest.raises(ValueError):
        await world.repo.step(survey_id, NW[0], world.clock.now(), refuse)
    assert await world.rows("survey_progress") == 0
    assert not await world.db.fetch_value(
        "SELECT agreed FROM survey_invites WHERE member_id = ?", (NW[0],)
    )
    read, change = await world.repo.step(
        survey_id, NW[0], world.clock.now(), lambda progress: Keep(("used",), {"used": "once"})
    )
    assert read.open and read.invited and not read.agreed and change is not None
    again, _ = await world.repo.step(survey_id, NW[0], world.clock.now(), lambda p: None)
    assert again.agreed and again.path == ("used",) and again.answers == {"used": "once"}


async def test_finishing_is_one_transaction(world: World) -> None:
    survey_id = await world.open_survey()
    now = world.clock.now()
    for member in NW[:2]:
        await world.repo.step(survey_id, member, now, lambda p: Keep(("used",), {"used": "never"}))
    taken = Finish("same-id-for-both-xyz", None, {"used": "never"})
    await world.repo.step(survey_id, NW[0], now, lambda p: taken)
    with pytest.raises(sqlite3.IntegrityError):  # the second write fails half way
        await world.repo.step(survey_id, NW[1], now, lambda p: taken)
    rows = await world.db.fetch_all(
        "SELECT member_id, finished FROM survey_invites WHERE member_id IN (?, ?) "
        "ORDER BY member_id",
        NW[:2],
    )
    assert [(r["member_id"], r["finished"]) for r in rows] == [
        (NW[0], FINISHED),
        (NW[1], NOT_FINISHED),
    ]
    progress = await world.db.fetch_all("SELECT member_id FROM survey_progress")
    assert [row["member_id"] for row in progress] == [NW[1]]  # kept, to try again
    assert await world.rows("survey_answers") == 1


async def test_only_members_are_invited_and_only_once(world: World) -> None:
    later = world.clock.now() + timedelta(days=1)
    survey_id = await world.open_survey(opens_at=later, closes_at=later + timedelta(days=1))
    async with world.db.transaction() as tx:
        assert await world.repo.open(survey_id, [*NW, 123, NW[0]], world.clock.now(), tx)
    async with world.db.transaction() as tx:
        assert not await world.repo.open(survey_id, [DANA], world.clock.now(), tx)
    assert await world.repo.invited(survey_id) == NW


async def test_erasure_takes_what_is_linked_to_a_person_and_leaves_anonymous_answers(
    world: World,
) -> None:
    named = await world.open_survey("named")
    pulse = await world.open_survey()
    leaver = NW[0]
    for survey_id in (named, pulse):
        await world.surveys.agree(leaver, survey_id)
        await world.surveys.press(leaver, survey_id, "used", "never")
        await world.surveys.skip(leaver, survey_id, "days")
        await world.surveys.skip(leaver, survey_id, "idea")
    third = await world.open_survey()
    await world.surveys.agree(leaver, third)  # part way through another
    assert leaver in await everyone(world.db)
    assert DANA in await everyone(world.db)

    await erase_person(world.db, leaver)
    for table, column in PERSON_COLUMNS:
        if table.startswith("survey"):
            held = await world.db.fetch_value(
                f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (leaver,)
            )
            assert held == 0, table
    assert len(await world.repo.responses(named)) == 0  # named: gone with the person
    assert len(await world.repo.responses(pulse)) == 1  # anonymous: linked to nobody, stays
    assert await world.rows("survey_answers") == 3

    await erase_person(world.db, CASEY)
    assert (
        await world.db.fetch_value("SELECT COUNT(*) FROM surveys WHERE created_by IS NOT NULL") == 0
    )
    await erase_person(world.db, DANA)
    assert await world.rows("survey_readers") == 0
