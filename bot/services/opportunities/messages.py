"""What opportunities send: their kinds in the delivery engine and how they look (the
handlers layer provides the renderer, with the texts and buttons)."""

from __future__ import annotations

from typing import Protocol

from bot.delivery.outbox import Rendered
from storage.opportunities import Counts, Opportunity

KIND_OFFER = "opportunity"
KIND_INTEREST = "opportunity_interest"  # to the coordinator: names the member (erased with them)
KIND_WITHDRAWN = "opportunity_withdrawn"  # the same
KIND_CHOSEN, KIND_NOT_CHOSEN = "opportunity_chosen", "opportunity_not_chosen"
KIND_CLOSED, KIND_CANCELLED = "opportunity_closed", "opportunity_cancelled"
KIND_CLOSED_ON_TIME = "opportunity_closed_on_time"  # to the coordinator: counts, the next step
NAMING_KINDS = (KIND_INTEREST, KIND_WITHDRAWN)


def about_member(member_id: int) -> str:
    """The audience label of a notice that names a member (so leaving deletes it)."""
    return f"member:{member_id}"


class OpportunityMessages(Protocol):
    """How opportunity messages look; the handlers layer provides it."""

    def offer(self, opportunity: Opportunity) -> Rendered: ...
    def interest(self, opportunity: Opportunity, name: str, note: str | None) -> Rendered: ...
    def withdrawn(self, opportunity: Opportunity, name: str) -> Rendered: ...
    def chosen(self, opportunity: Opportunity) -> Rendered: ...
    def not_chosen(self, opportunity: Opportunity, others_open: bool) -> Rendered: ...
    def closed_early(self, opportunity: Opportunity) -> Rendered: ...
    def cancelled(self, opportunity: Opportunity) -> Rendered: ...
    def closed_on_time(self, opportunity: Opportunity, counts: Counts) -> Rendered: ...
