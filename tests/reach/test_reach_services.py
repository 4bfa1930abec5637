"""Reaching everyone on real SQLite: what the bot knows about who has opened it, invitation
links (hashed, one person, once, 14 days), sending again to "not sure" (once, even pressed
twice at the same moment), what was waiting for someone (in order, once), urgent notices
that pass a pause, warnings once per pack and person, names in reports, and erasure."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import DeliveryService, build_delivery
from bot.delivery.policy import BLOCKED, CHAT_NOT_FOUND, Verdict, classify
from bot.delivery.reach import BLOCKED_BOT as WHY_BLOCKED
from bot.delivery.reach import NOT_CONFIRMED
from bot.delivery.reach import NOT_OPENED as WHY_NOT_OPENED
from bot.forum import load_forum
from bot.services.contact import ContactService
from bot.services.invitations import (
    EXPIRED,
    KIND_USED,
    KIND_WELCOME,
    NOT_YOURS,
    UNKNOWN,
    USED,
    WELCOMED,
    WITHDRAWN,
    InvitationService,
)
from bot.services.reach import (
    BLOCKED_BOT,
    KIND_NOT_PASSED_ON,
    KIND_PACK_WARNING,
    NOT_OPENED,
    OPENED,
    UNSURE,
    ReachService,
)
from bot.services.roles import RoleService
from bot.texts import load_texts
from handlers.contact import UrgentNotices
from handlers.reach_messages import ReachTexts
from storage.audit import AuditRepository
from storage.consultations import ConsultationRepository
from storage.contact_requests import ContactRequestRepository
from storage.db import Database, known_migrations, open_database
from storage.deliveries import FAILED, DeliveryRepository, RowUpdate
from storage.erasure import erase_person
from storage.invitations import InvitationRepository
from storage.members import MemberRepository
from storage.reach import ReachRepository
from storage.results_warnings import ResultsWarningRepository
from storage.roles import COORDINATOR, DECISION_MAKER, RoleRepository
from tests.conftest import START, make_settings

CASEY, ALEX = 900_000_001, 900_000_002  # coordinators
DANA = 900_000_301  # a decision-maker who has not opened the bot
JO, SAM = 700_000_001, 700_000_002  # members


@dataclass
class World:
    """The reach and invitation services over a real database (nothing is sent)."""

    db: Database
    clock: Clock
    delivery: DeliveryService
    deliveries: DeliveryRepository
    roles: RoleService
    members: MemberRepository
    reach: ReachService
    invitations: InvitationService
    contact: ContactService

    async def rows(self, broadcast_id: int) -> dict[int, dict]:
        """A broadcast's delivery rows by recipient."""
        rows = await self.db.fetch_all(
            "SELECT * FROM deliveries WHERE broadcast_id = ?", (broadcast_id,)
        )
        return {row["recipient_id"]: dict(row) for row in rows}

    async def end(self, broadcast_id: int, recipient: int, state: str, reason: str | None):
        """What the worker records after a send: claimed, then settled."""
        [row] = await self.db.fetch_all(
            "SELECT id FROM deliveries WHERE broadcast_id = ? AND recipient_id = ?",
            (broadcast_id, recipient),
        )
        now = self.clock.now()
        await self.deliveries.settle_and_claim(now, [], [row["id"]], [])
        update = RowUpdate(row["id"], state, 1 if state == "sent" else 0, 0, reason=reason)
        await self.deliveries.settle_and_claim(now, [update], [], [])

    async def broadcasts(self, kind: str) -> list[dict]:
        """Broadcasts of one kind with their recipients, oldest first."""
        found = []
        for row in await self.db.fetch_all(
            "SELECT * FROM broadcasts WHERE kind = ? ORDER BY id", (kind,)
        ):
            people = await self.db.fetch_all(
                "SELECT recipient_id FROM deliveries WHERE broadcast_id = ? ORDER BY id",
                (row["id"],),
            )
            found.append({**dict(row), "to": [p["recipient_id"] for p in people]})
        return found


@pytest.fixture
async def world(tmp_path: Path, db: Database) -> World:
    """Casey and Alex coordinate, Dana reads results; Jo and Sam are members."""
    clock = Clock(START)
    audit = AuditRepository(db)
    roles = RoleService(RoleRepository(db), audit, clock, {CASEY})
    await roles.bootstrap()
    await roles.grant(CASEY, ALEX, COORDINATOR)
    await roles.grant(CASEY, DANA, DECISION_MAKER)
    members = MemberRepository(db)
    for member_id, name in ((JO, "Jo"), (SAM, "Sam")):
        await members.add(member_id, name, START)
    settings = make_settings(tmp_path)
    texts = load_texts(settings.texts_dir)
    delivery = build_delivery(settings, db, clock, audit=audit)  # never started
    requests = ContactRequestRepository(db)
    reach_rows = ReachRepository(db)
    words = ReachTexts(texts)
    reach = ReachService(
        reach_rows,
        ResultsWarningRepository(db),
        ConsultationRepository(db),
        requests,
        delivery,
        roles,
        clock,
        words,
    )
    invitations = InvitationService(
        InvitationRepository(db), reach_rows, reach, delivery, roles, audit, clock, words
    )
    contact = ContactService(
        requests,
        members,
        roles,
        audit,
        clock,
        delivery=delivery,
        messages=UrgentNotices(texts, load_forum(settings.forum_file)),
        reach=reach,
    )
    return World(
        db, clock, delivery, DeliveryRepository(db), roles, members, reach, invitations, contact
    )


# What the bot knows about who has opened it


async def test_the_newest_sign_says_whether_someone_has_opened_the_bot(world: World) -> None:
    assert await world.reach.of(DANA) == UNSURE  # granted, nothing else known
    assert await world.reach.of(JO) == OPENED  # members joined through the bot

    sent = await world.delivery.enqueue("results", "pack", [DANA])
    await world.end(sent, DANA, FAILED, CHAT_NOT_FOUND)
    assert await world.reach.of(DANA) == NOT_OPENED

    world.clock.advance(timedelta(minutes=1))
    await world.reach.opened(DANA, "Dana")  # she sent /start
    assert await world.reach.of(DANA) == OPENED
    assert await world.reach.name_of(DANA) == "Dana"

    world.clock.advance(timedelta(minutes=1))
    later = await world.delivery.enqueue("results", "pack", [DANA])
    await world.end(later, DANA, FAILED, BLOCKED)
    assert await world.reach.of(DANA) == BLOCKED_BOT

    gone = await world.delivery.enqueue("broadcast", "news", [JO])
    await world.end(gone, JO, FAILED, BLOCKED)
    await world.members.set_reachable(JO, False, world.clock.now())
    assert await world.reach.of(JO) == BLOCKED_BOT
    assert not await world.reach.may_reach_any([JO, DANA])
    assert await world.reach.may_reach_any([JO, DANA, SAM])


def test_telegrams_403_for_someone_who_never_started_the_bot_means_not_opened() -> None:
    body = {"ok": False, "description": "Forbidden: bot can't initiate conversation with a user"}
    assert classify(403, body).verdict is Verdict.FAILED
    assert classify(403, body).reason == CHAT_NOT_FOUND
    assert classify(403, {"description": "Forbidden: bot was blocked by the user"}).reason == (
        BLOCKED
    )


# Invitation links


async def test_a_link_is_hashed_for_one_person_once_and_for_14_days(world: World) -> None:
    assert await world.invitations.offer(CASEY, JO, DECISION_MAKER) is None  # not their role
    offer = await world.invitations.offer(CASEY, DANA, DECISION_MAKER)
    assert offer is not None and offer.reach == UNSURE
    assert offer.expires_at == START + timedelta(days=14)
    [row] = await world.db.fetch_all("SELECT * FROM invitations")
    assert row["token_hash"] == hashlib.sha256(offer.token.encode()).hexdigest()
    assert offer.token not in str(dict(row))

    assert (await world.invitations.open(DANA, "Dana", "not a token!")).result == UNKNOWN
    assert (await world.invitations.open(DANA, "Dana", "B" * 32)).result == UNKNOWN
    assert (await world.invitations.open(SAM, "Sam", offer.token)).result == NOT_YOURS
    world.clock.advance(timedelta(days=14))
    assert (await world.invitations.open(DANA, "Dana", offer.token)).result == EXPIRED
    assert await world.broadcasts(KIND_WELCOME) == []


async def test_a_revoked_role_ends_its_link_and_only_the_newest_link_works(world: World) -> None:
    first = await world.invitations.offer(CASEY, DANA, DECISION_MAKER)
    second = await world.invitations.offer(CASEY, DANA, DECISION_MAKER)
    assert first and second and first.token != second.token
    assert (await world.invitations.open(DANA, "Dana", first.token)).result == EXPIRED
    await world.roles.revoke(CASEY, DANA, DECISION_MAKER)
    assert (await world.invitations.open(DANA, "Dana", second.token)).result == WITHDRAWN
    assert await world.broadcasts(KIND_WELCOME) == []


async def test_opening_a_link_queues_the_welcome_then_what_was_waiting_once(
    world: World,
) -> None:
    pack = await world.delivery.enqueue("consultation_results", "<b>Results</b>", [DANA, CASEY])
    await world.end(pack, DANA, FAILED, CHAT_NOT_FOUND)
    await world.end(pack, CASEY, "sent", None)
    notice = await world.delivery.enqueue("contact_urgent", "Urgent", [DANA], urgent=True)
    await world.end(notice, DANA, FAILED, BLOCKED)
    trouble = await world.delivery.enqueue("broadcast", "Telegram failed", [DANA])
    await world.end(trouble, DANA, FAILED, "server_error")  # not waiting: Telegram's fault
    offer = await world.invitations.offer(CASEY, DANA, DECISION_MAKER)
    assert offer is not None

    opening = await world.invitations.open(DANA, "Dana", offer.token)

    assert (opening.result, opening.role, opening.waiting) == (WELCOMED, DECISION_MAKER, 2)
    [welcome] = await world.broadcasts(KIND_WELCOME)
    assert welcome["to"] == [DANA] and welcome["urgent"] == 1
    assert "2 messages were waiting for you" in welcome["text_html"]
    copies = await world.db.fetch_all(
        "SELECT id, kind, resend_of, urgent FROM broadcasts WHERE resend_of IS NOT NULL ORDER BY id"
    )
    assert [(c["kind"], c["resend_of"], c["urgent"]) for c in copies] == [
        ("consultation_results", pack, 1),
        ("contact_urgent", notice, 1),
    ]
    assert welcome["id"] < copies[0]["id"]  # the welcome goes first
    [used] = await world.broadcasts(KIND_USED)
    assert used["to"] == [CASEY] and "Dana opened the link you sent" in used["text_html"]
    assert await world.reach.of(DANA) == OPENED

    # Opened again: nothing more is queued.
    assert (await world.invitations.open(DANA, "Dana", offer.token)).result == USED
    again = await world.db.fetch_value("SELECT COUNT(*) FROM broadcasts WHERE resend_of > 0")
    assert again == 2
    assert len(await world.broadcasts(KIND_WELCOME)) == 1


async def test_the_two_presses_of_a_link_at_once_welcome_once(world: World) -> None:
    offer = await world.invitations.offer(CASEY, DANA, DECISION_MAKER)
    assert offer is not None
    results = await asyncio.gather(
        world.invitations.open(DANA, "Dana", offer.token),
        world.invitations.open(DANA, "Dana", offer.token),
    )
    assert sorted(r.result for r in results) == [USED, WELCOMED]
    assert len(await world.broadcasts(KIND_WELCOME)) == 1


# Sending again to "not sure"


async def test_sending_again_to_not_sure_happens_once_even_pressed_twice_at_once(
    world: World,
) -> None:
    original = await world.delivery.enqueue(
        "broadcast", "Hello", [JO, SAM, DANA], created_by=CASEY, report_to=CASEY
    )
    await world.end(original, JO, "sent", None)
    # SAM and DANA were mid-send at a crash.
    await world.db.execute(
        "UPDATE deliveries SET state = 'sending' WHERE broadcast_id = ? AND recipient_id != ?",
        (original, JO),
    )
    assert await world.deliveries.recover(world.clock.now()) == 2

    missed = await world.delivery.missed(original)
    assert [(m.recipient_id, m.why, m.sent_again) for m in missed] == [
        (SAM, NOT_CONFIRMED, False),
        (DANA, NOT_CONFIRMED, False),
    ]
    note = "<i>You may have had this already.</i>\n\n"
    first, second = await asyncio.gather(
        world.delivery.resend_uncertain(original, note, created_by=CASEY, report_to=CASEY),
        world.delivery.resend_uncertain(original, note, created_by=CASEY, report_to=CASEY),
    )
    made = [r for r in (first, second) if r is not None]
    assert len(made) == 1 and made[0].recipients == 2
    copy = await world.db.fetch_one(
        "SELECT * FROM broadcasts WHERE id = ?", (made[0].broadcast_id,)
    )
    assert copy["text_html"] == note + "Hello"
    assert copy["resend_of"] == original and copy["report_chat_id"] == CASEY
    assert sorted(await world.rows(copy["id"])) == sorted([SAM, DANA])
    assert all(m.sent_again for m in await world.delivery.missed(original))
    assert await world.delivery.resend_uncertain(original, note) is None


async def test_messages_are_numbered_for_coordinators_and_for_notices_apart(
    world: World,
) -> None:
    first = await world.delivery.enqueue("broadcast", "One", [JO])
    notice = await world.delivery.enqueue("meeting_invite", "Meet", [JO])
    second = await world.delivery.enqueue("broadcast", "Two", [JO])
    numbers = {
        row["id"]: row["number"] for row in await world.db.fetch_all("SELECT * FROM broadcasts")
    }
    assert (numbers[first], numbers[notice], numbers[second]) == (1, 1, 2)
    mine = await world.delivery.recent(10, "broadcast")
    assert [s.broadcast.number for s in mine] == [2, 1]
    notices = await world.delivery.recent(10, other_than=("broadcast",))
    assert [s.id for s in notices] == [notice]


# Urgent notices pass a pause; names and reasons in reports


async def test_only_urgent_contact_notices_reach_someone_who_paused(world: World) -> None:
    await world.members.set_pause(JO, START + timedelta(days=14), START)
    ordinary = await world.delivery.enqueue("broadcast", "News", [JO, SAM])
    urgent = await world.delivery.enqueue(
        "contact_urgent", "Urgent", [JO, SAM], urgent=True, must_reach=True
    )
    due = {
        (c.broadcast_id, c.recipient_id): c.skip
        for c in await world.deliveries.candidates(world.clock.now(), False, 100)
    }
    assert due[(ordinary, JO)] == "paused" and due[(ordinary, SAM)] is None
    assert due[(urgent, JO)] is None and due[(urgent, SAM)] is None


async def test_who_was_not_reached_is_named_with_the_reason(world: World) -> None:
    first = await world.delivery.enqueue("broadcast", "One", [JO, SAM, DANA])
    await world.end(first, JO, FAILED, BLOCKED)
    await world.end(first, SAM, "sent", None)
    await world.end(first, DANA, FAILED, CHAT_NOT_FOUND)
    await world.members.set_reachable(JO, False, world.clock.now())
    second = await world.delivery.enqueue("broadcast", "Two", [JO])
    await world.db.execute(
        "UPDATE deliveries SET state = 'cancelled', reason = 'unreachable' WHERE broadcast_id = ?",
        (second,),
    )
    assert [(m.name, m.why) for m in await world.delivery.missed(first)] == [
        ("Jo", WHY_BLOCKED),
        (None, WHY_NOT_OPENED),  # Dana's name is not known until she opens the bot
    ]
    assert [(m.name, m.why) for m in await world.delivery.missed(second)] == [
        ("Jo", WHY_BLOCKED)  # skipped: the reason comes from the send that failed before
    ]


# Warnings


async def pack_for_dana(world: World) -> list[int]:
    """A closed consultation's pack for Dana: three parts, linked to it; their ids."""
    consultation_id = await world.db.insert(
        "INSERT INTO consultations (question, audience_scope, opens_at, closes_at, state, "
        "created_at, updated_at) VALUES ('Evening meetings?', 'everyone', ?, ?, 'closed', ?, ?)",
        ("2026-12-01T00:00:00+00:00",) * 4,
    )
    warnings = ResultsWarningRepository(world.db)
    parts = []
    for text in ("chart", "words", "file"):
        part = await world.delivery.enqueue("consultation_results", text, [DANA])
        async with world.db.transaction() as tx:
            await warnings.link(part, consultation_id, tx)
        parts.append(part)
    return parts


async def test_a_pack_that_cannot_reach_a_decision_maker_warns_coordinators_once(
    world: World,
) -> None:
    parts = await pack_for_dana(world)
    for part in parts[:2]:
        await world.end(part, DANA, FAILED, CHAT_NOT_FOUND)

    assert await world.reach.warn_about_packs() == 1
    assert await world.reach.warn_about_packs() == 0
    await world.end(parts[2], DANA, FAILED, CHAT_NOT_FOUND)
    assert await world.reach.warn_about_packs() == 0  # once per pack and person
    [warning] = await world.broadcasts(KIND_PACK_WARNING)
    assert warning["to"] == [CASEY, ALEX]
    assert "Evening meetings?" in warning["text_html"]
    assert "has not opened the bot yet" in warning["text_html"]
    assert f"/grant {DANA} decision-maker" in warning["text_html"]


async def test_an_urgent_ask_with_no_coordinator_to_reach_is_not_passed_on(
    world: World,
) -> None:
    for coordinator in (CASEY, ALEX):
        sent = await world.delivery.enqueue("broadcast", "x", [coordinator])
        await world.end(sent, coordinator, FAILED, CHAT_NOT_FOUND)
    outcome = await world.contact.ask(JO, "Jo", None, urgent=True)
    assert outcome.passed_on is False
    row = await world.db.fetch_one("SELECT * FROM contact_requests")
    assert row["unreached_at"] is not None  # told already: the follow-up will not repeat it
    assert await world.reach.tell_unpassed_requests() == 0

    ordinary = await world.contact.ask(SAM, "Sam", "Please call", urgent=False)
    assert ordinary.passed_on is True  # only urgent asks are checked


async def test_a_notice_that_reached_nobody_is_followed_up_once(world: World) -> None:
    outcome = await world.contact.ask(JO, "Jo", None, urgent=True)
    assert outcome.passed_on is True  # nothing known yet
    notice = outcome.request.notice_broadcast_id
    assert notice is not None
    for coordinator in (CASEY, ALEX):
        await world.end(notice, coordinator, FAILED, CHAT_NOT_FOUND)
    assert await world.reach.tell_unpassed_requests() == 0  # not finished yet
    await world.delivery.check()  # the monitor finishes the notice
    assert await world.reach.tell_unpassed_requests() == 1
    assert await world.reach.tell_unpassed_requests() == 0
    [told] = await world.broadcasts(KIND_NOT_PASSED_ON)
    assert told["to"] == [JO] and told["urgent"] == 1 and told["must_reach"] == 1
    assert "999" in told["text_html"] and "116 123" in told["text_html"]


# Erasure and the migration


async def test_erasure_takes_links_warnings_names_and_what_named_them(world: World) -> None:
    [part, *_] = await pack_for_dana(world)
    await world.end(part, DANA, FAILED, CHAT_NOT_FOUND)
    assert await world.reach.warn_about_packs() == 1  # names her (by her id: no name yet)
    offer = await world.invitations.offer(CASEY, DANA, DECISION_MAKER)
    assert offer is not None
    await world.invitations.open(DANA, "Dana", offer.token)  # "Dana opened the link"
    assert await world.reach.name_of(DANA) == "Dana"

    await erase_person(world.db, DANA)

    for table in ("invitations", "results_warnings", "roles"):
        left = await world.db.fetch_value(
            f"SELECT COUNT(*) FROM {table} WHERE telegram_id = ?", (DANA,)
        )
        assert left == 0, table
    assert await world.broadcasts(KIND_USED) == []
    assert await world.broadcasts(KIND_PACK_WARNING) == []
    texts = [row[0] for row in await world.db.fetch_all("SELECT text_html FROM broadcasts")]
    assert texts and not any("Dana" in text or str(DANA) in text for text in texts)


async def test_migration_9_numbers_what_was_sent_and_marks_urgent_notices(
    tmp_path: Path,
) -> None:
    path = tmp_path / "forum.db"
    with sqlite3.connect(path) as conn:
        for number, migration in known_migrations():
            if number > 8:
                break
            conn.executescript(
                f"BEGIN;\n{migration.read_text(encoding='utf-8')}\n"
                f"PRAGMA user_version = {number};\nCOMMIT;"
            )
        for kind in ("broadcast", "meeting_invite", "contact_urgent", "broadcast"):
            conn.execute(
                "INSERT INTO broadcasts (kind, created_at, text_html, total) "
                "VALUES (?, '2026-12-01T00:00:00+00:00', 'x', 0)",
                (kind,),
            )
    conn.close()

    database = await open_database(path)
    try:
        rows = await database.fetch_all(
            "SELECT kind, number, must_reach FROM broadcasts ORDER BY id"
        )
        assert [tuple(row) for row in rows] == [
            ("broadcast", 1, 0),
            ("meeting_invite", 1, 0),
            ("contact_urgent", 2, 1),
            ("broadcast", 2, 0),
        ]
    finally:
        await database.close()
