"""The progression report on real SQLite: movement over 3 and 12 months, the small-numbers
rule on every count (a stage of three reads "fewer than 5" and no total gives it away),
opportunities by kind and region, and the forum's targets."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

from bot.results.suppression import FEWER_THAN_5, FEWER_THAN_THRESHOLD, SHOWN
from storage.db import Database
from tests.progression.conftest import (
    CASEY,
    NOW,
    World,
    add_member,
    attended,
    build_world,
    contribution,
    opportunity,
    outcome,
)

LONG_AGO = NOW - timedelta(days=500)


def stage(report, key):
    """One stage's line."""
    return next(line for line in report.stages if line.key == key)


async def test_movement_over_three_and_twelve_months(world: World) -> None:
    member = iter(range(600_000_001, 600_000_100))
    for _ in range(5):
        a = next(member)  # joined long ago, came two months ago: both windows
        await add_member(world.db, a, LONG_AGO)
        await attended(world.db, [a], NOW - timedelta(days=60))
        b = next(member)  # came six months ago: the twelve months only
        await add_member(world.db, b, LONG_AGO)
        await attended(world.db, [b], NOW - timedelta(days=180))
        c = next(member)  # joined last month and did nothing yet: joining is not moving up
        await add_member(world.db, c, NOW - timedelta(days=30))
        d = next(member)  # joined last month, came two weeks ago: moved up
        await add_member(world.db, d, NOW - timedelta(days=30))
        await attended(world.db, [d], NOW - timedelta(days=14))
        e = next(member)  # took part long ago, contributed last month: moved up
        await add_member(world.db, e, LONG_AGO)
        await attended(world.db, [e], NOW - timedelta(days=400))
        await contribution(world.db, e, "story_shared", NOW - timedelta(days=30))
        f = next(member)  # took part long ago only: has not moved lately
        await add_member(world.db, f, LONG_AGO)
        await attended(world.db, [f], NOW - timedelta(days=400))
    report = await world.service.report(CASEY)
    three, twelve = report.movement
    assert (three.months, twelve.months) == (3, 12)
    assert three.moved_up.value == 15  # a, d and e
    assert twelve.moved_up.value == 20  # and b
    took_part = next(r for r in twelve.reached if r.key == "took_part")
    assert took_part.members.value == 15  # a, b and d (e and f took part long ago)
    # Half of them took this long or less from joining: a and b over a year, d 16 days.
    assert took_part.median_days == (NOW - timedelta(days=180) - LONG_AGO).days
    contributed = next(r for r in three.reached if r.key == "contributed")
    assert contributed.members.value == 5
    assert contributed.median_days is None  # fewer than the threshold behind it: no median
    assert stage(report, "joined").members.value == 5  # c
    assert stage(report, "took_part").members.value == 20  # a, b, d, f
    assert stage(report, "contributed").members.value == 5  # e


async def test_a_stage_of_three_reads_fewer_than_5_and_no_total_gives_it_away(
    world: World,
) -> None:
    for n in range(20):
        await add_member(world.db, 600_000_001 + n, LONG_AGO)
    await attended(world.db, [600_000_001, 600_000_002, 600_000_003], NOW - timedelta(days=9))
    report = await world.service.report(CASEY)
    assert stage(report, "took_part").members.status == FEWER_THAN_5
    others = [line.members for line in report.stages if line.key != "took_part"]
    # Knowing the total and every other stage would give the three away: one must be hidden.
    assert not (report.members.status == SHOWN and all(f.status == SHOWN for f in others))
    text = world.messages.text(report)
    assert "• Took part: fewer than 5" in text
    assert not re.search(r": [1-4]\b(?! (day|month|hub))", text)
    rows = list(csv.reader(io.StringIO(world.messages.csv(report).decode("utf-8-sig"))))
    assert ["Members by stage now", "Took part", "fewer than 5"] in rows
    people = [row for row in rows[3:] if not row[0].startswith("Hub")]  # hubs are not people
    assert not any(cell in {"1", "2", "3", "4"} for row in people for cell in row[2:])


async def test_a_forum_under_the_threshold_shows_no_split(tmp_path: Path, db: Database) -> None:
    world = await build_world(tmp_path, db)
    for n in range(8):
        await add_member(db, 600_000_001 + n, LONG_AGO)
    await attended(db, [600_000_001, 600_000_002], NOW - timedelta(days=9))
    report = await world.service.report(CASEY)
    assert report.members.status == FEWER_THAN_THRESHOLD
    assert {line.members.status for line in report.stages} == {FEWER_THAN_THRESHOLD}
    assert report.movement[0].moved_up.status == FEWER_THAN_THRESHOLD
    text = world.messages.text(report)
    assert "Members: fewer than 10, against a target of 200." in text


async def test_opportunities_by_kind_and_region_with_small_kinds_put_together(
    world: World,
) -> None:
    members = list(range(600_000_001, 600_000_041))
    for n, member in enumerate(members):
        await add_member(world.db, member, LONG_AGO, "north_west" if n < 25 else "midlands")
    talk = await opportunity(world.db, "speaking", NOW - timedelta(days=40))
    panel = await opportunity(world.db, "paid", NOW - timedelta(days=40), "region", "midlands")
    mentor = await opportunity(world.db, "mentoring", NOW - timedelta(days=40), "hub", "nw_hub_1")
    await opportunity(world.db, "job", NOW - timedelta(days=40), state="cancelled")
    old = await opportunity(world.db, "speaking", NOW - timedelta(days=500))
    for member in members[:12]:  # twelve spoke, six of them completed
        done = "completed" if member % 2 else "took_part"
        await outcome(world.db, talk, member, done, NOW - timedelta(days=20))
    for member in members[25:37]:  # twelve from the Midlands on the panel
        await outcome(world.db, panel, member, "completed", NOW - timedelta(days=20))
    for member in members[12:15]:  # three mentored: too few to show on their own, so
        # put together with the smallest kind shown (paid) as "other kinds"
        await outcome(world.db, mentor, member, "took_part", NOW - timedelta(days=20))
    await outcome(world.db, old, members[20], "completed", NOW - timedelta(days=450))
    report = await world.service.report(CASEY)
    assert report.offered == 3  # cancelled and older ones are not counted
    assert report.taken.value == 27
    kinds = {line.key: line for line in report.kinds}
    assert kinds["speaking"].taken.value == 12 and kinds["speaking"].offered == 1
    assert "mentoring" not in kinds and "paid" not in kinds
    other = kinds["*other"]
    assert set(other.parts) == {"mentoring", "paid"}
    assert (other.offered, other.taken.value) == (2, 15)
    # The three who took part without completing are behind "other kinds": its completed
    # figure would give them away, so it is hidden, and so is the total completed...
    assert other.completed.status != SHOWN and report.completed.status != SHOWN
    # ...which the table by region would show: so that table is not shown at all.
    assert report.regions == ()
    text = world.messages.text(report)
    assert "Speaking at an event: offered 1, taken up 12, completed 6" in text
    assert "Other kinds: offered 2, taken up 15, completed hidden" in text
    assert "Mentoring" not in text.split("By kind")[1].split("By members")[0]
    assert "Not shown by region" in text


async def test_the_region_table_is_shown_when_it_tells_nothing_more(world: World) -> None:
    members = list(range(600_000_001, 600_000_041))
    for n, member in enumerate(members):
        await add_member(world.db, member, LONG_AGO, "north_west" if n < 25 else "midlands")
    talk = await opportunity(world.db, "speaking", NOW - timedelta(days=40))
    panel = await opportunity(world.db, "paid", NOW - timedelta(days=40), "region", "midlands")
    for member in members[:12]:
        await outcome(world.db, talk, member, "completed", NOW - timedelta(days=20))
    for member in members[25:37]:
        await outcome(world.db, panel, member, "completed", NOW - timedelta(days=20))
    report = await world.service.report(CASEY)
    regions = {line.key: line for line in report.regions}
    assert regions["north_west"].taken.value == regions["midlands"].taken.value == 12
    assert regions["midlands"].offered == 1  # the panel was for the Midlands
    assert report.completed.value == 24
    text = world.messages.text(report)
    assert "• Midlands: offered 1, taken up 12, completed 12" in text
    assert "• No region yet: offered 0, taken up 0, completed 0" in text
    assert "Offered to the whole forum: 1." in text


async def test_the_targets_are_shown_beside_it(world: World) -> None:
    for n in range(12):
        await add_member(world.db, 600_000_001 + n, LONG_AGO)
    report = await world.service.report(CASEY)
    assert report.target_members == 200
    assert {(h.region_id, h.hubs, h.target) for h in report.hubs} >= {("north_west", 2, 2)}
    text = world.messages.text(report)
    assert "Members: 12, against a target of 200." in text
    assert "• North West: 2 hubs, target 2" in text
