"""Surveys: the surveys opened from files, their readers, invitations, members' progress and
finished responses; one repository per table group, brought together as ``SurveyRepository``."""

from __future__ import annotations

from storage.surveys.answers import AnswerRows, Decide
from storage.surveys.records import (
    CANCELLED,
    CLOSED,
    FINISHED,
    NOT_FINISHED,
    NUDGE_PENDING,
    NUDGE_SENT,
    NUDGE_SKIPPED,
    OPEN,
    SCHEDULED,
    WITHDRAWN,
    Counts,
    Finish,
    Keep,
    NewSurvey,
    Progress,
    SurveyRow,
)
from storage.surveys.rows import SurveyRows

__all__ = [
    "CANCELLED",
    "CLOSED",
    "FINISHED",
    "NOT_FINISHED",
    "NUDGE_PENDING",
    "NUDGE_SENT",
    "NUDGE_SKIPPED",
    "OPEN",
    "SCHEDULED",
    "WITHDRAWN",
    "AnswerRows",
    "Counts",
    "Decide",
    "Finish",
    "Keep",
    "NewSurvey",
    "Progress",
    "SurveyRepository",
    "SurveyRow",
    "SurveyRows",
]


class SurveyRepository(SurveyRows, AnswerRows):
    """Reads and writes surveys and everything hanging off them (each table group's
    repository, in one object for the service)."""
