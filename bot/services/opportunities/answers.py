"""Members' side of opportunities: the kinds they hear about, what they may see, saying "I'm
interested" (the posting coordinator is told) or taking it back, and their data for /mydata."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.delivery.audience import HUB, REGION
from bot.delivery.outbox import Outbox, Rendered, outbox
from bot.services.errors import InvalidChoice
from bot.services.opportunities.base import OpportunityBase, queue
from bot.services.opportunities.messages import KIND_INTEREST, KIND_WITHDRAWN, about_member
from bot.services.opportunities.records import MemberOpportunity
from bot.services.opportunities.rules import (
    CANCELLED,
    CHOSEN,
    ENDED,
    INTERESTED,
    KINDS,
    MAX_NOTE,
    WITHDRAWN,
    NoteTooLong,
    OpportunityClosed,
    wanted_by_default,
)
from storage.opportunities import MemberInterest, MemberOutcome, Opportunity

# The audit action written with each message a member's answer sends to the coordinators.
_AUDITED = {KIND_INTEREST: "opportunity.interest", KIND_WITHDRAWN: "opportunity.withdrawn"}


@dataclass(eq=False)
class OpportunityAnswers(OpportunityBase):
    """A member's kinds, list, interest and withdrawal, and their data."""

    # Choosing kinds

    async def kinds_for(self, member_id: int) -> list[tuple[str, bool]]:
        """Each kind with whether this member hears about it, in the kinds' order."""
        await self.members.require(member_id)
        chosen = await self.opportunities.chosen_kinds(member_id)
        return [(kind, chosen.get(kind, wanted_by_default(kind))) for kind in KINDS]

    async def toggle_kind(self, member_id: int, kind: str) -> list[tuple[str, bool]]:
        """Turn one kind on or off for this member; return every kind's setting."""
        if kind not in KINDS:
            raise InvalidChoice
        now_on = dict(await self.kinds_for(member_id))[kind]
        await self.opportunities.set_kind(member_id, kind, not now_on)
        return await self.kinds_for(member_id)

    # Seeing and answering

    async def for_member(self, member_id: int) -> list[MemberOpportunity]:
        """Open opportunities this member may see: those they showed interest in (or were
        chosen for) first, then those for their hub, their region, then everyone; newest
        first within each."""
        member = await self.members.require(member_id)
        found = await self.opportunities.open_visible(
            member.region_id, member.hub_id, self.clock.now()
        )
        states = await self.opportunities.member_states(member_id)

        def rank(item: Opportunity) -> int:
            """Theirs, hub, region, everyone."""
            if states.get(item.id) in (INTERESTED, CHOSEN):
                return 0
            return {HUB: 1, REGION: 2}.get(item.audience_scope, 3)

        ordered = sorted(found, key=rank)  # stable: newest first within each
        return [MemberOpportunity(item, states.get(item.id)) for item in ordered]

    async def one_for_member(self, member_id: int, opportunity_id: int) -> MemberOpportunity:
        """One opportunity this member may see (any state), with their interest."""
        member = await self.members.require(member_id)
        opportunity = await self._visible_to(member, opportunity_id)
        interest = await self.opportunities.interest(opportunity_id, member_id)
        return MemberOpportunity(opportunity, interest.state if interest else None)

    async def may_show_interest(self, member_id: int, opportunity_id: int) -> Opportunity:
        """The opportunity, if this member may still say they are interested; else the
        refusal that says why (closed, places filled, not theirs to see)."""
        member = await self.members.require(member_id)
        opportunity = await self._visible_to(member, opportunity_id)
        await self._taking_interest(opportunity)
        return opportunity

    async def interested(self, member_id: int, opportunity_id: int, note: str | None) -> bool:
        """Record this member's interest (with an optional short note) and tell the posting
        coordinator (or, if they have gone, every coordinator) in the same transaction.
        False when they had already said so (nothing is sent again)."""
        note = (note or "").strip() or None
        if note is not None and len(note) > MAX_NOTE:
            raise NoteTooLong
        member = await self.members.require(member_id)
        opportunity = await self._visible_to(member, opportunity_id)
        posters = await self._posters(opportunity)  # read before the transaction holds the db
        now = self.clock.now()
        async with outbox(self.db, self.delivery) as box:
            current = await self._get(opportunity_id, box.tx)
            await self._taking_interest(current, box.tx)
            if not await self.opportunities.add_interest(
                opportunity_id, member_id, note, now, box.tx
            ):
                return False
            rendered = self.messages.interest(opportunity, member.first_name, note)
            await self._tell_posters(
                box, KIND_INTEREST, rendered, posters, member_id, opportunity_id, now
            )
        return True

    async def withdraw(self, member_id: int, opportunity_id: int) -> Opportunity:
        """Take back this member's interest (also once chosen); the coordinator is told."""
        member = await self.members.require(member_id)
        opportunity = await self._visible_to(member, opportunity_id)
        if opportunity.state in (ENDED, CANCELLED):
            raise OpportunityClosed
        posters = await self._posters(opportunity)
        now = self.clock.now()
        async with outbox(self.db, self.delivery) as box:
            if not await self.opportunities.move_interest(
                opportunity_id, member_id, (INTERESTED, CHOSEN), WITHDRAWN, now, box.tx
            ):
                raise InvalidChoice
            rendered = self.messages.withdrawn(opportunity, member.first_name)
            await self._tell_posters(
                box, KIND_WITHDRAWN, rendered, posters, member_id, opportunity_id, now
            )
        return opportunity

    async def _tell_posters(
        self,
        box: Outbox,
        kind: str,
        rendered: Rendered,
        posters: list[int],
        member_id: int,
        opportunity_id: int,
        now: datetime,
    ) -> None:
        """Audit what the member did and queue ``rendered`` (a message of ``kind``) to the
        posting coordinators, in the same transaction."""
        detail = f"opportunity {opportunity_id}"
        await self.audit.record(member_id, _AUDITED[kind], now, detail=detail, tx=box.tx)
        await queue(box, kind, rendered, posters, None, audience=about_member(member_id))

    # /mydata and other features

    async def member_data(self, member_id: int) -> dict[str, Any]:
        """This member's interest, outcomes and kind choices, for /mydata (UTC ISO times)."""
        interest = await self.opportunities.member_interest(member_id)
        outcomes = await self.opportunities.member_outcomes(member_id)
        chosen = await self.opportunities.chosen_kinds(member_id)
        return {
            "interest": [
                {
                    "opportunity": item.title,
                    "kind": item.kind,
                    "state": item.state,
                    "note": item.note,
                    "since": _iso(item.created_at),
                    "changed": _iso(item.updated_at),
                }
                for item in interest
            ],
            "outcomes": [
                {
                    "opportunity": item.title,
                    "kind": item.kind,
                    "outcome": item.outcome,
                    "recorded": _iso(item.recorded_at),
                }
                for item in outcomes
            ],
            "kinds_chosen": chosen,
        }

    async def member_outcomes(self, member_id: int) -> list[MemberOutcome]:
        """A member's outcomes with each opportunity's kind and title, oldest first."""
        return await self.opportunities.member_outcomes(member_id)

    async def member_interest(self, member_id: int) -> list[MemberInterest]:
        """Every opportunity a member showed interest in, with its state."""
        return await self.opportunities.member_interest(member_id)


def _iso(moment: datetime | None) -> str | None:
    """UTC ISO text for /mydata's file."""
    return moment.isoformat(timespec="seconds") if moment else None
