"""A progression service over a real database, and plain writers of recorded facts (the
tables other features fill), so each kind of fact can be set up on its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import Clock
from bot.delivery import build_delivery
from bot.forum import Forum, load_forum
from bot.services.progression import ProgressionService, load_stages
from bot.services.roles import RoleService
from bot.texts import load_texts
from config.settings import CONFIG_DIR
from handlers.progression.messages import ProgressionMessages
from storage.audit import AuditRepository
from storage.db import Database
from storage.progression import ProgressionRepository
from storage.roles import RoleRepository
from storage.timefmt import to_db
from tests.conftest import make_settings

LONDON = ZoneInfo("Europe/London")
CASEY = 900_000_001  # coordinator
NOW = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)


@dataclass
class World:
    """The service and what it stands on."""

    db: Database
    clock: Clock
    service: ProgressionService
    roles: RoleService
    forum: Forum
    messages: ProgressionMessages


async def build_world(tmp_path: Path, db: Database, threshold: int = 10) -> World:
    """Casey coordinates; no members yet."""
    clock = Clock(NOW)
    audit = AuditRepository(db)
    role_rows = RoleRepository(db)
    roles = RoleService(role_rows, audit, clock, {CASEY})
    await roles.bootstrap()
    forum = load_forum(CONFIG_DIR / "forum.yaml")
    messages = ProgressionMessages(load_texts(CONFIG_DIR / "texts"), LONDON, forum)
    service = ProgressionService(
        ProgressionRepository(db),
        roles,
        role_rows,
        audit,
        build_delivery(make_settings(tmp_path), db, clock),  # never started
        messages,
        load_stages(CONFIG_DIR / "progression_stages.yaml"),
        forum,
        clock,
        LONDON,
        small_group=threshold,
    )
    return World(db, clock, service, roles, forum, messages)


@pytest.fixture
async def world(tmp_path: Path, db: Database) -> World:
    """The default world at NOW."""
    return await build_world(tmp_path, db)


# --- writers of recorded facts -------------------------------------------------------------


async def add_member(
    db: Database, member_id: int, joined: datetime, region: str | None = "north_west"
) -> None:
    """A member who finished joining at ``joined``."""
    hub = {"north_west": "nw_hub_1", "midlands": "mid_hub_1"}.get(region or "")
    await db.execute(
        "INSERT INTO members (telegram_id, first_name, consented_at, region_id, hub_id, "
        "setup_done, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?)",
        (member_id, f"Member{member_id % 1000}", to_db(joined), region, hub, to_db(joined)),
    )


async def attended(db: Database, member_ids: list[int], starts: datetime, came: bool = True) -> int:
    """A meeting at ``starts`` with these members marked as came (or not)."""
    meeting = await db.insert(
        "INSERT INTO meetings (title, starts_at, duration_minutes, audience_scope, created_at, "
        "updated_at) VALUES ('Forum', ?, 60, 'everyone', ?, ?)",
        (to_db(starts), to_db(starts), to_db(starts)),
    )
    for member_id in member_ids:
        await db.execute(
            "INSERT INTO meeting_rsvps (meeting_id, member_id, invited, answer, attended) "
            "VALUES (?, ?, 1, 'going', ?)",
            (meeting, member_id, 1 if came else 0),
        )
    return meeting


async def answered_consultation(
    db: Database, member_id: int, closes: datetime, answered_at: datetime | None
) -> None:
    """A closed consultation the member answered (with or without the answer's time kept)."""
    cid = await db.insert(
        "INSERT INTO consultations (question, audience_scope, opens_at, closes_at, state, "
        "created_at, updated_at) VALUES ('Q?', 'everyone', ?, ?, 'closed', ?, ?)",
        (to_db(closes - timedelta(days=7)), to_db(closes), to_db(closes), to_db(closes)),
    )
    await db.execute(
        "INSERT INTO consultation_options (consultation_id, position, label) VALUES (?, 0, 'Y')",
        (cid,),
    )
    await db.execute(
        "INSERT INTO consultation_invites (consultation_id, member_id, answered_at) "
        "VALUES (?, ?, ?)",
        (cid, member_id, to_db(answered_at)),
    )
    await db.execute(
        "INSERT INTO consultation_choices (consultation_id, member_id, position) VALUES (?, ?, 0)",
        (cid, member_id),
    )


async def invited_only(db: Database, member_id: int, closes: datetime) -> None:
    """A consultation the member was asked and did not answer."""
    cid = await db.insert(
        "INSERT INTO consultations (question, audience_scope, opens_at, closes_at, state, "
        "created_at, updated_at) VALUES ('Q?', 'everyone', ?, ?, 'closed', ?, ?)",
        (to_db(closes - timedelta(days=7)), to_db(closes), to_db(closes), to_db(closes)),
    )
    await db.execute(
        "INSERT INTO consultation_invites (consultation_id, member_id) VALUES (?, ?)",
        (cid, member_id),
    )


async def answered_survey(
    db: Database, member_id: int, closes: datetime, anonymous: bool = False
) -> None:
    """A survey the member finished: a response named to them, or (anonymous, still open)
    only a finished invitation."""
    sid = await db.insert(
        "INSERT INTO surveys (file_key, title, definition, anonymous, audience_scope, opens_at, "
        "closes_at, state, created_at, updated_at) VALUES ('s', 'S', '{}', ?, 'everyone', ?, ?, "
        "?, ?, ?)",
        (
            int(anonymous),
            to_db(closes - timedelta(days=7)),
            to_db(closes),
            "open" if anonymous else "closed",
            to_db(closes),
            to_db(closes),
        ),
    )
    if anonymous:
        await db.execute(
            "INSERT INTO survey_invites (survey_id, member_id, agreed, finished) "
            "VALUES (?, ?, 1, 1)",
            (sid, member_id),
        )
    else:
        await db.execute(
            "INSERT INTO survey_responses (id, survey_id, member_id) VALUES (?, ?, ?)",
            (f"r{sid}-{member_id}", sid, member_id),
        )


async def opportunity(
    db: Database,
    kind: str,
    created: datetime,
    scope: str = "everyone",
    place: str | None = None,
    state: str = "ended",
) -> int:
    """An opportunity of a kind, posted at ``created``."""
    return await db.insert(
        "INSERT INTO opportunities (kind, title, involves, gives, time_needed, place, "
        "audience_scope, audience_place, closes_at, state, created_at, updated_at) "
        "VALUES (?, 'T', 'I', 'G', 'an hour', 'online', ?, ?, ?, ?, ?, ?)",
        (kind, scope, place, to_db(created), state, to_db(created), to_db(created)),
    )


async def interest(db: Database, opportunity_id: int, member_id: int, state: str) -> None:
    """A member's interest in an opportunity (no outcome)."""
    await db.execute(
        "INSERT INTO opportunity_interest (opportunity_id, member_id, state, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?)",
        (opportunity_id, member_id, state, to_db(NOW), to_db(NOW)),
    )


async def outcome(
    db: Database, opportunity_id: int, member_id: int, result: str, at: datetime
) -> None:
    """An outcome recorded for a member."""
    await db.execute(
        "INSERT INTO opportunity_outcomes (opportunity_id, member_id, outcome, recorded_at) "
        "VALUES (?, ?, ?, ?)",
        (opportunity_id, member_id, result, to_db(at)),
    )


async def contribution(db: Database, member_id: int, kind: str, happened: datetime) -> None:
    """A contribution recorded for a member."""
    await db.execute(
        "INSERT INTO member_contributions (member_id, kind, detail, happened_on, recorded_by, "
        "recorded_at) VALUES (?, ?, 'chaired', ?, ?, ?)",
        (member_id, kind, to_db(happened), CASEY, to_db(NOW)),
    )
