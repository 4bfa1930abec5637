"""Fixtures for the warm hand-off: the contact service over a real database with a delivery
engine that queues but never sends, and the whole bot with two coordinators on the emulator.

``contact_service`` builds the service as the composition root does (real delivery engine,
notices and reach check); the unit tests of the service use it too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import DeliveryService, build_delivery
from bot.forum import load_forum
from bot.services.contact import DEFAULT_REMINDER_HOURS, ContactService
from bot.services.reach import ReachService
from bot.services.roles import RoleService
from bot.texts import load_texts
from emulator.emulator import BotApiEmulator
from handlers.contact import UrgentNotices
from handlers.reach_messages import ReachTexts
from storage.audit import AuditRepository
from storage.consultations import ConsultationRepository
from storage.contact_requests import ContactRequestRepository
from storage.db import Database
from storage.members import MemberRepository
from storage.reach import ReachRepository
from storage.results_warnings import ResultsWarningRepository
from storage.roles import COORDINATOR, RoleRepository
from tests.conftest import START, make_settings
from tests.e2e.harness import RunningBot, running_bot

CASEY = 900_000_001  # coordinator named in settings
ALEX = 900_000_002  # a second coordinator
MEMBER = 700_000_401  # Jo, a member in the Midlands
VISITOR = 700_000_402  # Robin, who never joined
REMINDER_HOURS = 2


def contact_service(
    db: Database,
    roles: RoleService,
    clock: Clock,
    folder: Path,
    *,
    delivery: DeliveryService | None = None,
    reminder_hours: int = DEFAULT_REMINDER_HOURS,
) -> ContactService:
    """The contact service over ``db`` as bot/app.py builds it: the delivery engine (given, or
    a new one that is never started, so nothing is sent), the notices' look and the real
    reach check (a coordinator the bot knows nothing about counts as reachable)."""
    settings = make_settings(folder)
    texts = load_texts(settings.texts_dir)
    audit = AuditRepository(db)
    requests = ContactRequestRepository(db)
    delivery = delivery or build_delivery(settings, db, clock, audit=audit)
    reach = ReachService(
        ReachRepository(db),
        ResultsWarningRepository(db),
        ConsultationRepository(db),
        requests,
        delivery,
        roles,
        clock,
        ReachTexts(texts),
    )
    return ContactService(
        requests,
        MemberRepository(db),
        roles,
        audit,
        clock,
        delivery=delivery,
        messages=UrgentNotices(texts, load_forum(settings.forum_file)),
        reach=reach,
        reminder_hours=reminder_hours,
    )


@dataclass
class World:
    """The contact service and what it stands on (nothing is sent: the worker never starts)."""

    contact: ContactService
    requests: ContactRequestRepository
    delivery: DeliveryService
    roles: RoleService
    db: Database
    clock: Clock
    notices: UrgentNotices
    folder: Path

    def fresh_service(self) -> ContactService:
        """Another service on the same database, as after a restart."""
        return contact_service(
            self.db,
            self.roles,
            self.clock,
            self.folder,
            delivery=self.delivery,
            reminder_hours=REMINDER_HOURS,
        )

    async def broadcasts(self, kind: str) -> list[dict]:
        """Broadcasts of a kind with their recipients, oldest first."""
        found = []
        for row in await self.db.fetch_all(
            "SELECT * FROM broadcasts WHERE kind = ? ORDER BY id", (kind,)
        ):
            people = await self.db.fetch_all(
                "SELECT recipient_id FROM deliveries WHERE broadcast_id = ? ORDER BY recipient_id",
                (row["id"],),
            )
            found.append({**dict(row), "to": [p["recipient_id"] for p in people]})
        return found

    async def audit(self, action: str) -> list:
        """Audit entries of one action, oldest first."""
        rows = await self.db.fetch_all(
            "SELECT * FROM audit_log WHERE action = ? ORDER BY id", (action,)
        )
        return list(rows)


@pytest.fixture
async def world(tmp_path: Path, db: Database) -> World:
    """Casey and Alex coordinate; Jo is a member in the Midlands."""
    clock = Clock(START)
    audit = AuditRepository(db)
    roles = RoleService(RoleRepository(db), audit, clock, {CASEY})
    await roles.bootstrap()
    await roles.grant(CASEY, ALEX, COORDINATOR)
    members = MemberRepository(db)
    await members.add(MEMBER, "Jo", START)
    await members.set_place(MEMBER, "midlands", None, START)
    settings = make_settings(tmp_path)
    texts = load_texts(settings.texts_dir)
    notices = UrgentNotices(texts, load_forum(settings.forum_file))
    delivery = build_delivery(settings, db, clock, audit=audit)
    contact = contact_service(
        db, roles, clock, tmp_path, delivery=delivery, reminder_hours=REMINDER_HOURS
    )
    requests = ContactRequestRepository(db)
    return World(contact, requests, delivery, roles, db, clock, notices, tmp_path)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """A fresh emulator with Telegram's limits on (a person's chat may take short bursts)."""
    async with BotApiEmulator() as emulator:
        emulator.set_limits(per_chat_burst=20)
        yield emulator


def open_chats(emu: BotApiEmulator, *people: tuple[int, str]) -> None:
    """People who have opened a chat with the bot (so it may write to them)."""
    for user_id, name in people:
        emu.add_user(user_id, name)
        emu.chat(user_id).started = True


@pytest.fixture
async def bot(tmp_path: Path, emu: BotApiEmulator) -> AsyncIterator[RunningBot]:
    """The real bot with Casey and Alex as coordinators, no quiet hours, a clock to move."""
    open_chats(emu, (CASEY, "Casey"), (ALEX, "Alex"))
    async with running_bot(
        tmp_path,
        emu,
        clock=Clock(),
        coordinator_ids=[CASEY, ALEX],
        quiet_hours_start=0,
        quiet_hours_end=0,
    ) as running:
        yield running
