"""A meeting service (and the attendance service that marks who came) over a real database,
with a delivery engine that queues but never sends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import Clock
from bot.delivery import AudienceResolver, build_delivery
from bot.delivery.quiet import QuietHours
from bot.forum import load_forum
from bot.services.attendance import AttendanceService
from bot.services.meetings import MeetingService
from bot.services.roles import RoleService
from bot.texts import load_texts
from config.settings import CONFIG_DIR
from handlers.meetings.messages import MeetingMessages
from storage.attendance import AttendanceRepository
from storage.audience import AudienceRepository
from storage.audit import AuditRepository
from storage.db import Database
from storage.meetings import MeetingRepository
from storage.members import MemberRepository
from storage.roles import RoleRepository
from tests.conftest import make_settings

LONDON = ZoneInfo("Europe/London")
CASEY = 900_000_001  # coordinator
NW = [600_000_001, 600_000_002, 600_000_003, 600_000_004]
NO_MEETINGS = 600_000_005  # North West, turned meeting reminders off
MIDLANDS = 600_000_011
# Thursday 10 December 2026, 14:30 in London (no summer time).
DAY = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)


@dataclass
class World:
    """The service and what it stands on."""

    meetings: MeetingService
    repo: MeetingRepository
    clock: Clock
    db: Database
    messages: MeetingMessages
    attendance: AttendanceService

    async def queued(self, kind: str) -> list[dict]:
        """Broadcasts of a kind with their recipients, oldest first."""
        rows = await self.db.fetch_all(
            "SELECT id, urgent FROM broadcasts WHERE kind = ? ORDER BY id", (kind,)
        )
        found = []
        for row in rows:
            people = await self.db.fetch_all(
                "SELECT recipient_id FROM deliveries WHERE broadcast_id = ? ORDER BY recipient_id",
                (row["id"],),
            )
            found.append(
                {
                    "id": row["id"],
                    "urgent": bool(row["urgent"]),
                    "to": [p["recipient_id"] for p in people],
                }
            )
        return found


async def build_world(tmp_path: Path, db: Database, start: datetime = DAY, hours=(24, 2)) -> World:
    """Casey coordinates; four North West members, one without meeting reminders, one in the
    Midlands."""
    clock = Clock(start)
    audit = AuditRepository(db)
    roles = RoleService(RoleRepository(db), audit, clock, {CASEY})
    await roles.bootstrap()
    members = MemberRepository(db)
    for member_id in [*NW, NO_MEETINGS]:
        await members.add(member_id, "M", start)
        await members.set_place(member_id, "north_west", "nw_hub_1", start)
    await members.set_preference(NO_MEETINGS, "meetings", False, start)
    await members.add(MIDLANDS, "M", start)
    await members.set_place(MIDLANDS, "midlands", None, start)
    forum = load_forum(CONFIG_DIR / "forum.yaml")
    delivery = build_delivery(make_settings(tmp_path), db, clock)  # never started
    quiet = QuietHours(21, 8, LONDON)
    audiences = AudienceResolver(AudienceRepository(db), forum, clock)
    messages = MeetingMessages(load_texts(CONFIG_DIR / "texts"), LONDON)
    repo = MeetingRepository(db)
    service = MeetingService(
        delivery,
        audiences,
        roles,
        audit,
        quiet,
        clock,
        db=db,
        meetings=repo,
        members=members,
        messages=messages,
        reminder_hours=hours,
    )
    attendance = AttendanceService(db, AttendanceRepository(db), roles, audit, forum, clock, LONDON)
    return World(service, repo, clock, db, messages, attendance)


@pytest.fixture
async def world(tmp_path: Path, db: Database) -> World:
    """The default world at DAY."""
    return await build_world(tmp_path, db)
