"""The reader role (granted can read, revoked cannot, a member is refused kindly and the try is
recorded), contributions noted (stored, audited, the member told kindly through the delivery
engine, bad input refused with nothing stored), /mydata's part and erasure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.role_args import parse_role_args
from bot.services.errors import InvalidChoice, NotAllowed, ServiceError
from bot.services.progression import ContributionDraft, NotReader
from bot.services.progression.dates import DayRefused
from storage.erasure import erase_person
from storage.roles import READER
from tests.progression.conftest import CASEY, NOW, World, add_member

DANA = 700_000_005
SAM = 600_000_001


def test_grant_understands_reader() -> None:
    assert parse_role_args(["700000005", "reader"]).role == READER
    assert parse_role_args(["700000005", "Reader"]).role == READER


async def test_a_reader_can_read_until_the_role_is_taken_away(world: World) -> None:
    with pytest.raises(NotReader):
        await world.service.report(DANA)
    await world.roles.grant(CASEY, DANA, READER)
    report = await world.service.report(DANA)
    assert report.target_members == 200
    await world.roles.revoke(CASEY, DANA, READER)
    with pytest.raises(NotReader) as refused:
        await world.service.report(DANA)
    assert refused.value.reason == "progression.not_allowed"
    actions = await world.db.fetch_all("SELECT actor_id, action, detail FROM audit_log ORDER BY id")
    seen = [(row["actor_id"], row["action"], row["detail"]) for row in actions]
    assert (CASEY, "role.granted", "reader") in [(a, b, c) for a, b, c in seen]
    assert (DANA, "progression.report", "") in seen
    assert seen.count((DANA, "refused", "progression report")) == 2


async def test_a_reader_cannot_note_contributions(world: World) -> None:
    await world.roles.grant(CASEY, DANA, READER)
    await add_member(world.db, SAM, NOW - timedelta(days=100))
    draft = ContributionDraft(SAM, "meeting_role", "chaired the June meeting", date(2026, 6, 12))
    with pytest.raises(NotAllowed):
        await world.service.record(DANA, "Dana", draft)
    with pytest.raises(NotAllowed):
        await world.service.find_members(DANA, "Member")


async def test_a_contribution_is_stored_audited_and_the_member_told(world: World) -> None:
    await add_member(world.db, SAM, NOW - timedelta(days=100))
    found = await world.service.find_members(CASEY, "member1")
    assert [m.telegram_id for m in found] == [SAM]
    draft = ContributionDraft(SAM, "meeting_role", "chaired the  June meeting", date(2026, 6, 12))
    saved = await world.service.record(CASEY, "Casey", draft)
    assert saved.detail == "chaired the June meeting"
    assert saved.happened_on.date() == date(2026, 6, 12)
    rows = await world.service.contributions_of(SAM)
    assert [(c.kind, c.detail) for c in rows] == [("meeting_role", "chaired the June meeting")]
    audit = await world.db.fetch_one(
        "SELECT actor_id, target_id, detail FROM audit_log WHERE action = 'contribution.recorded'"
    )
    assert (audit["actor_id"], audit["target_id"]) == (CASEY, SAM)
    assert "chaired" not in audit["detail"]  # their words are not kept in the record
    note = await world.db.fetch_one(
        "SELECT b.text_html, d.recipient_id FROM broadcasts b "
        "JOIN deliveries d ON d.broadcast_id = b.id WHERE b.kind = 'contribution_noted'"
    )
    assert note["recipient_id"] == SAM
    assert note["text_html"].startswith(
        "Casey noted that you chaired the June meeting (12 June 2026). Thank you."
    )


async def test_bad_input_is_refused_and_nothing_is_stored(world: World) -> None:
    await add_member(world.db, SAM, NOW - timedelta(days=100))
    day = date(2026, 6, 12)
    for draft in (
        ContributionDraft(SAM, "meeting_role", "   ", day),
        ContributionDraft(SAM, "meeting_role", "x" * 201, day),
        ContributionDraft(SAM, "chairing", "chaired", day),
        ContributionDraft(SAM, "other", "chaired", NOW.date() + timedelta(days=1)),
        ContributionDraft(600_000_999, "other", "chaired", day),
    ):
        with pytest.raises(ServiceError) as refused:
            await world.service.record(CASEY, "Casey", draft)
        assert refused.value.reason in ("progression.detail_refused", InvalidChoice.reason)
    assert await world.db.fetch_value("SELECT COUNT(*) FROM member_contributions") == 0
    assert await world.db.fetch_value("SELECT COUNT(*) FROM broadcasts") == 0
    with pytest.raises(DayRefused) as refused_day:
        world.service.read_day("31/02/2026")
    assert refused_day.value.key == "progression.day_unclear"


async def test_a_name_too_short_finds_nobody_and_html_names_are_plain(world: World) -> None:
    await add_member(world.db, SAM, NOW - timedelta(days=100))
    assert await world.service.find_members(CASEY, " m ") == []
    note = world.messages.noted("<b>Casey</b>", "other", "ran <i>a</i> stall", date(2026, 6, 1))
    assert "&lt;b&gt;Casey&lt;/b&gt;" in note and "&lt;i&gt;" in note


async def test_leaving_deletes_the_contributions(world: World) -> None:
    await add_member(world.db, SAM, NOW - timedelta(days=100))
    draft = ContributionDraft(SAM, "story_shared", "shared their story", date(2026, 6, 12))
    await world.service.record(CASEY, "Casey", draft)
    await erase_person(world.db, SAM, remember=False)
    assert await world.service.contributions_of(SAM) == []
    await erase_person(world.db, CASEY, remember=False)
    assert (
        await world.db.fetch_value(
            "SELECT COUNT(*) FROM member_contributions WHERE recorded_by = ?", (CASEY,)
        )
        == 0
    )
