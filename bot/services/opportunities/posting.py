"""Coordinators posting an opportunity: the draft checked, who it reaches, and the offer queued."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.delivery import Audience
from bot.delivery.audience import HUB, REGION
from bot.delivery.outbox import outbox
from bot.services.audiences import check_audience
from bot.services.errors import InvalidChoice
from bot.services.opportunities.base import OpportunityBase, queue
from bot.services.opportunities.messages import KIND_OFFER
from bot.services.opportunities.records import Created
from bot.services.opportunities.rules import (
    KINDS,
    OpportunityDraft,
    check_draft,
    end_of_day,
    read_closing,
    wanted_by_default,
)
from storage.opportunities import NewOpportunity


@dataclass(eq=False)
class OpportunityPosting(OpportunityBase):
    """Posting: checks, closing dates, reach and the offer to matching members."""

    COUNTING = "count opportunity audience"

    def check(self, draft: OpportunityDraft) -> None:
        """Refuse a draft missing something or out of range (a forged or stale step)."""
        check_draft(draft, self.clock.now())
        check_audience(self.audiences, draft.audience)

    def read_closing(self, text: str) -> datetime:
        """A typed closing date, or the refusal that says what is wrong."""
        return read_closing(text, self.clock.now(), self.zone)

    def closing_in(self, days: int) -> datetime:
        """The end of the day ``days`` days from today, local time."""
        return end_of_day(self.clock.now(), days, self.zone)

    async def reach(self, actor_id: int, kind: str, audience: Audience) -> int:
        """How many members an opportunity of this kind for this audience would reach now."""
        await self.roles.require_coordinator(actor_id, self.COUNTING)
        if kind not in KINDS:
            raise InvalidChoice
        check_audience(self.audiences, audience)
        return len(await self._matching(kind, audience))

    async def _matching(self, kind: str, audience: Audience, tx: Any = None) -> list[int]:
        """Members in the audience who want this kind, not paused and reachable."""
        return await self.opportunities.matching(
            kind,
            wanted_by_default(kind),
            audience.place_id if audience.scope == REGION else None,
            audience.place_id if audience.scope == HUB else None,
            self.clock.now(),
            tx,
        )

    async def create(self, actor_id: int, draft: OpportunityDraft) -> Created:
        """Store the opportunity and queue it to every matching member, in one transaction."""
        await self.roles.require_coordinator(actor_id, "create opportunity")
        self.check(draft)
        now = self.clock.now()
        new = NewOpportunity(
            kind=draft.kind,
            title=" ".join(draft.title.split()),
            involves=draft.involves.strip(),
            gives=draft.gives.strip(),
            time_needed=draft.time_needed.strip(),
            place=draft.place.strip(),
            paid=draft.paid,
            places=draft.places,
            audience_scope=draft.audience.scope,
            audience_place=draft.audience.place_id,
            closes_at=draft.closes_at,
        )
        async with outbox(self.db, self.delivery) as box:
            opportunity_id = await self.opportunities.create(new, actor_id, now, box.tx)
            opportunity = await self._get(opportunity_id, box.tx)
            people = await self._matching(draft.kind, draft.audience, box.tx)
            await self.audit.record(
                actor_id,
                "opportunity.created",
                now,
                detail=f"opportunity {opportunity_id} ({draft.kind}) for "
                f"{draft.audience.label}, {len(people)} told",
                tx=box.tx,
            )
            await queue(
                box,
                KIND_OFFER,
                self.messages.offer(opportunity),
                people,
                actor_id,
                audience=opportunity.audience_label,
            )
        return Created(opportunity, len(people))
