"""The series service on a real database: a round made once (two sweeps, a restart), on time in
UK time across the clock changes, pause and resume, stop, changes that touch only the next
round, decision-makers, who may do it, and the audit rows /audit reads."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.services.consultations.errors import OptionCount
from bot.services.errors import InvalidChoice, NotAllowed
from bot.services.series import PAUSED, STOPPED, SeriesGone, SeriesStopped
from bot.services.series.rules import WEEK
from storage.db import Database
from tests.series.world import CASEY, DANA, FIRST_MONDAY, LONDON, NW, World, build_world

MONDAY_4_JAN_10 = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)  # GMT: UTC and UK time agree


async def test_a_series_waits_for_its_first_round_and_makes_it_once(world: World) -> None:
    """Set up on Thursday 10 December: nothing is made until Monday 4 January at 10:00; then
    one round, opened at once, closing a week later at 10:00; more sweeps make nothing more."""
    created = await world.series.start_consultation(CASEY, world.poll(), FIRST_MONDAY)
    assert created.next_opens_at == MONDAY_4_JAN_10
    assert created.rounds == 0
    assert await world.series.sweep() == []
    world.clock.set(MONDAY_4_JAN_10 - timedelta(seconds=1))
    assert await world.series.sweep() == []
    world.clock.set(MONDAY_4_JAN_10)
    made = await world.series.sweep()
    assert len(made) == 1
    again = await asyncio.gather(world.series.sweep(), world.series.sweep())
    assert again == [[], []]
    assert await world.rebuilt(world.db.path.parent).sweep() == []  # after a restart too
    rounds = await world.rounds()
    assert [(r["series_round"], r["state"]) for r in rounds] == [(1, "open")]
    assert rounds[0]["opens_at"] == "2027-01-04T10:00:00+00:00"
    assert rounds[0]["closes_at"] == "2027-01-11T10:00:00+00:00"
    consultation = await world.consultations.get(made[0])
    assert consultation.question == "How easy was it to get help this month?"
    assert consultation.options == ("Easy", "Hard", "Not sure")
    record = await world.series.get(CASEY, created.id)
    assert record.rounds == 1
    assert record.next_opens_at == datetime(2027, 2, 1, 10, 0, tzinfo=UTC)
    assert record.open_round is not None and record.open_round.round == 1


async def test_a_round_the_unique_index_has_seen_is_never_made_twice(world: World) -> None:
    """Even if the round count were wrong, the database refuses a second round 1: the
    transaction fails and the series does not move."""
    created = await world.series.start_consultation(CASEY, world.poll(), FIRST_MONDAY)
    world.clock.set(MONDAY_4_JAN_10)
    await world.series.sweep()
    async with world.db.transaction() as tx:  # as if a crash had lost the count
        await tx.execute(
            "UPDATE series SET rounds = 0, next_opens_at = ?", ("2027-01-04T10:00:00+00:00",)
        )
    assert await world.series.sweep() == []
    assert len(await world.rounds()) == 1
    row = await world.db.fetch_one("SELECT rounds FROM series WHERE id = ?", (created.id,))
    assert row["rounds"] == 0


async def test_rounds_open_at_ten_uk_time_across_both_clock_changes(world: World) -> None:
    """Monthly rounds from January to December 2027 each open at 10:00 UK time: 10:00 UTC in
    winter, 09:00 UTC in summer (March and November either side of the changes)."""
    await world.series.start_consultation(CASEY, world.poll(), FIRST_MONDAY)
    moment = datetime(2027, 1, 1, tzinfo=UTC)
    while moment < datetime(2027, 12, 31, tzinfo=UTC):
        moment += timedelta(hours=6)
        world.clock.set(moment)
        await world.series.sweep()
    rounds = await world.rounds()
    assert len(rounds) == 12
    for item in rounds:
        opens = datetime.fromisoformat(item["opens_at"]).astimezone(LONDON)
        closes = datetime.fromisoformat(item["closes_at"]).astimezone(LONDON)
        assert (opens.weekday(), opens.day <= 7, opens.hour, opens.minute) == (0, True, 10, 0)
        assert (closes - opens).days in (6, 7) and closes.hour == 10
    by_month = {datetime.fromisoformat(r["opens_at"]).month: r["opens_at"] for r in rounds}
    assert by_month[3] == "2027-03-01T10:00:00+00:00"  # before the March change
    assert by_month[4] == "2027-04-05T09:00:00+00:00"  # summer time
    assert by_month[10] == "2027-10-04T09:00:00+00:00"
    assert by_month[11] == "2027-11-01T10:00:00+00:00"  # after the October change


async def test_a_round_missed_while_the_bot_was_down(world: World) -> None:
    """Down from before the first Monday until the Friday after: under half the week is left,
    so that round is skipped and the next comes as usual; down until the Wednesday after the
    next one: over half is left, so it is made late, opens at once and closes on time."""
    created = await world.series.start_consultation(CASEY, world.poll(), FIRST_MONDAY)
    world.clock.set(datetime(2027, 1, 8, 12, 0, tzinfo=UTC))  # Friday: 3 days 22 hours left
    assert len(await world.series.sweep()) == 0  # under half left: skipped
    record = await world.series.get(CASEY, created.id)
    assert record.rounds == 0
    assert record.next_opens_at == datetime(2027, 2, 1, 10, 0, tzinfo=UTC)
    world.clock.set(datetime(2027, 2, 3, 9, 0, tzinfo=UTC))  # Wednesday: over half left
    made = await world.series.sweep()
    assert len(made) == 1
    rounds = await world.rounds()
    assert rounds[0]["opens_at"] == "2027-02-01T10:00:00+00:00"
    assert rounds[0]["closes_at"] == "2027-02-08T10:00:00+00:00"
    assert rounds[0]["state"] == "open"


async def test_pause_stops_new_rounds_and_resume_starts_from_the_next_date(world: World) -> None:
    """Paused over February's date: no round; resumed in mid-February: March's round, not a
    late February one."""
    created = await world.series.start_consultation(CASEY, world.poll(), FIRST_MONDAY)
    world.clock.set(MONDAY_4_JAN_10)
    await world.series.sweep()
    paused = await world.series.pause(CASEY, created.id)
    assert paused.state == PAUSED
    assert (await world.series.pause(CASEY, created.id)).state == PAUSED  # twice: no change
    world.clock.set(datetime(2027, 2, 1, 10, 0, tzinfo=UTC))
    assert await world.series.sweep() == []
    world.clock.set(datetime(2027, 2, 15, 12, 0, tzinfo=UTC))
    resumed = await world.series.resume(CASEY, created.id)
    assert resumed.next_opens_at == datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
    world.clock.set(datetime(2027, 3, 1, 10, 0, tzinfo=UTC))
    await world.series.sweep()
    assert [r["series_round"] for r in await world.rounds()] == [1, 2]
    audit = [action for _, action, _ in await world.audit()]
    assert audit == [
        "series.created",
        "series.round",
        "series.paused",
        "series.resumed",
        "series.round",
    ]


async def test_stop_ends_the_series_and_leaves_the_open_round_alone(world: World) -> None:
    """Stopped while round 1 is open: round 1 stays open until its closing; no more rounds;
    nothing about the series can change any more."""
    created = await world.series.start_consultation(CASEY, world.poll(), FIRST_MONDAY)
    world.clock.set(MONDAY_4_JAN_10)
    await world.series.sweep()
    stopped = await world.series.stop(CASEY, created.id)
    assert stopped.state == STOPPED
    assert stopped.next_opens_at is None
    assert [r["state"] for r in await world.rounds()] == ["open"]
    world.clock.set(datetime(2027, 3, 2, tzinfo=UTC))
    await world.series.sweep()
    await world.consultations.tick()
    assert [r["state"] for r in await world.rounds()] == ["closed"]
    for change in (world.series.pause, world.series.resume, world.series.stop):
        with pytest.raises(SeriesStopped):
            await change(CASEY, created.id)
    with pytest.raises(SeriesStopped):
        await world.series.change_rule(CASEY, created.id, FIRST_MONDAY)


async def test_a_change_affects_the_next_round_only(world: World) -> None:
    """Round 1 is open (closing 11 January at 10:00); the rule changes to every Tuesday at
    09:30 for 3 days: round 1 keeps its times, round 2 opens Tuesday 5 January at 09:30."""
    created = await world.series.start_consultation(CASEY, world.poll(), FIRST_MONDAY)
    world.clock.set(MONDAY_4_JAN_10)
    await world.series.sweep()
    weekly = FIRST_MONDAY.with_changes(
        every=WEEK, week=None, weekday=1, clock=time(9, 30), open_days=3
    )
    changed = await world.series.change_rule(CASEY, created.id, weekly)
    assert changed.rule == weekly
    assert changed.next_opens_at == datetime(2027, 1, 5, 9, 30, tzinfo=UTC)
    world.clock.set(datetime(2027, 1, 5, 9, 30, tzinfo=UTC))
    await world.series.sweep()
    rounds = await world.rounds()
    assert [(r["opens_at"], r["closes_at"]) for r in rounds] == [
        ("2027-01-04T10:00:00+00:00", "2027-01-11T10:00:00+00:00"),
        ("2027-01-05T09:30:00+00:00", "2027-01-08T09:30:00+00:00"),
    ]
    audit = await world.audit("series.changed")
    assert audit == [(CASEY, "series.changed", f"series {created.id}, next 2027-01-05T09:30+00:00")]


async def test_decision_makers_change_from_the_next_round(world: World) -> None:
    """Round 1 was made with Dana as a reader; Dana taken off: round 2 has none, round 1
    keeps Dana. Someone who is not a decision-maker cannot be chosen."""
    created = await world.series.start_consultation(CASEY, world.poll(), FIRST_MONDAY)
    world.clock.set(MONDAY_4_JAN_10)
    first = (await world.series.sweep())[0]
    with pytest.raises(InvalidChoice):
        await world.series.change_readers(CASEY, created.id, (NW[0],))
    changed = await world.series.change_readers(CASEY, created.id, ())
    assert changed.readers == ()
    world.clock.set(datetime(2027, 2, 1, 10, 0, tzinfo=UTC))
    second = (await world.series.sweep())[0]
    readers = await world.db.fetch_all(
        "SELECT consultation_id, telegram_id FROM consultation_readers ORDER BY consultation_id"
    )
    assert [(r["consultation_id"], r["telegram_id"]) for r in readers] == [(first, DANA)]
    assert second != first
    assert (await world.audit("series.readers"))[0][2] == f"series {created.id}, 0 decision-makers"


async def test_only_coordinators_and_only_known_series(world: World) -> None:
    """A decision-maker or a member is refused (and the refusal recorded); a made-up id is
    SeriesGone; a bad draft is refused as /newpoll refuses it and stores nothing."""
    created = await world.series.start_consultation(CASEY, world.poll(), FIRST_MONDAY)
    for who in (DANA, NW[0]):
        with pytest.raises(NotAllowed):
            await world.series.pause(who, created.id)
        with pytest.raises(NotAllowed):
            await world.series.listing(who)
        with pytest.raises(NotAllowed):
            await world.series.start_consultation(who, world.poll(), FIRST_MONDAY)
    with pytest.raises(SeriesGone):
        await world.series.pause(CASEY, created.id + 99)
    with pytest.raises(OptionCount):
        await world.series.start_consultation(
            CASEY, world.poll(options=("Only one",)), FIRST_MONDAY
        )
    assert len(await world.series.listing(CASEY)) == 1
    refused = await world.db.fetch_all("SELECT detail FROM audit_log WHERE action = 'refused'")
    assert "change series" in {r["detail"] for r in refused}


async def test_a_survey_series_keeps_the_file_as_it_was(world: World, tmp_path: Path) -> None:
    """A repeating survey asks the questions the file had when it was set up, even after
    the file changes; each round is an ordinary survey that opens on time."""
    created = await world.series.start_survey(CASEY, world.survey(), FIRST_MONDAY)
    assert created.title == "Getting help this month"
    (tmp_path / "surveys" / "pulse.yaml").write_text(
        (tmp_path / "surveys" / "pulse.yaml")
        .read_text()
        .replace("Getting help this month", "Changed"),
        encoding="utf-8",
    )
    world.clock.set(MONDAY_4_JAN_10)
    made = await world.series.sweep()
    survey = await world.surveys.get(made[0])
    assert survey.title == "Getting help this month"
    assert survey.state == "open"
    assert survey.invited == len(NW)
    assert [r["series_round"] for r in await world.rounds("surveys")] == [1]


async def test_audit_sentences_read_each_series_action(world: World) -> None:
    """Every series action reads as its own sentence in /audit, with the series' title."""
    from bot.forum import load_forum
    from bot.services.audit_lines import describe
    from config.settings import CONFIG_DIR
    from storage.audit import AuditRepository

    created = await world.series.start_consultation(CASEY, world.poll(), FIRST_MONDAY)
    await world.series.pause(CASEY, created.id)
    await world.series.resume(CASEY, created.id)
    await world.series.change_rule(CASEY, created.id, FIRST_MONDAY.with_changes(open_days=3))
    await world.series.change_readers(CASEY, created.id, (DANA,))
    world.clock.set(MONDAY_4_JAN_10)
    await world.series.sweep()
    await world.series.stop(CASEY, created.id)
    audit = AuditRepository(world.db)
    entries = [e for e in await audit.latest(100) if e.action.startswith("series.")]
    lines = await describe(entries, audit, load_forum(CONFIG_DIR / "forum.yaml"))
    assert {line.what for line in lines} == {
        "series_created",
        "series_paused",
        "series_resumed",
        "series_changed",
        "series_readers",
        "series_round",
        "series_stopped",
    }
    assert {line.facts["title"] for line in lines} == {"How easy was it to get help this month?"}
    made = next(line for line in lines if line.what == "series_round")
    assert made.actor.kind == "bot" and made.facts["round"] == 1


async def test_erasing_the_coordinator_keeps_the_series_without_them(
    tmp_path: Path, db: Database
) -> None:
    """Casey leaves: the series runs on with no creator; Dana leaves: no longer a reader."""
    from storage.erasure import erase_person

    world = await build_world(tmp_path, db)
    created = await world.series.start_consultation(CASEY, world.poll(), FIRST_MONDAY)
    await erase_person(db, CASEY, remember=False)
    await erase_person(db, DANA, remember=False)
    row = await db.fetch_one("SELECT created_by FROM series WHERE id = ?", (created.id,))
    assert row["created_by"] is None
    assert await db.fetch_all("SELECT * FROM series_readers") == []
    world.clock.set(MONDAY_4_JAN_10)
    assert len(await world.series.sweep()) == 1
