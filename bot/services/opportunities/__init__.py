"""Opportunities: coordinators post them (matching members are told through the delivery
engine), members say "I'm interested" (the posting coordinator is told) or withdraw,
coordinators choose people (each told kindly either way), record what came of it, close
early or cancel, and the sweep closes them on their closing date. Members choose in /settings
which kinds they hear about. Every step checks the role and the ids again in the database and
is audited. ``OpportunityService`` brings the parts together; each lives in its own module."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.opportunities.answers import OpportunityAnswers
from bot.services.opportunities.choosing import OpportunityChoosing
from bot.services.opportunities.closing import OpportunityClosing
from bot.services.opportunities.posting import OpportunityPosting
from bot.services.opportunities.records import (
    CoordinatorOpportunity,
    Created,
    MemberOpportunity,
    Told,
)
from bot.services.opportunities.rules import (
    CHOSEN,
    INTERESTED,
    KINDS,
    MAX_GIVES,
    MAX_INVOLVES,
    MAX_NOTE,
    MAX_PLACE,
    MAX_PLACES,
    MAX_TIME,
    MAX_TITLE,
    NOT_CHOSEN,
    OUTCOMES,
    WITHDRAWN,
    OpportunityDraft,
)
from storage.opportunities import Counts, Interest, Opportunity

__all__ = [
    "CHOSEN",
    "INTERESTED",
    "KINDS",
    "MAX_GIVES",
    "MAX_INVOLVES",
    "MAX_NOTE",
    "MAX_PLACE",
    "MAX_PLACES",
    "MAX_TIME",
    "MAX_TITLE",
    "NOT_CHOSEN",
    "OUTCOMES",
    "WITHDRAWN",
    "CoordinatorOpportunity",
    "Counts",
    "Created",
    "Interest",
    "MemberOpportunity",
    "Opportunity",
    "OpportunityDraft",
    "OpportunityService",
    "Told",
]


@dataclass(eq=False)
class OpportunityService(
    OpportunityPosting, OpportunityAnswers, OpportunityChoosing, OpportunityClosing
):
    """Everything about opportunities; coordinators' steps check the role first."""
