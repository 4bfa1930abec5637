"""An opportunity service over a real database, with a delivery engine that queues but never
sends: Casey and Robin coordinate; members in the North West (two hubs) and the Midlands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import Clock
from bot.delivery import AudienceResolver, build_delivery
from bot.delivery.quiet import QuietHours
from bot.directory import load_directory
from bot.forum import load_forum
from bot.services.members import MemberService
from bot.services.opportunities import OpportunityService
from bot.services.roles import RoleService
from bot.texts import load_texts
from config.settings import CONFIG_DIR
from handlers.opportunities.messages import OpportunityTexts
from storage.audience import AudienceRepository
from storage.audit import AuditRepository
from storage.db import Database
from storage.members import MemberRepository
from storage.opportunities import OpportunityRepository
from storage.roles import RoleRepository
from tests.conftest import make_settings

LONDON = ZoneInfo("Europe/London")
CASEY, ROBIN = 900_000_001, 900_000_002  # coordinators
NW_1 = [600_000_001, 600_000_002]  # North West, hub 1
NW_2 = 600_000_003  # North West, hub 2
MIDLANDS = 600_000_011
PAUSED = 600_000_004  # North West hub 1, paused
DAY = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)  # Thursday, 14:30 in London


@dataclass
class World:
    """The service and what it stands on."""

    service: OpportunityService
    repo: OpportunityRepository
    members: MemberRepository
    roles: RoleService
    clock: Clock
    db: Database

    async def queued(self, kind: str) -> list[dict]:
        """Broadcasts of a kind with their recipients and text, oldest first."""
        rows = await self.db.fetch_all(
            "SELECT id, text_html, audience FROM broadcasts WHERE kind = ? ORDER BY id", (kind,)
        )
        found = []
        for row in rows:
            people = await self.db.fetch_all(
                "SELECT recipient_id FROM deliveries WHERE broadcast_id = ? ORDER BY recipient_id",
                (row["id"],),
            )
            found.append(
                {
                    "to": [p["recipient_id"] for p in people],
                    "text": row["text_html"],
                    "audience": row["audience"],
                }
            )
        return found


async def build_world(tmp_path: Path, db: Database) -> World:
    """The world at DAY."""
    clock = Clock(DAY)
    audit = AuditRepository(db)
    roles = RoleService(RoleRepository(db), audit, clock, {CASEY, ROBIN})
    await roles.bootstrap()
    members = MemberRepository(db)
    places = {m: ("north_west", "nw_hub_1") for m in [*NW_1, PAUSED]}
    places[NW_2] = ("north_west", "nw_hub_2")
    places[MIDLANDS] = ("midlands", None)
    for member_id, (region, hub) in places.items():
        await members.add(member_id, f"M{member_id % 100}", DAY)
        await members.set_place(member_id, region, hub, DAY)
    await members.set_pause(PAUSED, datetime(2026, 12, 30, tzinfo=UTC), DAY)
    forum = load_forum(CONFIG_DIR / "forum.yaml")
    texts = load_texts(CONFIG_DIR / "texts")
    directory = load_directory(
        CONFIG_DIR / "support_directory.yaml", {r.id for r in forum.regions}, today=DAY.date()
    )
    delivery = build_delivery(make_settings(tmp_path), db, clock)  # never started
    repo = OpportunityRepository(db)
    service = OpportunityService(
        delivery,
        AudienceResolver(AudienceRepository(db), forum, clock),
        roles,
        audit,
        QuietHours(21, 8, LONDON),
        clock,
        db=db,
        opportunities=repo,
        members=MemberService(db, members, RoleRepository(db), audit, forum, clock),
        messages=OpportunityTexts(texts, LONDON, directory),
    )
    return World(service, repo, members, roles, clock, db)


@pytest.fixture
async def world(tmp_path: Path, db: Database) -> World:
    """The default world at DAY."""
    return await build_world(tmp_path, db)
