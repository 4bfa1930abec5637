"""Coordinators' views: members against the forum's targets, hub lists and the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.forum import Forum
from bot.services.audit_lines import (
    AUDIT_KINDS,
    AUDIT_READ,
    BOT,
    KIND_WORDS,
    LEFT,
    NAMED,
    UNNAMED,
    AuditLine,
    AuditView,
    Person,
    describe,
    person_of,
    read_audit_words,
)
from bot.services.errors import InvalidChoice
from bot.services.roles import RoleService
from storage.audit import AuditRepository
from storage.members import Member, MemberRepository
from storage.stats import StatsRepository

# The audit log's words and records are used from here by handlers and tests.
__all__ = [
    "AUDIT_KINDS",
    "AUDIT_LIMIT",
    "AUDIT_READ",
    "BOT",
    "KIND_WORDS",
    "LEFT",
    "NAMED",
    "UNNAMED",
    "AuditLine",
    "AuditView",
    "MembersReport",
    "Person",
    "PlaceLine",
    "RegionSummary",
    "ReportService",
    "read_audit_words",
    "region_targets",
]

AUDIT_LIMIT = 20  # lines /audit shows at once


@dataclass(frozen=True)
class PlaceLine:
    """Counts for one hub, one region's 'no hub yet', or the national-only group."""

    region_id: str | None
    hub_id: str | None
    active: int
    paused: int
    left: int


@dataclass(frozen=True)
class RegionSummary:
    """A region's totals and hubs."""

    region_id: str | None
    active: int
    paused: int
    left: int
    hubs_running: int
    lines: list[PlaceLine]
    target: int | None = None  # this region's share of the forum's target; None for national

    @property
    def members(self) -> int:
        """Active and paused members."""
        return self.active + self.paused


@dataclass(frozen=True)
class MembersReport:
    """The whole forum against its targets."""

    target_members: int
    target_hubs_per_region: int
    members: int
    active: int
    paused: int
    left: int
    regions: list[RegionSummary]


@dataclass(eq=False)
class ReportService:
    """Builds coordinators' reports, checking the role first."""

    members: MemberRepository
    stats: StatsRepository
    audit: AuditRepository
    roles: RoleService
    forum: Forum
    clock: Clock

    async def members_report(self, actor_id: int) -> MembersReport:
        """Members by region and hub with active, paused and left counts."""
        await self.roles.require_coordinator(actor_id, "members report")
        counts = {
            (c.region_id, c.hub_id): c for c in await self.members.counts_by_place(self.clock.now())
        }
        leavers = await self.stats.leavers_by_place()
        regions = []
        targets = dict(
            zip(
                (region.id for region in self.forum.regions),
                region_targets(self.forum.target_members, len(self.forum.regions)),
                strict=True,
            )
        )
        for region_id, hub_ids in self._places():
            lines = []
            for hub_id in hub_ids:
                count = counts.get((region_id, hub_id))
                lines.append(
                    PlaceLine(
                        region_id,
                        hub_id,
                        count.active if count else 0,
                        count.paused if count else 0,
                        leavers.get((region_id, hub_id), 0),
                    )
                )
            running = sum(1 for line in lines if line.hub_id and line.active + line.paused > 0)
            regions.append(
                RegionSummary(
                    region_id,
                    sum(line.active for line in lines),
                    sum(line.paused for line in lines),
                    sum(line.left for line in lines),
                    running,
                    lines,
                    targets.get(region_id) if region_id is not None else None,
                )
            )
        active = sum(r.active for r in regions)
        paused = sum(r.paused for r in regions)
        await self.audit.record(actor_id, "members.report", self.clock.now())
        return MembersReport(
            self.forum.target_members,
            self.forum.target_hubs_per_region,
            active + paused,
            active,
            paused,
            sum(r.left for r in regions),
            regions,
        )

    def _places(self) -> list[tuple[str | None, list[str | None]]]:
        """Every region with its hubs plus 'no hub yet', then national only."""
        places: list[tuple[str | None, list[str | None]]] = [
            (region.id, [*(hub.id for hub in region.hubs), None]) for region in self.forum.regions
        ]
        places.append((None, [None]))
        return places

    async def hub_members(self, actor_id: int, hub_id: str) -> list[Member]:
        """The members of one hub by name; the listing is recorded."""
        await self.roles.require_coordinator(actor_id, "list hub members")
        if self.forum.hub(hub_id) is None:
            raise InvalidChoice
        members = await self.members.in_hub(hub_id)
        await self.audit.record(
            actor_id, "members.listed", self.clock.now(), detail=f"hub {hub_id}"
        )
        return members

    async def audit_log(
        self,
        actor_id: int,
        *,
        kind: str | None = None,
        person: int | None = None,
        words: str = "",
        limit: int = AUDIT_LIMIT,
    ) -> AuditView:
        """The latest recorded actions as plain facts for sentences, newest first: all of them,
        one kind (``kind``), those by or about one person (``person``), or what typed words
        ask for (``words``: kind words and a first name, like 'Casey grants'). Coordinators
        only; each reading is recorded too (after it is read, so it is not in this view)."""
        await self.roles.require_coordinator(actor_id, "read audit log")
        if kind is not None and kind not in AUDIT_KINDS:
            raise InvalidChoice
        name = ""
        if words.strip():
            kind, name = read_audit_words(words, kind)
        people: list[int] | None = None
        if person is not None:
            people = [person]
        elif name:
            people = await self.audit.people_named(name)
            if not people:
                now = self.clock.now()
                await self.audit.record(actor_id, AUDIT_READ, now, detail="no such name")
                return AuditView([], kind, None, name, not_found=True)
        entries = await self.audit.latest(
            limit, AUDIT_KINDS[kind] if kind is not None else None, people
        )
        lines = await describe(entries, self.audit, self.forum)
        about = None
        if people is not None:
            about = person_of(people[0], await self.audit.names(people[:1]))
        detail = f"kind {kind}" if kind else ""
        await self.audit.record(
            actor_id, AUDIT_READ, self.clock.now(), people[0] if people else None, detail
        )
        return AuditView(lines, kind, about, name, full=len(entries) >= limit)


def region_targets(total: int, regions: int) -> list[int]:
    """Each region's share of the forum's member target: an even split, any remainder going one
    each to the first regions, so the shares add up to the whole target."""
    if regions <= 0:
        return []
    share, extra = divmod(total, regions)
    return [share + (1 if index < extra else 0) for index in range(regions)]
