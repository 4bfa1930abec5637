"""Survey records and states, shared by the repositories of this package."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from storage.audience import HasAudience
from storage.db import Database
from storage.scheduled import CANCELLED, CLOSED, OPEN, SCHEDULED, ScheduledRow  # noqa: F401

NUDGE_PENDING, NUDGE_SENT, NUDGE_SKIPPED = "pending", "sent", "skipped"
# survey_invites.finished
NOT_FINISHED, FINISHED, WITHDRAWN = 0, 1, 2


@dataclass(frozen=True)
class SurveyDetails(HasAudience):
    """What a survey is and when it runs, stored or about to be (times in UTC; the questions
    as JSON text)."""

    file_key: str
    title: str
    definition: str
    anonymous: bool
    audience_scope: str
    audience_place: str | None
    opens_at: datetime
    closes_at: datetime


@dataclass(frozen=True)
class SurveyRow(SurveyDetails, ScheduledRow):
    """One survey as stored."""

    invited_count: int | None
    answers_deleted_at: datetime | None = None  # retention deleted its answers then


@dataclass(frozen=True)
class NewSurvey(SurveyDetails):
    """What is needed to store a survey: its details and the decision-makers chosen."""

    readers: tuple[int, ...]


@dataclass(frozen=True)
class Counts:
    """How many were asked and how many responses are kept."""

    invited: int
    finished: int


@dataclass(frozen=True)
class Progress:
    """A member's place in a survey, read in the transaction of a step: whether the survey is
    open now, their invitation, and what they have answered so far (``answers`` may also hold
    answers to questions they went back from: only those on ``path`` count)."""

    open: bool
    invited: bool
    agreed: bool = False
    finished: int = NOT_FINISHED
    path: tuple[str, ...] = ()
    answers: Mapping[str, object] = field(default_factory=dict)
    pending: tuple[str, ...] = ()


@dataclass(frozen=True)
class Keep:
    """A step's outcome: keep this as the member's progress (and mark them agreed)."""

    path: tuple[str, ...]
    answers: Mapping[str, object]
    pending: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finish:
    """A step's outcome: write the response (answers by question id; None for skipped), end
    the member's progress and mark them finished."""

    response_id: str
    member_id: int | None  # None for an anonymous survey
    answers: Mapping[str, object]


class Rows:
    """A repository over one group of survey tables."""

    def __init__(self, db: Database) -> None:
        self._db = db
