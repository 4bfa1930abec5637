"""The plain values the survey service gives handlers: a running survey, where a member is in
one, and a survey file as coordinators may choose it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.surveys.definition import Answer, Question, Survey
from storage.audience import HasAudience

# Where a member is in a survey (Position.state).
CONSENT = "consent"  # invited, has not agreed yet: show the consent screen
QUESTION = "question"  # answering: show Position.question
FINISHED = "finished"  # their answers are in
CLOSED = "closed"  # the survey is not open now (not yet, closed, or cancelled)
WITHDRAWN = "withdrawn"  # they took their answers back
NOT_INVITED = "not_invited"  # this survey was not sent to them


@dataclass(frozen=True)
class SurveyFileEntry:
    """A survey file in config/surveys/: its key, its title when it reads, or its error."""

    key: str
    title: str | None
    error: str | None  # the ConfigError's text (file, line and a fix); None when it reads


@dataclass(frozen=True)
class SurveyRecord(HasAudience):
    """A survey opened from a file, with counts for coordinators (times in UTC).

    ``invited``: members asked (kept as it was at closing); ``finished``: responses kept."""

    id: int
    file_key: str
    title: str
    anonymous: bool
    audience_scope: str  # 'everyone', 'region' or 'hub'
    audience_place: str | None
    opens_at: datetime
    closes_at: datetime
    state: str  # storage.surveys SCHEDULED, OPEN, CLOSED or CANCELLED
    invited: int
    finished: int
    survey: Survey  # the questions as they were when it was opened
    nudge_state: str = "pending"
    results_sent: bool = False
    closed_at: datetime | None = None
    answers_deleted_at: datetime | None = None  # deleted by the retention policy then
    listed: bool = False  # asked a list, not a place: a meeting's feedback survey, who came


@dataclass(frozen=True)
class Position:
    """Where a member is in a survey, and what to show them now."""

    survey_id: int
    title: str
    anonymous: bool
    survey: Survey
    state: str  # CONSENT, QUESTION, FINISHED, CLOSED, WITHDRAWN or NOT_INVITED
    question: Question | None = None  # the question to show (state QUESTION)
    section: Question | None = None  # a section heading to show above it, when it starts one
    number: int = 0  # "Question {number} of about {about_total}"
    about_total: int = 0
    can_go_back: bool = False
    pending: tuple[str, ...] = ()  # a several-choices question's ticks, not confirmed yet
    previous: Answer = None  # the answer given before, when they came back to this question
    withdraw_token: str | None = None  # only just after finishing: for "Withdraw my answers"

    @classmethod
    def preview(cls, survey: Survey, state: str = CONSENT, **shown: object) -> Position:
        """A place in a survey nobody is asked yet (survey id 0): /newsurvey's preview and the
        sandbox show its screens as a member would see them."""
        return cls(0, survey.title, survey.anonymous, survey, state, **shown)  # type: ignore[arg-type]
