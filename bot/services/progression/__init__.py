"""Progression: contributions a coordinator records for a member (/contribution), and the
progression report (/progression) for coordinators and readers, built off the event loop.
The stages live in config/progression_stages.yaml (`stages.py`); the figures and their
small-numbers rule in `figures.py`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.delivery import DeliveryService
from bot.delivery.outbox import outbox
from bot.forum import Forum
from bot.results.small_groups import SmallGroupRule
from bot.services.attendance.figures import months_before
from bot.services.errors import InvalidChoice, ServiceError
from bot.services.progression.dates import DayRefused, read_day
from bot.services.progression.figures import OTHER, ProgressionReport, build_report
from bot.services.progression.stages import Stages, load_stages
from bot.services.roles import RoleService
from storage.audit import AuditRepository
from storage.progression import (
    CONTRIBUTION_KINDS,
    NAMES_LISTED,
    Contribution,
    MemberLine,
    ProgressionRepository,
)
from storage.roles import COORDINATOR, READER, RoleRepository

DETAIL_LONGEST = 200
NAME_SHORTEST = 2
CONTRIBUTION_SENT = "contribution_noted"  # the delivery kind of the note to the member

__all__ = [
    "CONTRIBUTION_KINDS",
    "DETAIL_LONGEST",
    "NAMES_LISTED",
    "OTHER",
    "Contribution",
    "DayRefused",
    "MemberLine",
    "NotReader",
    "ProgressionReport",
    "ProgressionService",
    "Stages",
    "load_stages",
    "read_day",
]


class NotReader(ServiceError):
    """The report is for coordinators and readers only."""

    reason = "progression.not_allowed"


class DetailRefused(ServiceError):
    """A contribution's few words are missing or too long."""

    reason = "progression.detail_refused"


class ContributionMessages(Protocol):
    """How the note to a member reads (handlers/progression/messages.py)."""

    def noted(self, coordinator: str, kind: str, detail: str, day: date) -> str:
        """The kind note a member gets when a contribution is recorded for them."""
        ...


@dataclass(frozen=True)
class ContributionDraft:
    """What a coordinator chose: the member, the kind, a few words and the day."""

    member_id: int
    kind: str
    detail: str
    day: date


@dataclass(eq=False)
class ProgressionService(SmallGroupRule):
    """Records contributions (coordinators) and builds the progression report (coordinators
    and readers); roles checked here, every action audited."""

    rows: ProgressionRepository
    roles: RoleService
    role_rows: RoleRepository
    audit: AuditRepository
    delivery: DeliveryService
    messages: ContributionMessages
    stages: Stages
    forum: Forum
    clock: Clock
    zone: ZoneInfo

    # Who may read

    async def may_read(self, actor_id: int) -> bool:
        """Coordinators and readers may read the report."""
        return bool(await self.role_rows.roles_of(actor_id) & {COORDINATOR, READER})

    async def require_reader(self, actor_id: int) -> None:
        """Raise NotReader (and record the refusal) unless a coordinator or a reader."""
        if not await self.may_read(actor_id):
            await self.audit.record(
                actor_id, "refused", self.clock.now(), detail="progression report"
            )
            raise NotReader

    # The report

    async def report(self, actor_id: int) -> ProgressionReport:
        """The whole report, protected, built on a worker thread; the look is recorded."""
        await self.require_reader(actor_id)
        now = self.clock.now()
        report = await self.build(now)
        await self.audit.record(actor_id, "progression.report", now)
        return report

    async def build(self, now: datetime) -> ProgressionReport:
        """The report as of ``now`` (no role check: the benchmark and tests use it)."""
        facts = await self.rows.facts(now, self.stages.fact_ranks())
        since = months_before(now, 12, self.zone)
        opportunities = await self.rows.opportunity_figures(since, now)
        return await asyncio.to_thread(
            build_report,
            self.stages,
            facts,
            opportunities,
            self.forum,
            now,
            self.zone,
            self.small_group,
        )

    # Contributions

    async def find_members(self, actor_id: int, words: str) -> list[MemberLine]:
        """Members whose first name holds the words typed (coordinators only)."""
        await self.roles.require_coordinator(actor_id, "record a contribution")
        words = " ".join(words.split())
        if len(words) < NAME_SHORTEST:
            return []
        return await self.rows.members_named(words)

    async def member(self, actor_id: int, member_id: int) -> MemberLine:
        """One member, checked again (a stale button is refused)."""
        await self.roles.require_coordinator(actor_id, "record a contribution")
        found = await self.rows.member(member_id)
        if found is None:
            raise InvalidChoice
        return found

    def read_detail(self, text: str) -> str:
        """A few words, one line, at most DETAIL_LONGEST characters."""
        detail = " ".join(text.split())
        if not detail or len(detail) > DETAIL_LONGEST:
            raise DetailRefused
        return detail

    def today(self) -> date:
        """Today, in local time."""
        return self.clock.now().astimezone(self.zone).date()

    def read_day(self, text: str) -> date:
        """A typed day, checked (`DayRefused` says why not)."""
        return read_day(text, self.today())

    async def record(
        self, actor_id: int, actor_name: str, draft: ContributionDraft
    ) -> Contribution:
        """Write the contribution, its audit entry and the member's kind note in one
        transaction; checked again first."""
        await self.roles.require_coordinator(actor_id, "record a contribution")
        if draft.kind not in CONTRIBUTION_KINDS:
            raise InvalidChoice
        detail = self.read_detail(draft.detail)
        if draft.day > self.today():
            raise InvalidChoice
        member = await self.rows.member(draft.member_id)
        if member is None:
            raise InvalidChoice
        now = self.clock.now()
        happened = datetime.combine(draft.day, time(12), self.zone)
        note = self.messages.noted(actor_name, draft.kind, detail, draft.day)
        async with outbox(self.rows, self.delivery) as box:
            new_id = await self.rows.add_contribution(
                box.tx, member.telegram_id, draft.kind, detail, happened, actor_id, now
            )
            await self.audit.record(
                actor_id,
                "contribution.recorded",
                now,
                member.telegram_id,
                f"contribution {new_id}: {draft.kind}",
                tx=box.tx,
            )
            await box.send(CONTRIBUTION_SENT, note, [member.telegram_id], created_by=actor_id)
        return Contribution(new_id, member.telegram_id, draft.kind, detail, happened, actor_id, now)

    async def contributions_of(self, member_id: int) -> list[Contribution]:
        """A member's own contributions (for /mydata)."""
        return await self.rows.contributions_of(member_id)
