"""Series over a real database: the consultation, survey and series services as the composition
root builds them, with a delivery engine that queues but never sends, a clock the tests move,
Casey (coordinator), Dana (decision-maker) and members in the North West and the Midlands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import Clock
from bot.delivery import Audience, AudienceResolver, build_delivery
from bot.delivery.audience import EVERYONE, REGION
from bot.delivery.quiet import QuietHours
from bot.forum import load_forum
from bot.retention_policy import DEFAULT_POLICY
from bot.services.consultations import ConsultationDraft, ConsultationService
from bot.services.outreach import Outreach
from bot.services.roles import RoleService
from bot.services.series import SeriesService
from bot.services.series.rules import MONTH, RepeatRule
from bot.services.surveys import SurveyDraft, SurveyService
from bot.texts import load_texts
from config.settings import CONFIG_DIR
from handlers.consultations.messages import ConsultationMessages
from handlers.series.messages import SeriesMessageTexts
from handlers.surveys.messages import SurveyMessageTexts
from storage.audience import AudienceRepository
from storage.audit import AuditRepository
from storage.consultations import ConsultationRepository
from storage.db import Database
from storage.members import MemberRepository
from storage.roles import DECISION_MAKER, RoleRepository
from storage.series import SeriesRepository
from storage.surveys import SurveyRepository
from tests.conftest import make_settings
from tests.surveys.service_world import PULSE

LONDON = ZoneInfo("Europe/London")
CASEY = 900_000_001  # coordinator
DANA = 800_000_001  # decision-maker
NW = [600_000_001 + i for i in range(12)]  # North West, hub 1
MIDLANDS = 600_000_101
# Thursday 10 December 2026, 14:30 in London.
DAY = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)
FIRST_MONDAY = RepeatRule(MONTH, 0, 1, time(10, 0), 7)
FORUM_PULSE = PULSE.replace("audience: region", "audience: forum")


@dataclass
class World:
    """The services and what they stand on."""

    series: SeriesService
    consultations: ConsultationService
    surveys: SurveyService
    clock: Clock
    db: Database

    def poll(self, **changes: object) -> ConsultationDraft:
        """A monthly pulse question for everyone, results to Dana too."""
        values: dict[str, object] = {
            "question": "How easy was it to get help this month?",
            "options": ("Easy", "Hard", "Not sure"),
            "multiple": False,
            "ask_comment": False,
            "audience": Audience(EVERYONE),
            "closes_at": self.clock.now(),
            "member_note": "Coordinators and Dana read the results. No names.",
            "readers": (DANA,),
        }
        values.update(changes)
        return ConsultationDraft(**values)  # type: ignore[arg-type]

    def survey(self, **changes: object) -> SurveyDraft:
        """The pulse survey for the North West."""
        values: dict[str, object] = {
            "file_key": "pulse",
            "audience": Audience(REGION, "north_west"),
            "opens_at": None,
            "closes_at": self.clock.now(),
            "readers": (DANA,),
        }
        values.update(changes)
        return SurveyDraft(**values)  # type: ignore[arg-type]

    async def rounds(self, table: str = "consultations") -> list[dict]:
        """Every round made, in order: id, round, state, opens and closes (UTC text)."""
        rows = await self.db.fetch_all(
            f"SELECT id, series_id, series_round, state, opens_at, closes_at FROM {table} "
            "WHERE series_id IS NOT NULL ORDER BY series_id, series_round"
        )
        return [dict(zip(row.keys(), row, strict=True)) for row in rows]

    async def audit(self, prefix: str = "series.") -> list[tuple[int | None, str, str]]:
        """Audit rows of an action prefix: actor, action, detail, oldest first."""
        rows = await self.db.fetch_all(
            "SELECT actor_id, action, detail FROM audit_log WHERE action LIKE ? ORDER BY id",
            (prefix + "%",),
        )
        return [(row["actor_id"], row["action"], row["detail"]) for row in rows]

    def rebuilt(self, tmp_path: Path) -> SeriesService:
        """A new series service on the same database (as after a restart)."""
        return build_series(self.db, self.clock, tmp_path)[0]


def build_series(
    db: Database, clock: Clock, tmp_path: Path
) -> tuple[SeriesService, ConsultationService, SurveyService]:
    """The three services as bot/app.py builds them."""
    audit = AuditRepository(db)
    roles_repo = RoleRepository(db)
    roles = RoleService(roles_repo, audit, clock, {CASEY})
    forum = load_forum(CONFIG_DIR / "forum.yaml")
    texts = load_texts(CONFIG_DIR / "texts")
    delivery = build_delivery(make_settings(tmp_path), db, clock)  # never started
    audiences = AudienceResolver(AudienceRepository(db), forum, clock)
    outreach = Outreach(delivery, audiences, roles, audit, QuietHours(21, 8, LONDON), clock)
    consultations = ConsultationService.sharing(
        outreach,
        db=db,
        consultations=ConsultationRepository(db),
        messages=ConsultationMessages(texts, LONDON, forum),
        roles_repository=roles_repo,
        members=MemberRepository(db),
        nudge_hours=24,
        small_group=5,
    )
    surveys = SurveyService.sharing(
        consultations,
        surveys=SurveyRepository(db),
        messages=SurveyMessageTexts(texts, LONDON, forum),
        surveys_dir=tmp_path / "surveys",
        answers_kept=DEFAULT_POLICY.survey_answers,
    )
    series = SeriesService(
        db,
        SeriesRepository(db),
        consultations,
        surveys,
        roles,
        roles_repo,
        audit,
        clock,
        LONDON,
        SeriesMessageTexts(texts, LONDON),
    )
    return series, consultations, surveys


async def build_world(tmp_path: Path, db: Database, start: datetime = DAY) -> World:
    """Casey coordinates and Dana decides; twelve North West members and one in the Midlands;
    the pulse survey file (for the North West and for the forum)."""
    clock = Clock(start)
    roles = RoleService(RoleRepository(db), AuditRepository(db), clock, {CASEY})
    await roles.bootstrap()
    await roles.grant(CASEY, DANA, DECISION_MAKER)
    members = MemberRepository(db)
    for member_id in NW:
        await members.add(member_id, "M", start)
        await members.set_place(member_id, "north_west", "nw_hub_1", start)
    await members.add(MIDLANDS, "M", start)
    await members.set_place(MIDLANDS, "midlands", None, start)
    folder = tmp_path / "surveys"
    folder.mkdir(exist_ok=True)
    (folder / "pulse.yaml").write_text(PULSE, encoding="utf-8")
    (folder / "forum_pulse.yaml").write_text(FORUM_PULSE, encoding="utf-8")
    series, consultations, surveys = build_series(db, clock, tmp_path)
    return World(series, consultations, surveys, clock, db)


@pytest.fixture(name="world")
async def world_fixture(tmp_path: Path, db: Database) -> World:
    """The default world at DAY."""
    return await build_world(tmp_path, db)
