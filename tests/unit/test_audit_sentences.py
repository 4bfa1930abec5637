"""The audit log as sentences (ReportService.audit_log on real SQLite): every action the bot
records has a sentence and a kind, details become facts, ids become names, someone erased
becomes "someone who has left", and typed words become filters."""

from __future__ import annotations

import dataclasses
import html
import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clock import Clock
from bot.forum import Forum, load_forum
from bot.services.errors import InvalidChoice, NotAllowed
from bot.services.reports import (
    AUDIT_KINDS,
    AUDIT_READ,
    BOT,
    KIND_WORDS,
    LEFT,
    NAMED,
    UNNAMED,
    ReportService,
    read_audit_words,
)
from bot.services.roles import RoleService
from bot.texts import load_texts
from config.settings import CONFIG_DIR
from handlers.audit import sentence
from storage.audit import AuditRepository
from storage.db import Database
from storage.erasure import erase_person
from storage.members import MemberRepository
from storage.roles import RoleRepository
from storage.stats import StatsRepository
from tests.conftest import START

COORD, PRIYA, SAM, STRANGER = 1001, 1002, 1003, 3001
CLOSES = "2026-12-18T17:00+00:00"
# One entry for each action, with its detail written as the services write it.
SAMPLES = [
    (COORD, "role.granted", PRIYA, "decision_maker", "role_granted"),
    (None, "role.granted", COORD, "coordinator (settings)", "role_from_settings"),
    (COORD, "role.revoked", PRIYA, "coordinator", "role_revoked"),
    (SAM, "refused", None, "read audit log", "refused"),
    (COORD, "members.report", None, "", "members_report"),
    (COORD, "progression.report", None, "", "progression_report"),
    (COORD, "contribution.recorded", SAM, "contribution 4: meeting_role", "contribution_recorded"),
    (COORD, "members.listed", None, "hub nw_hub_1", "members_listed"),
    (
        COORD,
        "broadcast.created",
        None,
        "broadcast 3 to region:north_west, 12 people",
        "message_sent",
    ),
    (
        COORD,
        "broadcast.created",
        None,
        "broadcast 4 to everyone, 1 people, urgent, from 2026-12-11T08:00+00:00",
        "message_planned",
    ),
    (COORD, "broadcast.cancelled", None, "broadcast 4, 5 not sent", "message_stopped"),
    (COORD, "broadcast.resent", None, "broadcast 3 again as 9, 2 not sure", "message_resent"),
    (
        None,
        "delivery.finished",
        None,
        "broadcast 3 done: 10 delivered, 1 blocked, 0 failed, 1 uncertain, 0 cancelled, 0 skipped",
        "delivery_finished",
    ),
    (
        None,
        "delivery.finished",
        None,
        "consultation_member_results 7 done: 3 delivered, 1 blocked, 0 failed, 0 uncertain, "
        "0 cancelled, 0 skipped",
        "delivery_finished_by_answer",
    ),
    (COORD, "meeting.created", None, "meeting 5 for hub:nw_hub_1, 8 invited", "meeting_created"),
    (COORD, "meeting.changed", None, "meeting 5", "meeting_changed"),
    (COORD, "meeting.cancelled", None, "meeting 5", "meeting_cancelled"),
    (COORD, "meeting.series_stopped", None, "series 2", "meeting_series_stopped"),
    (COORD, "meeting.attendance", None, "meeting 5: 6 came", "attendance_saved"),
    (None, "survey.feedback", None, f"survey 2 for meeting 5, closes {CLOSES}", "feedback_opened"),
    (SAM, "meeting.answered", None, "meeting 5: going", "meeting_answered"),
    (COORD, "attendance.report", None, "meeting 5", "attendance_meeting"),
    (COORD, "attendance.report", None, "last 3 months", "attendance_period"),
    (COORD, "contact.claimed", None, "request 7", "request_taken"),
    (COORD, "contact.handled", None, "request 7", "request_done"),
    (
        COORD,
        "consultation.created",
        None,
        f"consultation 4 for everyone, closes {CLOSES}",
        "question_created",
    ),
    (
        COORD,
        "consultation.extended",
        None,
        f"consultation 4 now closes {CLOSES}",
        "question_extended",
    ),
    (COORD, "consultation.cancelled", None, "consultation 4, 30 told", "question_cancelled"),
    (None, "consultation.closed", None, "consultation 4: deadline", "question_closed"),
    (COORD, "consultation.closed", None, "consultation 4: closed early", "question_closed_early"),
    (COORD, "consultation.followup", None, "consultation 4", "question_followup"),
    (SAM, "consultation.refused", None, "consultation 4: PollClosed", "question_refused"),
    (
        COORD,
        "survey.created",
        None,
        f"survey 2 for region:north_west, closes {CLOSES}",
        "survey_created",
    ),
    (COORD, "survey.cancelled", None, "survey 2, 12 told", "survey_cancelled"),
    (None, "survey.closed", None, "survey 2: deadline", "survey_closed"),
    (COORD, "survey.closed", None, "survey 2: closed early", "survey_closed_early"),
    (None, "member.erased", None, "", "member_left"),
    (
        None,
        "retention.applied",
        None,
        "asked 2, removed 1, contact notes 3, broadcasts 4, audit entries 5",
        "retention_applied",
    ),
    (COORD, "invitation.made", PRIYA, "decision_maker, link 3", "invitation_made"),
    (None, "invitation.used", PRIYA, "decision_maker, link 3, 2 sent again", "invitation_used"),
    (
        COORD,
        "opportunity.created",
        None,
        "opportunity 6 (paid) for hub:nw_hub_1, 4 told",
        "opportunity_created",
    ),
    (SAM, "opportunity.interest", None, "opportunity 6", "opportunity_interest"),
    (SAM, "opportunity.withdrawn", None, "opportunity 6", "opportunity_withdrawn"),
    (COORD, "opportunity.people", None, "opportunity 6", "opportunity_people"),
    (
        COORD,
        "opportunity.chosen",
        None,
        "opportunity 6: 1 chosen, 2 not this time",
        "opportunity_chosen",
    ),
    (COORD, "opportunity.outcome", SAM, "opportunity 6: took_part", "opportunity_outcome"),
    (COORD, "opportunity.closed", None, "opportunity 6", "opportunity_closed_early"),
    (
        None,
        "opportunity.closed",
        None,
        "opportunity 6: deadline, 2 waiting, 1 chosen",
        "opportunity_closed",
    ),
    (COORD, "opportunity.cancelled", None, "opportunity 6", "opportunity_cancelled"),
    (COORD, "series.created", None, f"series 2: monthly, next {CLOSES}", "series_created"),
    (COORD, "series.paused", None, "series 2", "series_paused"),
    (COORD, "series.resumed", None, "series 2", "series_resumed"),
    (COORD, "series.stopped", None, "series 2", "series_stopped"),
    (COORD, "series.changed", None, f"series 2, next {CLOSES}", "series_changed"),
    (COORD, "series.readers", None, "series 2, 1 decision-makers", "series_readers"),
    (None, "series.round", None, "series 2 round 3: consultation 9", "series_round"),
    (COORD, "group.linked", None, "group -5001 to hub:nw_hub_1: NW hub chat", "group_linked"),
    (COORD, "group.relinked", None, "group -5001 to everyone: NW hub chat", "group_relinked"),
    (COORD, "group.unlinked", None, "group -5001: NW hub chat", "group_unlinked"),
    (SAM, "group.bot_added", None, "group -5001: NW hub chat", "group_bot_added"),
    (SAM, "group.bot_admin", None, "group -5001: NW hub chat", "group_bot_admin"),
    (SAM, "group.bot_not_admin", None, "group -5001: NW hub chat", "group_bot_not_admin"),
    (SAM, "group.bot_removed", None, "group -5001: NW hub chat", "group_bot_removed"),
    (None, "group.moved", None, "group -1009: NW hub chat", "group_moved"),
    (COORD, AUDIT_READ, None, "", "audit_read"),
]


@pytest.fixture(scope="module")
def forum() -> Forum:
    return load_forum(CONFIG_DIR / "forum.yaml")


@pytest.fixture
async def reports(db: Database, clock: Clock, forum: Forum) -> ReportService:
    roles = RoleService(RoleRepository(db), AuditRepository(db), clock, {COORD})
    await roles.bootstrap()
    members = MemberRepository(db)
    for telegram_id, name in ((COORD, "Casey"), (PRIYA, "Priya"), (SAM, "Sam")):
        await members.add(telegram_id, name, START)
    return ReportService(members, StatsRepository(db), AuditRepository(db), roles, forum, clock)


async def _record(db: Database, rows: list[tuple]) -> None:
    audit = AuditRepository(db)
    for actor, action, target, detail, *_ in rows:
        await audit.record(actor, action, START, target, detail)


def test_every_action_the_bot_records_has_a_kind_and_a_sentence() -> None:
    """A new action with no sentence would read as its code: add it to AUDIT_KINDS
    (bot/services/audit_lines.py) and DETAILS (bot/services/audit_details.py), and a sentence
    under audit.did in config/texts/core.yaml."""
    recorded = set()
    for path in (Path(__file__).parents[2] / "bot").rglob("*.py"):
        recorded |= set(re.findall(r'audit\.record\(\s*[^,()]+,\s*"([a-z_.]+)"', path.read_text()))
    assert len(recorded) > 20
    known = {action for actions in AUDIT_KINDS.values() for action in actions}
    assert recorded <= known, sorted(recorded - known)
    sampled = {action for _, action, *_ in SAMPLES}
    assert known <= sampled, sorted(known - sampled)
    keys = set(load_texts(CONFIG_DIR / "texts").keys())
    for *_, what in SAMPLES:
        assert f"audit.did.{what}" in keys, what


async def test_each_detail_becomes_facts_and_nothing_reads_as_a_code(
    db: Database, reports: ReportService
) -> None:
    await _record(db, SAMPLES)

    view = await reports.audit_log(COORD, limit=100)

    sentences = [line.what for line in view.lines]
    assert sentences[: len(SAMPLES)] == [what for *_, what in reversed(SAMPLES)]
    assert "other" not in sentences
    by_what = {line.what: line for line in view.lines}
    sent = by_what["message_sent"]
    assert sent.actor.name == "Casey" and sent.actor.kind == NAMED
    assert sent.facts["audience"] == "region:north_west"
    assert sent.facts["count"] == 12
    assert by_what["message_planned"].facts["urgent"] is True
    assert by_what["message_planned"].facts["time"] == datetime(2026, 12, 11, 8, 0, tzinfo=UTC)
    finished = by_what["delivery_finished"].facts
    assert finished == {"id": 3, "coordinators": True, "delivered": 10, "total": 12}
    assert by_what["delivery_finished"].actor.kind == BOT
    assert by_what["role_granted"].target.name == "Priya"
    assert by_what["role_from_settings"].actor.kind == BOT
    assert by_what["members_listed"].facts["hub"].startswith("North West hub 1")
    assert by_what["meeting_created"].facts["title"] is None  # no such meeting (any more)
    assert by_what["attendance_period"].facts == {"months": 3}
    assert by_what["question_closed"].actor.kind == BOT


async def test_someone_erased_reads_as_someone_who_has_left(
    db: Database, reports: ReportService
) -> None:
    await _record(db, [SAMPLES[0], (SAM, "members.report", None, "")])
    await erase_person(db, PRIYA)
    await erase_person(db, SAM)
    await AuditRepository(db).record(STRANGER, "refused", START, detail="members report")

    lines = (await reports.audit_log(COORD)).lines

    by_action = {}
    for line in lines:  # newest first: the bootstrap's grant of Casey comes last
        by_action.setdefault(line.action, line)
    assert by_action["role.granted"].target.kind == LEFT
    assert by_action["members.report"].actor.kind == LEFT
    stranger = by_action["refused"].actor
    assert (stranger.kind, stranger.telegram_id) == (UNNAMED, STRANGER)


async def test_filters_by_kind_person_and_typed_words(db: Database, reports: ReportService) -> None:
    await _record(db, SAMPLES)

    roles = await reports.audit_log(COORD, kind="roles")
    assert {line.action for line in roles.lines} <= set(AUDIT_KINDS["roles"])
    assert roles.lines

    about_priya = await reports.audit_log(COORD, person=PRIYA)
    assert about_priya.about.name == "Priya"
    assert {line.what for line in about_priya.lines} == {
        "role_granted",
        "role_revoked",
        "invitation_made",
        "invitation_used",
    }

    typed = await reports.audit_log(COORD, words="sam MEETINGS")
    assert typed.kind == "meetings" and typed.about.name == "Sam"
    assert [line.what for line in typed.lines] == ["meeting_answered"]

    nobody = await reports.audit_log(COORD, words="Zebedee")
    assert nobody.not_found and nobody.name == "Zebedee" and not nobody.lines

    with pytest.raises(InvalidChoice):
        await reports.audit_log(COORD, kind="secrets")


async def test_only_coordinators_may_look_and_each_look_is_recorded(
    db: Database, reports: ReportService
) -> None:
    with pytest.raises(NotAllowed):
        await reports.audit_log(SAM, words="Casey")
    await reports.audit_log(COORD, person=PRIYA)
    await reports.audit_log(COORD, kind="meetings")

    rows = await db.fetch_all(
        "SELECT actor_id, action, target_id, detail FROM audit_log ORDER BY id DESC LIMIT 3"
    )
    assert [tuple(row) for row in rows] == [
        (COORD, AUDIT_READ, None, "kind meetings"),
        (COORD, AUDIT_READ, PRIYA, ""),
        (SAM, "refused", None, "read audit log"),
    ]


def test_typed_words_pick_a_kind_and_leave_a_name() -> None:
    assert read_audit_words("grants") == ("roles", "")
    assert read_audit_words("Casey") == (None, "Casey")
    assert read_audit_words("Mary Ann messages") == ("messages", "Mary Ann")
    assert read_audit_words("meetings, Sam!") == ("meetings", "Sam")
    assert read_audit_words("Questions") == ("questions", "")


@given(st.text(max_size=200))
def test_any_typed_words_are_read_without_error(words: str) -> None:
    kind, name = read_audit_words(words)
    assert kind is None or kind in AUDIT_KINDS
    assert set(KIND_WORDS.values()) <= set(AUDIT_KINDS)
    assert len(name) <= len(words)


async def test_every_line_renders_as_a_sentence_with_no_codes_or_ids(
    db: Database, reports: ReportService, forum: Forum
) -> None:
    """The handler's words for each sample, as a coordinator reads them."""
    await _record(db, SAMPLES)
    await erase_person(db, SAM)
    lines = (await reports.audit_log(COORD, limit=100)).lines
    texts = load_texts(CONFIG_DIR / "texts")
    settings = SimpleNamespace(zone=ZoneInfo("Europe/London"))
    context = SimpleNamespace(services=SimpleNamespace(texts=texts, settings=settings, forum=forum))

    said = {line.what: plain(sentence(context, line, viewer=COORD)) for line in lines}

    assert said["role_granted"] == "Casey made Priya a decision-maker."
    assert said["message_sent"] == "Casey sent a message to members in North West, 12 people."
    assert said["message_planned"] == (
        "Casey set a message to go to all members on Friday 11 December 2026 at 08:00, "
        "1 person. It was urgent."
    )
    assert said["refused"].startswith("Someone who has left tried something")
    assert said["delivery_finished"] == "Message 3 is done. 10 of 12 got it."
    # Sent to those who answered a question: its numbers would say how many did.
    assert said["delivery_finished_by_answer"] == (
        "Note 7 is done. It went to people picked by whether they answered a question, "
        "so no numbers are shown."
    )
    assert said["meeting_created"].startswith("Casey set up the meeting (since deleted) for")
    assert said["question_closed"] == "The question (since deleted) closed on time."
    assert said["invitation_used"] == "Priya opened their invitation link, as a decision-maker."
    for what, words in said.items():
        assert words[0].isupper() and words.endswith("."), what
        assert "{" not in words and "_" not in words, what
        assert not re.search(r"\b(1001|1002|1003)\b", words), what
    # A coordinator the bot has no name for, reading about themselves: the sentence that
    # starts with them starts "You" (seen in the sandbox as "you became a coordinator").
    settings_line = next(line for line in lines if line.what == "role_from_settings")
    unnamed = dataclasses.replace(
        settings_line, target=dataclasses.replace(settings_line.target, kind="unnamed", name=None)
    )
    own = plain(sentence(context, unnamed, viewer=COORD))
    assert own.startswith("You became a coordinator"), own


def plain(html_text: str) -> str:
    """What a person reads."""
    return html.unescape(re.sub(r"<[^>]*>", "", html_text))
