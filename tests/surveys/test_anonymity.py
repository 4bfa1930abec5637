"""Anonymous surveys keep no link from answers to the person: a finished response has a random
id, no member and no time; only "finished" is kept against the person, for the nudge, and that
goes at closing. Searched the way someone with the database file would: every column of every
table."""

from __future__ import annotations

from datetime import timedelta

from storage.db import Database
from tests.surveys.service_world import (  # noqa: F401 (the world fixture)
    CASEY,
    NW,
    World,
    world_fixture,
)

WORDS = ["Kinder words at the desk", "A quiet room", "Evening hours", "Same worker", "Peer help"]


async def where_held(db: Database, values: set[int]) -> dict[str, set[int]]:
    """Every table holding any of these values in any column, with the values it holds."""
    found: dict[str, set[int]] = {}
    tables = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
    for table in (row["name"] for row in tables):
        for column in await db.fetch_all(f"PRAGMA table_info({table})"):
            rows = await db.fetch_all(f'SELECT "{column["name"]}" AS v FROM "{table}"')
            held = {row["v"] for row in rows} & values
            if held:
                found.setdefault(table, set()).update(held)
    return found


async def answer_all(world: World, survey_id: int) -> list[str]:
    """Each North West member answers, each in their own words; their withdraw tokens."""
    tokens = []
    for member, words in zip(NW, WORDS, strict=True):
        service = world.surveys
        await service.agree(member, survey_id)
        await service.press(member, survey_id, "used", "once")
        await service.tick(member, survey_id, "which", "phone")
        await service.done(member, survey_id, "which")
        await service.press(member, survey_id, "ease", "4")
        await service.typed(member, survey_id, "days", str(member % 100))
        done = await service.typed(member, survey_id, "idea", words)
        tokens.append(done.withdraw_token)
    return tokens


async def test_finished_answers_are_linked_to_nobody_and_nothing_is_left_at_closing(
    world: World,
) -> None:
    survey_id = await world.open_survey()
    broadcasts = await world.rows("broadcasts")
    audit = await world.rows("audit_log")
    tokens = await answer_all(world, survey_id)

    assert len(set(tokens)) == 5 and all(len(token) == 22 for token in tokens)
    rows = await world.db.fetch_all("SELECT id, member_id FROM survey_responses")
    assert sorted(row["id"] for row in rows) == sorted(tokens)
    assert all(row["member_id"] is None for row in rows)
    # Finishing wrote nothing else that could be matched: no message, no log line, no time.
    assert await world.rows("broadcasts") == broadcasts
    assert await world.rows("audit_log") == audit
    assert await world.rows("survey_progress") == 0
    members = set(NW)
    held = await where_held(world.db, members)
    assert set(held) == {"members", "deliveries", "survey_invites"}  # asked; and "finished"
    invites = await world.db.fetch_all("SELECT * FROM survey_invites")
    assert {tuple(row.keys()) for row in invites} == {
        ("survey_id", "member_id", "agreed", "finished")
    }
    # No answer sits in any table but the answers' own.
    texts = await where_text(world.db, WORDS)
    assert texts == {"survey_answers"}

    world.clock.advance(timedelta(days=3))
    await world.surveys.sweep()
    held = await where_held(world.db, members)
    assert set(held) == {"members", "deliveries"}  # the invitation sent; nothing of answers
    delivered_kinds = await world.db.fetch_all(
        "SELECT DISTINCT b.kind FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id "
        "WHERE d.recipient_id IN (?, ?, ?, ?, ?)",
        NW,
    )
    assert [row["kind"] for row in delivered_kinds] == ["survey_invite"]
    assert (await world.surveys.get(survey_id)).invited == 5
    assert len(await world.repo.responses(survey_id)) == 5
    # Nor does the write-ahead log still hold the finishes, one transaction each.
    log = world.db.path.with_name(world.db.path.name + "-wal").read_bytes()
    assert not any(token.encode() in log for token in tokens)


async def where_text(db: Database, words: list[str]) -> set[str]:
    """Tables holding any of these words inside any text column."""
    found = set()
    tables = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
    for table in (row["name"] for row in tables):
        for column in await db.fetch_all(f"PRAGMA table_info({table})"):
            rows = await db.fetch_all(f'SELECT "{column["name"]}" AS v FROM "{table}"')
            if any(isinstance(r["v"], str) and any(w in r["v"] for w in words) for r in rows):
                found.add(table)
    return found


async def test_withdrawing_needs_only_the_token_the_member_holds(world: World) -> None:
    survey_id = await world.open_survey()
    tokens = await answer_all(world, survey_id)
    assert await world.surveys.withdraw(NW[2], tokens[2])
    assert await where_text(world.db, [WORDS[2]]) == set()
    assert await where_text(world.db, [WORDS[3]]) == {"survey_answers"}
    assert len(await world.repo.responses(survey_id)) == 4


async def test_a_named_survey_keeps_the_member_with_their_answers(world: World) -> None:
    survey_id = await world.open_survey("named")
    await world.surveys.agree(NW[0], survey_id)
    await world.surveys.press(NW[0], survey_id, "used", "never")
    await world.surveys.skip(NW[0], survey_id, "days")
    await world.surveys.skip(NW[0], survey_id, "idea")
    await world.surveys.close_now(CASEY, survey_id)
    held = await where_held(world.db, {NW[0]})
    assert {"survey_responses", "survey_invites"} <= set(held)
