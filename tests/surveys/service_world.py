"""A survey service over a real database, with survey files in a temporary folder and a
delivery engine that queues but never sends: the world of test_service*, test_storage* and
test_anonymity. Import ``world_fixture`` (the ``world`` fixture) from here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import Clock
from bot.delivery import Audience, AudienceResolver, build_delivery
from bot.delivery.audience import EVERYONE, REGION
from bot.delivery.quiet import QuietHours
from bot.forum import load_forum
from bot.retention_policy import DEFAULT_POLICY
from bot.services.outreach import Outreach
from bot.services.roles import RoleService
from bot.services.surveys import SurveyDraft, SurveyService
from bot.texts import load_texts
from config.settings import CONFIG_DIR
from handlers.surveys.messages import SurveyMessageTexts
from storage.audience import AudienceRepository
from storage.audit import AuditRepository
from storage.db import Database
from storage.members import MemberRepository
from storage.roles import DECISION_MAKER, RoleRepository
from storage.surveys import SurveyRepository
from tests.conftest import make_settings

LONDON = ZoneInfo("Europe/London")
CASEY = 900_000_001  # coordinator
DANA = 800_000_001  # decision-maker
NW = [600_000_001, 600_000_002, 600_000_003, 600_000_004, 600_000_005]  # North West, hub 1
NO_SURVEYS = 600_000_006  # North West, turned consultations (and so surveys) off
MIDLANDS = 600_000_011
# Thursday 10 December 2026, 14:30 in London (no summer time).
DAY = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)
THRESHOLD = 5

# An anonymous survey for a region: skip rules, a section per part, every kind of question.
PULSE = """\
title: Getting help this month
intro: Five short questions.
audience: region
anonymous: yes
consent:
  purpose: To learn how easy it is to get help.
  who_runs: The forum's peer researchers.
  who_sees: The research team sees the answers.
  kept_for: Twelve months.
questions:
  - kind: section
    text: Getting help
  - id: used
    kind: choice
    text: Did you use a crisis service this month?
    options:
      often: Yes, more than once
      once: Yes, once
      never: Not at all
  - id: which
    kind: choices
    text: Which ones?
    show_if:
      question: used
      any_of: [often, once]
    options:
      ae: A&E
      phone: A phone line
      team: A crisis team
  - id: ease
    kind: scale
    text: How easy was it?
    show_if:
      question: used
      any_of: [often, once]
    low_label: Very hard
    high_label: Very easy
  - kind: section
    text: Your ideas
  - id: days
    kind: number
    text: How many days did you wait?
    optional: yes
    minimum: 0
    maximum: 365
  - id: idea
    kind: text
    text: One thing that would help?
    optional: yes
    max_length: 200
"""
# The same survey for the whole forum, not anonymous.
NAMED = PULSE.replace("audience: region", "audience: forum").replace(
    "anonymous: yes", "anonymous: no"
)
BROKEN = PULSE.replace("kind: scale", "kind: slider")


@dataclass
class World:
    """The service and what it stands on."""

    surveys: SurveyService
    repo: SurveyRepository
    clock: Clock
    db: Database
    folder: Path
    tmp_path: Path

    def rebuilt(self) -> SurveyService:
        """A new service on the same database, as after a restart (nothing kept in memory)."""
        return _service(self.db, self.clock, self.folder, self.tmp_path)

    async def open_survey(
        self, file_key: str = "pulse", audience: Audience | None = None, **changes
    ) -> int:
        """A survey opened now by Casey, closing in 3 days; its id."""
        values = {
            "file_key": file_key,
            "audience": audience
            or (Audience(EVERYONE) if file_key == "named" else Audience(REGION, "north_west")),
            "opens_at": None,
            "closes_at": self.clock.now() + timedelta(days=3),
            "readers": (DANA,),
        }
        values.update(changes)
        record = await self.surveys.create(CASEY, SurveyDraft(**values))
        return record.id

    async def queued(self, kind: str) -> list[dict]:
        """Broadcasts of a kind with their recipients and text, oldest first."""
        rows = await self.db.fetch_all(
            "SELECT id, text_html FROM broadcasts WHERE kind = ? ORDER BY id", (kind,)
        )
        found = []
        for row in rows:
            people = await self.db.fetch_all(
                "SELECT recipient_id FROM deliveries WHERE broadcast_id = ? ORDER BY recipient_id",
                (row["id"],),
            )
            found.append({"text": row["text_html"], "to": [p["recipient_id"] for p in people]})
        return found

    async def rows(self, table: str) -> int:
        """How many rows a table holds."""
        return int(await self.db.fetch_value(f"SELECT COUNT(*) FROM {table}"))


def _service(db: Database, clock: Clock, folder: Path, tmp_path: Path) -> SurveyService:
    """The survey service as the composition root builds it."""
    audit = AuditRepository(db)
    roles = RoleService(RoleRepository(db), audit, clock, {CASEY})
    forum = load_forum(CONFIG_DIR / "forum.yaml")
    delivery = build_delivery(make_settings(tmp_path), db, clock)  # never started
    audiences = AudienceResolver(AudienceRepository(db), forum, clock)
    outreach = Outreach(delivery, audiences, roles, audit, QuietHours(21, 8, LONDON), clock)
    return SurveyService.sharing(
        outreach,
        db=db,
        surveys=SurveyRepository(db),
        messages=SurveyMessageTexts(load_texts(CONFIG_DIR / "texts"), LONDON, forum),
        roles_repository=RoleRepository(db),
        members=MemberRepository(db),
        surveys_dir=folder,
        nudge_hours=24,
        small_group=THRESHOLD,
        answers_kept=DEFAULT_POLICY.survey_answers,
    )


async def build_world(tmp_path: Path, db: Database, start: datetime = DAY) -> World:
    """Casey coordinates and Dana decides; five North West members in hub 1, one more who
    turned consultations off, one in the Midlands; the survey files pulse, named and broken."""
    clock = Clock(start)
    roles = RoleService(RoleRepository(db), AuditRepository(db), clock, {CASEY})
    await roles.bootstrap()
    await roles.grant(CASEY, DANA, DECISION_MAKER)
    members = MemberRepository(db)
    for member_id in [*NW, NO_SURVEYS]:
        await members.add(member_id, "M", start)
        await members.set_place(member_id, "north_west", "nw_hub_1", start)
    await members.set_preference(NO_SURVEYS, "consultations", False, start)
    await members.add(MIDLANDS, "M", start)
    await members.set_place(MIDLANDS, "midlands", None, start)
    folder = tmp_path / "surveys"
    folder.mkdir()
    for name, text in (("pulse", PULSE), ("named", NAMED), ("broken", BROKEN)):
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    service = _service(db, clock, folder, tmp_path)
    return World(service, service.surveys, clock, db, folder, tmp_path)


@pytest.fixture(name="world")
async def world_fixture(tmp_path: Path, db: Database) -> World:
    """The default world at DAY."""
    return await build_world(tmp_path, db)
