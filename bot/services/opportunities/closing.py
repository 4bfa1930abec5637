"""Closing on time: an open opportunity whose closing date has passed is closed by the sweep,
and the coordinator who posted it (or every coordinator, if they have gone) is told how many
said they are interested and that the next step is to choose people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.delivery.outbox import outbox
from bot.services.opportunities.base import OpportunityBase, queue
from bot.services.opportunities.messages import KIND_CLOSED_ON_TIME
from bot.services.opportunities.rules import CLOSED, OPEN
from storage.opportunities import Opportunity

CLOSED_ON_TIME = "deadline"  # the audit detail's ending for a close by the closing date


@dataclass(eq=False)
class OpportunityClosing(OpportunityBase):
    """The sweep that closes opportunities on their closing date."""

    async def sweep(self) -> int:
        """Close every open opportunity whose closing date has passed (each taken once, its
        notice queued in the same transaction); return how many this call closed."""
        now = self.clock.now()
        closed = 0
        for opportunity in await self.opportunities.past_closing(now):
            closed += await self._close_on_time(opportunity, now)
        return closed

    async def _close_on_time(self, opportunity: Opportunity, now: datetime) -> bool:
        """Move one from open to closed and queue the notice; False when another sweep or a
        coordinator moved it first (nothing is sent then)."""
        posters = await self._posters(opportunity)  # read before the transaction holds the db
        async with outbox(self.db, self.delivery) as box:
            if not await self.opportunities.move_state(
                opportunity.id, (OPEN,), CLOSED, now, box.tx
            ):
                return False
            counts = await self.opportunities.counts(opportunity.id, box.tx)
            await self.audit.record(
                None,
                "opportunity.closed",
                now,
                detail=f"opportunity {opportunity.id}: {CLOSED_ON_TIME}, "
                f"{counts.interested} waiting, {counts.chosen} chosen",
                tx=box.tx,
            )
            rendered = self.messages.closed_on_time(opportunity, counts)
            await queue(box, KIND_CLOSED_ON_TIME, rendered, posters, None, urgent=False)
        return True
