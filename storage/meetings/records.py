"""Meeting records and states, shared by the repositories of this package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.audience import HasAudience
from storage.db import Database, Row
from storage.timefmt import from_db

GOING, MAYBE, NO = "going", "maybe", "no"
ANSWERS = (GOING, MAYBE, NO)
SCHEDULED, CANCELLED = "scheduled", "cancelled"
PENDING, SENT, LATE, MISSED = "pending", "sent", "late", "missed"


@dataclass(frozen=True)
class MeetingDetails(HasAudience):
    """What a meeting is, stored or about to be (times in UTC)."""

    title: str
    starts_at: datetime
    duration_minutes: int
    place: str
    link: str
    audience_scope: str
    audience_place: str | None
    notes: str


@dataclass(frozen=True)
class Meeting(MeetingDetails):
    """One meeting as stored."""

    id: int
    state: str
    series_id: int | None

    @property
    def ends_at(self) -> datetime:
        """When it finishes."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class NewMeeting(MeetingDetails):
    """What is needed to store a meeting."""

    series_id: int | None = None


@dataclass(frozen=True)
class ReminderPlan:
    """A reminder row to write: which setting it came from, when it is due, and whether it
    carries the nudge."""

    hours_before: int
    due_at: datetime
    first: bool


@dataclass(frozen=True)
class DueReminder:
    """A reminder taken from the queue, with the state it was given."""

    id: int
    meeting_id: int
    first: bool
    due_at: datetime
    state: str


@dataclass(frozen=True)
class AnswerCounts:
    """How many invited people answered each way, and how many have not."""

    going: int
    maybe: int
    no: int
    no_answer: int


COLUMNS = (
    "id, title, starts_at, duration_minutes, place, link, audience_scope, audience_place, "
    "notes, state, series_id"
)


def meeting_of(row: Row) -> Meeting:
    """Turn a row into a Meeting."""
    return Meeting(
        id=row["id"],
        title=row["title"],
        starts_at=from_db(row["starts_at"]),  # type: ignore[arg-type]
        duration_minutes=row["duration_minutes"],
        place=row["place"],
        link=row["link"],
        audience_scope=row["audience_scope"],
        audience_place=row["audience_place"],
        notes=row["notes"],
        state=row["state"],
        series_id=row["series_id"],
    )


class Rows:
    """A repository over one group of meeting tables."""

    def __init__(self, db: Database) -> None:
        self._db = db
