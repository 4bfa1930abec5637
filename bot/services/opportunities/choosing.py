"""Coordinators running an opportunity: the list with counts, who is interested, choosing
people (each told kindly either way), recording outcomes, closing early and calling off."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.delivery.outbox import outbox
from bot.services.errors import InvalidChoice
from bot.services.opportunities.base import OpportunityBase, queue
from bot.services.opportunities.messages import (
    KIND_CANCELLED,
    KIND_CHOSEN,
    KIND_CLOSED,
    KIND_NOT_CHOSEN,
)
from bot.services.opportunities.records import CoordinatorOpportunity, Told
from bot.services.opportunities.rules import (
    CANCELLED,
    CHOSEN,
    CLOSED,
    ENDED,
    INTERESTED,
    NOT_CHOSEN,
    OPEN,
    OUTCOMES,
    NothingToTell,
    OpportunityClosed,
    TooManyChosen,
)
from storage.opportunities import Interest, Opportunity


@dataclass(eq=False)
class OpportunityChoosing(OpportunityBase):
    """The running list, choosing, outcomes, closing early and calling off."""

    async def running(self, actor_id: int) -> list[CoordinatorOpportunity]:
        """Open and closed opportunities (not ended or cancelled) with counts, newest first."""
        await self.roles.require_coordinator(actor_id, "list opportunities")
        now = self.clock.now()
        return [
            CoordinatorOpportunity(
                item,
                await self.opportunities.counts(item.id),
                item.state == OPEN and item.closes_at > now,
            )
            for item in await self.opportunities.running()
        ]

    async def people(
        self, actor_id: int, opportunity_id: int, *, again: bool = False
    ) -> tuple[Opportunity, list[Interest]]:
        """Who showed interest (names, notes, states, outcomes); the look is audited, once
        (``again``: the same list drawn again after a choice, not recorded twice)."""
        await self.roles.require_coordinator(actor_id, "see interest")
        opportunity = await self._get(opportunity_id)
        if not again:
            await self.audit.record(
                actor_id,
                "opportunity.people",
                self.clock.now(),
                detail=f"opportunity {opportunity_id}",
            )
        return opportunity, await self.opportunities.people(opportunity_id)

    async def one(self, actor_id: int, opportunity_id: int) -> Opportunity:
        """One opportunity, for a coordinator (its title for a question or a note)."""
        await self.roles.require_coordinator(actor_id, "list opportunities")
        return await self._get(opportunity_id)

    async def tell(self, actor_id: int, opportunity_id: int, choices: Mapping[int, bool]) -> Told:
        """Tell each person waiting whether they were chosen (True) or not this time (False),
        in one transaction with their states; people no longer waiting (withdrawn, told
        already) are left alone. Those not chosen are pointed to other open opportunities,
        or told they will hear about the next one."""
        await self.roles.require_coordinator(actor_id, "choose people")
        opportunity = await self._get(opportunity_id)
        if opportunity.state == CANCELLED:
            raise OpportunityClosed
        # Read before the transaction: who has another open one to look at instead.
        elsewhere = await self._others_open(
            opportunity_id, [m for m, yes in choices.items() if not yes]
        )
        now = self.clock.now()
        chosen: list[int] = []
        not_chosen: list[int] = []
        async with outbox(self.db, self.delivery) as box:
            counts = await self.opportunities.counts(opportunity_id, box.tx)
            people = await self.opportunities.people(opportunity_id, box.tx)
            waiting = {p.member_id for p in people if p.state == INTERESTED}
            wanted = [m for m, yes in choices.items() if yes and m in waiting]
            if opportunity.places is not None and counts.chosen + len(wanted) > opportunity.places:
                raise TooManyChosen
            for member_id, yes in sorted(choices.items()):
                to = CHOSEN if yes else NOT_CHOSEN
                if await self.opportunities.move_interest(
                    opportunity_id, member_id, (INTERESTED,), to, now, box.tx
                ):
                    (chosen if yes else not_chosen).append(member_id)
            if not chosen and not not_chosen:
                raise NothingToTell
            await self.audit.record(
                actor_id,
                "opportunity.chosen",
                now,
                detail=f"opportunity {opportunity_id}: {len(chosen)} chosen, "
                f"{len(not_chosen)} not this time",
                tx=box.tx,
            )
            await queue(box, KIND_CHOSEN, self.messages.chosen(opportunity), chosen, actor_id)
            for others in (True, False):
                people = [m for m in not_chosen if (m in elsewhere) == others]
                rendered = self.messages.not_chosen(opportunity, others)
                await queue(box, KIND_NOT_CHOSEN, rendered, people, actor_id)
        return Told(len(chosen), len(not_chosen))

    async def record_outcome(
        self, actor_id: int, opportunity_id: int, member_id: int, outcome: str
    ) -> bool:
        """Record what came of it for one chosen person; True when that was the last one
        and the opportunity has now ended."""
        await self.roles.require_coordinator(actor_id, "record outcome")
        if outcome not in OUTCOMES:
            raise InvalidChoice
        opportunity = await self._get(opportunity_id)
        if opportunity.state == CANCELLED:
            raise OpportunityClosed
        now = self.clock.now()
        async with self.db.transaction() as tx:
            interest = await self.opportunities.interest(opportunity_id, member_id, tx)
            if interest is None or interest.state != CHOSEN:
                raise InvalidChoice
            await self.opportunities.record_outcome(
                opportunity_id, member_id, outcome, actor_id, now, tx
            )
            await self.audit.record(
                actor_id,
                "opportunity.outcome",
                now,
                target_id=member_id,
                detail=f"opportunity {opportunity_id}: {outcome}",
                tx=tx,
            )
            over = opportunity.state == CLOSED or opportunity.closes_at <= now
            if over and not await self.opportunities.without_outcome(opportunity_id, tx):
                return await self.opportunities.move_state(
                    opportunity_id, (OPEN, CLOSED), ENDED, now, tx
                )
        return False

    async def close_early(self, actor_id: int, opportunity_id: int) -> int:
        """Stop taking interest now; people still waiting to hear are told. Return how many."""
        await self.roles.require_coordinator(actor_id, "close opportunity")
        return await self._end(actor_id, opportunity_id, (OPEN,), CLOSED, (INTERESTED,))

    async def cancel(self, actor_id: int, opportunity_id: int) -> int:
        """Call it off; everyone waiting or chosen is told. Return how many."""
        await self.roles.require_coordinator(actor_id, "cancel opportunity")
        return await self._end(
            actor_id, opportunity_id, (OPEN, CLOSED), CANCELLED, (INTERESTED, CHOSEN)
        )

    async def _end(
        self,
        actor_id: int,
        opportunity_id: int,
        from_states: Sequence[str],
        to: str,
        told_states: Sequence[str],
    ) -> int:
        """Move the state and tell the people in ``told_states``, in one transaction."""
        opportunity = await self._get(opportunity_id)
        now = self.clock.now()
        async with outbox(self.db, self.delivery) as box:
            if not await self.opportunities.move_state(
                opportunity_id, from_states, to, now, box.tx
            ):
                raise OpportunityClosed
            await self.audit.record(
                actor_id,
                f"opportunity.{to}",
                now,
                detail=f"opportunity {opportunity_id}",
                tx=box.tx,
            )
            people = [
                p.member_id
                for p in await self.opportunities.people(opportunity_id, box.tx)
                if p.state in told_states
            ]
            render = self.messages.cancelled if to == CANCELLED else self.messages.closed_early
            kind = KIND_CANCELLED if to == CANCELLED else KIND_CLOSED
            await queue(box, kind, render(opportunity), people, actor_id, urgent=False)
        return len(people)

    async def _others_open(self, opportunity_id: int, people: Sequence[int]) -> set[int]:
        """Those of ``people`` who can see another open opportunity now."""
        now = self.clock.now()
        found = set()
        for member_id in people:
            member = await self.members.get(member_id)
            if member is None:
                continue
            visible = await self.opportunities.open_visible(member.region_id, member.hub_id, now)
            if any(o.id != opportunity_id for o in visible):
                found.add(member_id)
        return found
