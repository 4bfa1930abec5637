"""Consultations: questions, answer options, invitations, choices, comments and kept counts;
one repository per table group, brought together as ``ConsultationRepository``."""

from __future__ import annotations

from storage.consultations.answers import AnswerRows
from storage.consultations.counts import CountRows
from storage.consultations.followups import FollowupRows
from storage.consultations.records import (
    AFTER_CLOSE,
    CANCELLED,
    CLOSED,
    GONE,
    NEVER,
    NOT_INVITED,
    NUDGE_PENDING,
    NUDGE_SENT,
    NUDGE_SKIPPED,
    OPEN,
    SAVED,
    SCHEDULED,
    SHOW_RESULTS,
    WHILE_OPEN,
    Consultation,
    MemberAnswer,
    NewConsultation,
    PlaceCounts,
    Press,
)
from storage.consultations.rows import ConsultationRows

__all__ = [
    "AFTER_CLOSE",
    "CANCELLED",
    "CLOSED",
    "GONE",
    "NEVER",
    "NOT_INVITED",
    "NUDGE_PENDING",
    "NUDGE_SENT",
    "NUDGE_SKIPPED",
    "OPEN",
    "SAVED",
    "SCHEDULED",
    "SHOW_RESULTS",
    "WHILE_OPEN",
    "AnswerRows",
    "Consultation",
    "ConsultationRepository",
    "ConsultationRows",
    "CountRows",
    "FollowupRows",
    "MemberAnswer",
    "NewConsultation",
    "PlaceCounts",
    "Press",
]


class ConsultationRepository(ConsultationRows, AnswerRows, CountRows, FollowupRows):
    """Reads and writes consultations and everything hanging off them (each table group's
    repository, in one object for the service)."""
