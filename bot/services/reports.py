"""Coordinators' views: members against the forum's targets, hub lists and the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.forum import Forum
from bot.services.errors import InvalidChoice
from bot.services.roles import RoleService
from storage.audit import AuditEntry, AuditRepository
from storage.members import Member, MemberRepository
from storage.stats import StatsRepository


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


class ReportService:
    """Builds coordinators' reports, checking the role first."""

    def __init__(
        self,
        members: MemberRepository,
        stats: StatsRepository,
        audit: AuditRepository,
        roles: RoleService,
        forum: Forum,
        clock: Clock,
    ) -> None:
        self._members = members
        self._stats = stats
        self._audit = audit
        self._roles = roles
        self._forum = forum
        self._clock = clock

    async def members_report(self, actor_id: int) -> MembersReport:
        """Members by region and hub with active, paused and left counts."""
        await self._roles.require_coordinator(actor_id, "members report")
        counts = {
            (c.region_id, c.hub_id): c
            for c in await self._members.counts_by_place(self._clock.now())
        }
        leavers = await self._stats.leavers_by_place()
        regions = []
        targets = dict(
            zip(
                (region.id for region in self._forum.regions),
                region_targets(self._forum.target_members, len(self._forum.regions)),
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
        await self._audit.record(actor_id, "members.report", self._clock.now())
        return MembersReport(
            self._forum.target_members,
            self._forum.target_hubs_per_region,
            active + paused,
            active,
            paused,
            sum(r.left for r in regions),
            regions,
        )

    def _places(self) -> list[tuple[str | None, list[str | None]]]:
        """Every region with its hubs plus 'no hub yet', then national only."""
        places: list[tuple[str | None, list[str | None]]] = [
            (region.id, [*(hub.id for hub in region.hubs), None]) for region in self._forum.regions
        ]
        places.append((None, [None]))
        return places

    async def hub_members(self, actor_id: int, hub_id: str) -> list[Member]:
        """The members of one hub by name; the listing is recorded."""
        await self._roles.require_coordinator(actor_id, "list hub members")
        if self._forum.hub(hub_id) is None:
            raise InvalidChoice
        members = await self._members.in_hub(hub_id)
        await self._audit.record(
            actor_id, "members.listed", self._clock.now(), detail=f"hub {hub_id}"
        )
        return members

    async def audit_log(self, actor_id: int, limit: int = 20) -> list[AuditEntry]:
        """The latest audit entries."""
        await self._roles.require_coordinator(actor_id, "read audit log")
        return await self._audit.latest(limit)


def region_targets(total: int, regions: int) -> list[int]:
    """Each region's share of the forum's member target: an even split, any remainder going one
    each to the first regions, so the shares add up to the whole target."""
    if regions <= 0:
        return []
    share, extra = divmod(total, regions)
    return [share + (1 if index < extra else 0) for index in range(regions)]
