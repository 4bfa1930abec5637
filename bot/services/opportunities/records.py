"""The plain values the opportunity service hands back: an opportunity posted, one as a member
sees it, one running with its counts, and what "Tell them" did."""

from __future__ import annotations

from dataclasses import dataclass

from storage.opportunities import Counts, Opportunity


@dataclass(frozen=True)
class Created:
    """An opportunity stored, and how many members were told about it."""

    opportunity: Opportunity
    told: int


@dataclass(frozen=True)
class MemberOpportunity:
    """An open opportunity as one member sees it: their interest's state, if any."""

    opportunity: Opportunity
    interest: str | None


@dataclass(frozen=True)
class CoordinatorOpportunity:
    """A running opportunity with its counts."""

    opportunity: Opportunity
    counts: Counts
    open_now: bool


@dataclass(frozen=True)
class Told:
    """How many people "Tell them" told they were chosen, and not this time."""

    chosen: int
    not_chosen: int
