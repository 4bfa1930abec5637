"""The journey service on a real database: the record from recorded facts only, skills (listed
and own words, hostile input too), hiding and showing, and erasure."""

from __future__ import annotations

import pytest

from bot.services.errors import InvalidChoice, NotAMember
from bot.services.journey import JourneyService, OwnWordsRefused
from bot.services.journey.skills import MOST_SKILLS
from storage.db import Database
from storage.erasure import PERSON_COLUMNS, erase_person
from tests.journey.world import World

SAM, PRIYA = 700000001, 700000002


async def test_the_record_counts_only_what_was_recorded_for_this_member(
    journeys: JourneyService, world: World
) -> None:
    await world.member(SAM)
    await world.member(PRIYA, "Priya")
    await world.meeting("Hub meeting June", 180, attended={SAM: 1, PRIYA: 1})
    await world.meeting("Hub meeting July", 150, attended={SAM: 0, PRIYA: 1})  # did not come
    await world.meeting("Regional day", 120, attended={SAM: None})  # not marked yet
    await world.meeting("National board", 20, attended={SAM: 1})
    await world.consultation([SAM, PRIYA])
    await world.consultation([PRIYA], unanswered=[SAM])
    await world.survey(SAM, anonymous=False, state="closed")
    await world.survey(SAM, anonymous=True, state="open")
    await world.survey(SAM, anonymous=True, state="closed")  # no link kept: not counted
    await world.survey(SAM, anonymous=False, finished=False)
    await world.opportunity("Peer research training", "training", outcomes={SAM: "completed"})
    await world.opportunity("Interview panel", "paid", outcomes={SAM: "took_part"}, days_ago=5)
    await world.opportunity("Food bank", outcomes={SAM: "did_not_go_ahead", PRIYA: "completed"})
    await world.contribution(SAM, "meeting_role", "chaired the June meeting")
    await world.contribution(PRIYA, "story_shared", None)

    journey = await journeys.record(SAM)

    assert journey.first_name == "Sam"
    assert [m.title for m in journey.meetings] == ["National board", "Hub meeting June"]
    assert journey.consultations == 1
    assert journey.surveys == 2  # the named one, and the anonymous one still open
    assert [(o.title, o.state) for o in journey.opportunities] == [
        ("Interview panel", "took_part"),
        ("Peer research training", "completed"),
    ]
    assert [(c.state, c.title) for c in journey.contributions] == [
        ("meeting_role", "chaired the June meeting")
    ]
    assert journey.hidden == ()


async def test_someone_who_has_not_joined_has_no_journey(
    journeys: JourneyService, world: World, db: Database
) -> None:
    with pytest.raises(NotAMember):
        await journeys.record(SAM)
    await world.member(SAM)
    await db.execute("UPDATE members SET setup_done = 0 WHERE telegram_id = ?", (SAM,))
    with pytest.raises(NotAMember):
        await journeys.record(SAM)
    with pytest.raises(NotAMember):
        await journeys.add_listed(SAM, "speaking")


async def test_listed_skills_are_added_once_and_removed(journeys: JourneyService, world: World):
    await world.member(SAM)

    assert await journeys.add_listed(SAM, "speaking") == "added"
    assert await journeys.add_listed(SAM, "speaking") == "already"
    assert await journeys.add_listed(SAM, "training_others") == "added"
    held = await journeys.skills_held(SAM)

    assert [s.name for s in held] == ["Speaking", "Training others"]
    assert "speaking" not in [s.key for s in await journeys.skills_to_add(SAM)]
    assert await journeys.remove_skill(SAM, held[0].id)
    assert not await journeys.remove_skill(SAM, held[0].id)  # gone already
    assert [s.name for s in (await journeys.record(SAM)).skills] == ["Training others"]


async def test_a_skill_not_on_the_list_is_refused(journeys: JourneyService, world: World):
    await world.member(SAM)
    with pytest.raises(InvalidChoice):
        await journeys.add_listed(SAM, "juggling")


async def test_own_words_are_tidied_and_words_naming_a_listed_skill_add_it(
    journeys: JourneyService, world: World
) -> None:
    await world.member(SAM)

    assert await journeys.add_own(SAM, "  Cooking   for\na group ") == (
        "added",
        "Cooking for a group",
    )
    assert await journeys.add_own(SAM, "cooking FOR a group") == ("already", "cooking FOR a group")
    assert await journeys.add_own(SAM, "MENTORING") == ("added", "Mentoring")
    assert await journeys.add_listed(SAM, "mentoring") == "already"
    skills = (await journeys.record(SAM)).skills
    assert [(s.name, s.own_words) for s in skills] == [
        ("Cooking for a group", True),
        ("Mentoring", False),
    ]


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "journey.own_empty"),
        ("   \n\t ", "journey.own_empty"),
        ("x" * 41, "journey.own_too_long"),
        ("Listening\u0000", "journey.own_odd"),
        ("right\u202eto left", "journey.own_odd"),
    ],
)
async def test_own_words_that_cannot_be_kept_are_refused_and_nothing_is_lost(
    journeys: JourneyService, world: World, typed: str, reason: str
) -> None:
    await world.member(SAM)
    await journeys.add_own(SAM, "Listening")

    with pytest.raises(OwnWordsRefused) as refused:
        await journeys.add_own(SAM, typed)

    assert refused.value.reason == reason
    assert [s.name for s in (await journeys.record(SAM)).skills] == ["Listening"]


async def test_hostile_own_words_are_kept_as_typed_for_escaping_when_shown(
    journeys: JourneyService, world: World
) -> None:
    await world.member(SAM)
    typed = "<b>bold</b> & 'quotes' 🎨"

    assert (await journeys.add_own(SAM, typed))[1] == typed
    assert (await journeys.add_own(SAM, "x" * 40))[0] == "added"  # exactly the limit


async def test_a_list_holds_at_most_twenty_skills(journeys: JourneyService, world: World):
    await world.member(SAM)
    for number in range(MOST_SKILLS):
        assert (await journeys.add_own(SAM, f"Skill {number}"))[0] == "added"

    assert (await journeys.add_own(SAM, "One more"))[0] == "full"
    assert await journeys.add_listed(SAM, "writing") == "full"
    assert len((await journeys.record(SAM)).skills) == MOST_SKILLS


async def test_removing_someone_elses_skill_does_nothing(journeys: JourneyService, world: World):
    await world.member(SAM)
    await world.member(PRIYA, "Priya")
    await journeys.add_listed(PRIYA, "writing")
    priyas = (await journeys.skills_held(PRIYA))[0]

    assert not await journeys.remove_skill(SAM, priyas.id)
    assert [s.name for s in await journeys.skills_held(PRIYA)] == ["Writing"]


async def test_hidden_items_and_sections_leave_the_record_and_come_back(
    journeys: JourneyService, world: World
) -> None:
    await world.member(SAM)
    await world.meeting("Hub meeting", 40, attended={SAM: 1})
    board = await world.meeting("National board", 20, attended={SAM: 1})
    panel = await world.opportunity("Interview panel", "paid", outcomes={SAM: "took_part"})
    await journeys.add_listed(SAM, "speaking")

    await journeys.hide(SAM, f"meeting:{board}")
    await journeys.hide(SAM, f"opportunity:{panel}")
    await journeys.hide(SAM, "answers")
    await journeys.hide(SAM, "answers")  # twice changes nothing
    journey = await journeys.record(SAM)

    assert [m.title for m in journey.meetings] == ["Hub meeting"]
    assert journey.opportunities == ()
    assert not journey.shows("answers")
    assert [e.item for e in journey.hidden] == [
        "answers",
        f"meeting:{board}",
        f"opportunity:{panel}",
    ]
    assert "answers" not in [e.item for e in journey.hideable()]
    summary = await journeys.summary(SAM)
    assert summary.meetings == 1
    assert summary.consultations is None and summary.surveys is None
    assert summary.opportunities == ()

    assert await journeys.unhide(SAM, f"opportunity:{panel}")
    assert not await journeys.unhide(SAM, f"opportunity:{panel}")
    assert [o.title for o in (await journeys.record(SAM)).opportunities] == ["Interview panel"]


async def test_only_parts_of_ones_own_record_can_be_hidden(
    journeys: JourneyService, world: World
) -> None:
    await world.member(SAM)
    await world.member(PRIYA, "Priya")
    priyas = await world.contribution(PRIYA, "story_shared", None)
    missed = await world.meeting("Missed", 5, attended={SAM: 0})

    for item in (f"contribution:{priyas}", f"meeting:{missed}", "meeting:999", "crisis", ""):
        with pytest.raises(InvalidChoice):
            await journeys.hide(SAM, item)
    assert await journeys.member_data(SAM) == {"skills": [], "hidden_from_journey": []}


async def test_mydata_holds_skills_and_hidden_items_and_leaving_erases_them(
    journeys: JourneyService, world: World, db: Database
) -> None:
    await world.member(SAM)
    await world.member(PRIYA, "Priya")
    for member in (SAM, PRIYA):
        await journeys.add_listed(member, "chairing")
        await journeys.add_own(member, "Baking")
        await journeys.hide(member, "skills")

    data = await journeys.member_data(SAM)
    assert [(s["skill"], s["own_words"]) for s in data["skills"]] == [
        ("chairing", False),
        ("Baking", True),
    ]
    assert data["hidden_from_journey"] == ["skills"]
    assert ("member_skills", "member_id") in PERSON_COLUMNS
    assert ("journey_hidden", "member_id") in PERSON_COLUMNS

    await erase_person(db, SAM, remember=False)

    assert await journeys.member_data(SAM) == {"skills": [], "hidden_from_journey": []}
    for table in ("member_skills", "journey_hidden"):
        assert (
            await db.fetch_value(f"SELECT COUNT(*) FROM {table} WHERE member_id = ?", (SAM,)) == 0
        )
    assert len((await journeys.member_data(PRIYA))["skills"]) == 2  # others keep theirs
