"""Consultation records and states, shared by the repositories of this package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.audience import HasAudience
from storage.db import Database
from storage.scheduled import (  # noqa: F401 (its states)
    CANCELLED,
    CLOSED,
    OPEN,
    SCHEDULED,
    ScheduledRow,
)

AFTER_CLOSE, WHILE_OPEN, NEVER = "after_close", "while_open", "never"
SHOW_RESULTS = (AFTER_CLOSE, WHILE_OPEN, NEVER)
NUDGE_PENDING, NUDGE_SENT, NUDGE_SKIPPED = "pending", "sent", "skipped"
SAVED, GONE, NOT_INVITED = "saved", "gone", "not_invited"  # what an answer press did


@dataclass(frozen=True)
class ConsultationDetails(HasAudience):
    """What a consultation asks, of whom and when, stored or about to be (times in UTC)."""

    question: str
    options: tuple[str, ...]
    multiple: bool
    ask_comment: bool
    audience_scope: str
    audience_place: str | None
    member_note: str
    show_results: str
    opens_at: datetime
    closes_at: datetime


@dataclass(frozen=True)
class Consultation(ConsultationDetails, ScheduledRow):
    """One consultation as stored."""


@dataclass(frozen=True)
class NewConsultation(ConsultationDetails):
    """What is needed to store a consultation."""

    readers: tuple[int, ...]


@dataclass(frozen=True)
class PlaceCounts:
    """Raw figures for one region and hub ('' for none): invited, answered, each answer."""

    region_id: str
    hub_id: str
    invited: int
    answered: int
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Press:
    """What one answer press did: SAVED, or why not (GONE, CLOSED, NOT_INVITED), and the
    member's answer before and after."""

    outcome: str
    was_answered: bool = False
    answered: bool = False
    chosen: frozenset[int] = frozenset()


@dataclass(frozen=True)
class MemberAnswer:
    """A member's invitation: whether they answered, and what they have chosen so far."""

    answered: bool
    chosen: frozenset[int]


class Rows:
    """A repository over one group of consultation tables."""

    def __init__(self, db: Database) -> None:
        self._db = db
