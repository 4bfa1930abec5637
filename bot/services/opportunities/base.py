"""What every part of the opportunity service works with: its fields and the shared checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.delivery.audience import EVERYONE, HUB, REGION
from bot.delivery.outbox import Outbox, Rendered
from bot.services.members import MemberService
from bot.services.opportunities.messages import OpportunityMessages
from bot.services.opportunities.rules import (
    OPEN,
    OpportunityClosed,
    OpportunityFull,
    OpportunityGone,
)
from bot.services.outreach import Outreach
from storage.db import Database
from storage.members import Member
from storage.opportunities import Opportunity, OpportunityRepository


@dataclass(eq=False)
class OpportunityBase(Outreach):
    """The shared fields and look-ups of every part (posting, answers, choosing, closing)."""

    db: Database
    opportunities: OpportunityRepository
    members: MemberService
    messages: OpportunityMessages

    async def _get(self, opportunity_id: int, tx: Any = None) -> Opportunity:
        """The opportunity (read in ``tx`` when one is given), or OpportunityGone."""
        opportunity = await self.opportunities.get(opportunity_id, tx)
        if opportunity is None:
            raise OpportunityGone
        return opportunity

    async def _visible_to(self, member: Member, opportunity_id: int) -> Opportunity:
        """The opportunity, if this member's place lets them see it."""
        opportunity = await self._get(opportunity_id)
        scope, place = opportunity.audience_scope, opportunity.audience_place
        if scope == EVERYONE:
            return opportunity
        if (scope == REGION and place == member.region_id) or (
            scope == HUB and place == member.hub_id
        ):
            return opportunity
        raise OpportunityGone

    async def _taking_interest(self, opportunity: Opportunity, tx: Any = None) -> None:
        """Refuse interest once closed, cancelled or ended, or once every place is filled."""
        if opportunity.state != OPEN or opportunity.closes_at <= self.clock.now():
            raise OpportunityClosed
        if opportunity.places is not None:
            counts = await self.opportunities.counts(opportunity.id, tx)
            if counts.chosen >= opportunity.places:
                raise OpportunityFull

    async def _posters(self, opportunity: Opportunity) -> list[int]:
        """Who hears about interest: the coordinator who posted it, or every coordinator if
        they no longer are one."""
        creator = opportunity.created_by
        if creator is not None and await self.roles.is_coordinator(creator):
            return [creator]
        return await self.roles.coordinators()


async def queue(
    box: Outbox,
    kind: str,
    rendered: Rendered,
    people: Sequence[int],
    actor_id: int | None,
    **options: Any,
) -> None:
    """Queue a message to ``people`` in the box's transaction (nobody: nothing written)."""
    await box.send_rendered(kind, rendered, people, created_by=actor_id, **options)
