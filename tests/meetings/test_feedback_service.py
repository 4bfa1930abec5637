"""After-meeting feedback surveys on a real database: chosen when a meeting is made (a series
carries it), opened once an hour after the meeting ends for exactly those marked as came, or
when who came is saved later (within two days of the end), closing two days after opening
(by the local clock, across a clock change too); nobody came, nothing goes."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.delivery import Audience
from bot.delivery.audience import EVERYONE, HUB
from bot.services.feedback import (
    ADDED,
    ALREADY,
    LATER,
    NOBODY,
    NOW,
    TOO_LATE,
    FeedbackFileGone,
    FeedbackFiles,
    FeedbackFileUnfit,
    MeetingFeedback,
)
from bot.services.meetings import GOING, MeetingDraft, MeetingService
from bot.services.surveys import SurveyService
from bot.services.surveys.messages import KIND_INVITE, KIND_RESULTS
from bot.texts import load_texts
from config.settings import CONFIG_DIR
from handlers.meetings.feedback import FeedbackTitles
from storage.audit import AuditRepository
from storage.db import Database
from storage.meetings import MeetingRepository
from storage.members import MemberRepository
from storage.roles import RoleRepository
from storage.surveys import SurveyRepository
from tests.meetings.conftest import CASEY, LONDON, NW, World, build_world
from tests.surveys.service_world import PULSE
from tests.surveys.service_world import _service as survey_service

FILE = "meeting_feedback"  # the shipped file
# Thursday 10 December 2026, 14:30 in London; the meeting starts at 16:30 and lasts 90 minutes.
START = datetime(2026, 12, 10, 16, 30, tzinfo=UTC)
ENDS = START + timedelta(minutes=90)


def note_survey(made: list[dict]) -> int:
    """The one survey made."""
    (survey,) = made
    return survey["id"]


@dataclass
class Feedback:
    """The meetings world with survey files, the survey service and the feedback service."""

    world: World
    meetings: MeetingService
    surveys: SurveyService
    feedback: MeetingFeedback
    db: Database

    def at(self, moment: datetime) -> None:
        """Move the bot's clock."""
        self.world.clock.set(moment)

    async def meeting(self, feedback: str | None = FILE, **changes) -> int:
        """A meeting for everyone made by Casey (starting at START), with this feedback file."""
        values = {
            "title": "Hub meeting",
            "starts_at": START,
            "duration_minutes": 90,
            "audience": Audience(EVERYONE),
            "place": "Town hall",
            "feedback": feedback,
        }
        values.update(changes)
        created = await self.meetings.create(CASEY, MeetingDraft(**values))
        return created.meeting.id

    async def came(self, meeting_id: int, *people: int, save: bool = True) -> None:
        """Everyone in NW says going; after the start, only ``people`` are marked as came."""
        now = self.world.clock.now()
        self.at(START - timedelta(minutes=30))
        for member in NW:
            await self.meetings.rsvp(member, meeting_id, GOING)
        self.at(max(now, START + timedelta(minutes=5)))
        for member in NW:
            await self.world.attendance.toggle_attended(CASEY, meeting_id, member, member in people)
        if save:
            await self.world.attendance.save_attendance(CASEY, meeting_id)

    async def surveys_made(self) -> list[dict]:
        """Every survey row: id, state, title, opening and closing."""
        rows = await self.db.fetch_all(
            "SELECT id, state, title, opens_at, closes_at FROM surveys ORDER BY id"
        )
        return [dict(row) for row in rows]

    async def invited(self) -> list[list[int]]:
        """The recipients of each survey invitation queued."""
        return [sent["to"] for sent in await self.world.queued(KIND_INVITE)]


@pytest.fixture
async def fb(tmp_path: Path, db: Database) -> Feedback:
    """Casey coordinates; four North West members (NW), one more, one in the Midlands; the
    shipped feedback file, and a region survey (which fits only a region's meeting)."""
    world = await build_world(tmp_path, db, start=START - timedelta(hours=2))
    folder = tmp_path / "surveys"
    folder.mkdir()
    shutil.copy(CONFIG_DIR / "surveys" / f"{FILE}.yaml", folder / f"{FILE}.yaml")
    (folder / "pulse.yaml").write_text(PULSE, encoding="utf-8")
    files = FeedbackFiles(folder)
    world.meetings.feedback_files = files
    surveys = survey_service(db, world.clock, folder, tmp_path)
    audit = AuditRepository(db)
    feedback = MeetingFeedback(
        db,
        world.meetings.delivery,
        MeetingRepository(db),
        SurveyRepository(db),
        surveys,
        files,
        FeedbackTitles(load_texts(CONFIG_DIR / "texts"), LONDON),
        world.meetings.roles,
        audit,
        world.clock,
        LONDON,
    )
    assert await RoleRepository(db).holders("coordinator") == [CASEY]
    return Feedback(world, world.meetings, surveys, feedback, db)


async def test_opens_once_an_hour_after_the_end_to_exactly_those_who_came(fb: Feedback) -> None:
    meeting_id = await fb.meeting()
    await fb.came(meeting_id, NW[0], NW[2])

    fb.at(ENDS + timedelta(minutes=59))
    assert await fb.feedback.sweep() == []
    assert await fb.surveys_made() == []

    fb.at(ENDS + timedelta(hours=1))
    opened = await fb.feedback.sweep()
    assert len(opened) == 1
    assert await fb.invited() == [[NW[0], NW[2]]]
    (survey,) = await fb.surveys_made()
    assert survey["state"] == "open"
    assert survey["title"] == "How was the meeting? (Hub meeting, Thursday 10 December 2026)"
    closes = datetime.fromisoformat(survey["closes_at"])
    assert closes == ENDS + timedelta(hours=1, days=2)
    logged = await fb.db.fetch_one(
        "SELECT actor_id, detail FROM audit_log WHERE action = 'survey.feedback'"
    )
    assert (logged["actor_id"], logged["detail"]) == (
        None,
        f"survey {survey['id']} for meeting {meeting_id}, closes {closes.isoformat()[:16]}+00:00",
    )

    # Taken once: later sweeps (and the survey sweep) ask nobody again.
    fb.at(ENDS + timedelta(hours=3))
    assert await fb.feedback.sweep() == []
    await fb.surveys.sweep()
    assert len(await fb.surveys_made()) == 1
    assert await fb.invited() == [[NW[0], NW[2]]]


async def test_those_who_came_answer_and_coordinators_get_the_results_at_closing(
    fb: Feedback,
) -> None:
    meeting_id = await fb.meeting()
    await fb.came(meeting_id, NW[0])
    fb.at(ENDS + timedelta(hours=1))
    (survey_id,) = await fb.feedback.sweep()

    # The one who came can answer; someone who did not come is not asked.
    assert (await fb.surveys.begin(NW[0], survey_id)).state == "consent"
    assert (await fb.surveys.begin(NW[1], survey_id)).state == "not_invited"
    assert await fb.surveys.for_member(NW[1]) == []

    fb.at(ENDS + timedelta(hours=1, days=2))
    await fb.surveys.sweep()
    (survey,) = await fb.surveys_made()
    assert survey["state"] == "closed"
    packs = await fb.world.queued(KIND_RESULTS)
    assert packs and all(pack["to"] == [CASEY] for pack in packs)  # coordinators, as usual
    summary = await fb.db.fetch_value(
        "SELECT text_html FROM broadcasts WHERE kind = ? ORDER BY id", (KIND_RESULTS,)
    )
    assert "It went to those marked as came to the meeting." in summary
    assert (await fb.surveys.get(survey["id"])).listed


async def test_marked_after_the_hour_opens_when_marked_and_the_coordinator_is_told(
    fb: Feedback,
) -> None:
    meeting_id = await fb.meeting()
    await fb.came(meeting_id, NW[1], save=False)
    fb.at(ENDS + timedelta(hours=1))
    assert await fb.feedback.sweep() == []  # not marked yet

    marked = ENDS + timedelta(hours=20)
    fb.at(marked)
    await fb.world.attendance.save_attendance(CASEY, meeting_id)
    note = await fb.feedback.after_marking(CASEY, meeting_id)
    assert note is not None and note.kind == NOW and note.count == 1
    assert note.at == marked + timedelta(days=2)  # two days after opening, not after the end
    assert await fb.invited() == [[NW[1]]]

    # Saved again: it stays one survey, already out.
    await fb.world.attendance.save_attendance(CASEY, meeting_id)
    again = await fb.feedback.after_marking(CASEY, meeting_id)
    assert again is not None and again.kind == ALREADY
    assert len(await fb.surveys_made()) == 1

    # Someone forgotten is marked and saved while it is open: asked too, once.
    await fb.world.attendance.toggle_attended(CASEY, meeting_id, NW[3], True)
    await fb.world.attendance.save_attendance(CASEY, meeting_id)
    added = await fb.feedback.after_marking(CASEY, meeting_id)
    assert added is not None and (added.kind, added.count) == (ADDED, 1)
    assert await fb.invited() == [[NW[1]], [NW[3]]]
    await fb.world.attendance.save_attendance(CASEY, meeting_id)
    again = await fb.feedback.after_marking(CASEY, meeting_id)
    assert again is not None and again.kind == ALREADY
    assert await fb.invited() == [[NW[1]], [NW[3]]]
    assert (await fb.surveys.begin(NW[3], note_survey(await fb.surveys_made()))).state == "consent"

    # Once it has closed, nobody more is asked.
    fb.at(marked + timedelta(days=2, minutes=1))
    await fb.surveys.sweep()
    await fb.world.attendance.toggle_attended(CASEY, meeting_id, NW[0], True)
    late = await fb.feedback.after_marking(CASEY, meeting_id)
    assert late is not None and late.kind == ALREADY
    assert await fb.invited() == [[NW[1]], [NW[3]]]


async def test_marked_before_the_end_says_when_it_will_go(fb: Feedback) -> None:
    meeting_id = await fb.meeting()
    await fb.came(meeting_id, NW[0], NW[1], NW[3])
    note = await fb.feedback.after_marking(CASEY, meeting_id)
    assert note is not None and note.kind == LATER
    assert (note.count, note.at) == (3, ENDS + timedelta(hours=1))
    assert await fb.surveys_made() == []


async def test_marked_more_than_two_days_after_the_end_sends_nothing(fb: Feedback) -> None:
    meeting_id = await fb.meeting()
    await fb.came(meeting_id, NW[0], save=False)
    fb.at(ENDS + timedelta(days=2, minutes=1))
    await fb.world.attendance.save_attendance(CASEY, meeting_id)
    note = await fb.feedback.after_marking(CASEY, meeting_id)
    assert note is not None and note.kind == TOO_LATE
    assert await fb.feedback.sweep() == []
    assert await fb.surveys_made() == []


async def test_nobody_came_nothing_goes(fb: Feedback) -> None:
    meeting_id = await fb.meeting()
    await fb.came(meeting_id)  # everyone unmarked, then saved: nobody came
    fb.at(ENDS + timedelta(hours=2))
    note = await fb.feedback.after_marking(CASEY, meeting_id)
    assert note is not None and note.kind == NOBODY
    assert await fb.feedback.sweep() == []
    assert await fb.surveys_made() == []
    assert await fb.invited() == []


async def test_only_those_who_still_get_surveys_are_asked(fb: Feedback) -> None:
    meeting_id = await fb.meeting()
    await fb.came(meeting_id, NW[0], NW[1], NW[2])
    members = MemberRepository(fb.db)
    await members.set_preference(NW[1], "consultations", False, START)  # surveys off
    await members.set_pause(NW[2], ENDS + timedelta(days=7), START)
    fb.at(ENDS + timedelta(hours=1))
    await fb.feedback.sweep()
    assert await fb.invited() == [[NW[0]]]


async def test_a_meeting_without_feedback_sends_none(fb: Feedback) -> None:
    meeting_id = await fb.meeting(feedback=None)
    await fb.came(meeting_id, NW[0])
    fb.at(ENDS + timedelta(hours=1))
    assert await fb.feedback.sweep() == []
    assert await fb.feedback.after_marking(CASEY, meeting_id) is None
    assert await fb.surveys_made() == []


async def test_a_cancelled_meeting_sends_none(fb: Feedback) -> None:
    meeting_id = await fb.meeting()
    await fb.meetings.cancel(CASEY, meeting_id)
    fb.at(ENDS + timedelta(hours=1))
    assert await fb.feedback.sweep() == []
    assert await fb.surveys_made() == []


async def test_a_crash_between_writing_and_opening_neither_loses_nor_doubles(
    fb: Feedback, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting_id = await fb.meeting()
    await fb.came(meeting_id, NW[0], NW[3])
    fb.at(ENDS + timedelta(hours=1))

    async def crash() -> None:
        raise RuntimeError("the process died here")

    monkeypatch.setattr(fb.surveys, "sweep", crash)
    with pytest.raises(RuntimeError):
        await fb.feedback.sweep()
    monkeypatch.undo()
    (survey,) = await fb.surveys_made()
    assert survey["state"] == "scheduled" and await fb.invited() == []

    # After the restart: the feedback sweep makes no second survey; the survey sweep opens it.
    fb.at(ENDS + timedelta(hours=1, minutes=1))
    assert await fb.feedback.sweep() == []
    await fb.surveys.sweep()
    (survey,) = await fb.surveys_made()
    assert survey["state"] == "open"
    assert await fb.invited() == [[NW[0], NW[3]]]


async def test_a_series_carries_the_choice_to_each_meeting_it_makes(fb: Feedback) -> None:
    first = await fb.meeting(repeat="weekly")
    fb.at(START + timedelta(minutes=1))
    (made,) = await fb.meetings.extend_series()
    assert made.meeting.id != first
    assert made.meeting.starts_at == START + timedelta(days=7)
    link = await MeetingRepository(fb.db).feedback_of(made.meeting.id)
    assert link is not None and link.file_key == FILE

    # A series made without one carries none.
    plain = await fb.meeting(feedback=None, repeat="weekly", starts_at=START + timedelta(hours=1))
    fb.at(START + timedelta(hours=1, minutes=1))
    (next_plain,) = await fb.meetings.extend_series()
    assert next_plain.meeting.id != plain
    assert await MeetingRepository(fb.db).feedback_of(next_plain.meeting.id) is None


async def test_closes_two_days_later_by_the_local_clock_across_a_clock_change(
    tmp_path: Path, db: Database
) -> None:
    # Saturday 24 October 2026, 18:00 to 20:00 in London (BST); the clocks go back at 2am on
    # Sunday 25 October. It opens at 21:00 BST and closes on Monday at 21:00 GMT.
    start = datetime(2026, 10, 24, 17, 0, tzinfo=UTC)
    world = await build_world(tmp_path, db, start=start - timedelta(days=1))
    folder = tmp_path / "surveys"
    folder.mkdir()
    shutil.copy(CONFIG_DIR / "surveys" / f"{FILE}.yaml", folder / f"{FILE}.yaml")
    world.meetings.feedback_files = FeedbackFiles(folder)
    surveys = survey_service(db, world.clock, folder, tmp_path)
    feedback = MeetingFeedback(
        db,
        world.meetings.delivery,
        MeetingRepository(db),
        SurveyRepository(db),
        surveys,
        FeedbackFiles(folder),
        FeedbackTitles(load_texts(CONFIG_DIR / "texts"), LONDON),
        world.meetings.roles,
        AuditRepository(db),
        world.clock,
        LONDON,
    )
    created = await world.meetings.create(
        CASEY,
        MeetingDraft(
            "Autumn meeting",
            start,
            120,
            Audience(HUB, "nw_hub_1"),
            place="Library",
            feedback=FILE,
        ),
    )
    meeting_id = created.meeting.id
    await world.meetings.rsvp(NW[0], meeting_id, GOING)
    world.clock.set(start + timedelta(minutes=10))
    await world.attendance.save_attendance(CASEY, meeting_id)
    world.clock.set(start + timedelta(hours=3))  # 21:00 BST
    (survey_id,) = await feedback.sweep()
    survey = await surveys.get(survey_id)
    assert survey.opens_at == datetime(2026, 10, 24, 20, 0, tzinfo=UTC)
    assert survey.closes_at == datetime(2026, 10, 26, 21, 0, tzinfo=UTC)
    assert survey.closes_at.astimezone(LONDON).hour == 21
    assert survey.invited == 1


async def test_a_file_that_does_not_fit_or_read_is_refused_and_nothing_is_kept(
    fb: Feedback,
) -> None:
    with pytest.raises(FeedbackFileUnfit):  # pulse is written for one region
        await fb.meeting(feedback="pulse")
    with pytest.raises(FeedbackFileGone):
        await fb.meeting(feedback="no_such_file")
    with pytest.raises(FeedbackFileGone):
        await fb.meeting(feedback="../../etc/passwd")
    assert await fb.db.fetch_value("SELECT COUNT(*) FROM meetings") == 0
    # For a region's meeting the region survey fits, and the forum-wide file fits any meeting.
    region = Audience("region", "north_west")
    assert [f.key for f in await fb.feedback.choices(region)] == [FILE, "pulse"]
    assert [f.key for f in await fb.feedback.choices(Audience(EVERYONE))] == [FILE]


async def test_coordinators_turn_it_on_or_off_until_it_goes(fb: Feedback) -> None:
    meeting_id = await fb.meeting(feedback=None)
    await fb.feedback.choose(CASEY, meeting_id, FILE)
    assert await fb.feedback.chosen(CASEY, meeting_id) == FILE
    await fb.feedback.choose(CASEY, meeting_id, None)
    assert await fb.feedback.chosen(CASEY, meeting_id) is None
    with pytest.raises(FeedbackFileUnfit):
        await fb.feedback.choose(CASEY, meeting_id, "pulse")
    await fb.feedback.choose(CASEY, meeting_id, FILE)
    with pytest.raises(Exception) as refused:  # a member may not
        await fb.feedback.choose(NW[0], meeting_id, None)
    assert type(refused.value).__name__ == "NotAllowed"

    await fb.came(meeting_id, NW[0])
    fb.at(ENDS + timedelta(minutes=1))  # ended: no more changes
    with pytest.raises(Exception) as ended:
        await fb.feedback.choose(CASEY, meeting_id, None)
    assert type(ended.value).__name__ == "MeetingStarted"
    fb.at(ENDS + timedelta(hours=1))
    assert len(await fb.feedback.sweep()) == 1


async def test_turning_off_after_it_opened_is_refused(fb: Feedback) -> None:
    meeting_id = await fb.meeting(duration_minutes=60)
    await fb.came(meeting_id, NW[0])
    fb.at(START + timedelta(hours=2))
    assert len(await fb.feedback.sweep()) == 1
    repo = MeetingRepository(fb.db)
    assert not await repo.choose_feedback(meeting_id, None, fb.world.clock.now())
    assert not await repo.choose_feedback(meeting_id, "pulse", fb.world.clock.now())
    assert (await repo.feedback_of(meeting_id)).state == "opened"
