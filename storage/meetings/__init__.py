"""Meetings, their answers (RSVPs), reminder rows and repeating series; one repository per
table group, brought together as ``MeetingRepository``."""

from __future__ import annotations

from storage.meetings.feedback import FeedbackRows
from storage.meetings.records import (
    ANSWERS,
    CANCELLED,
    GOING,
    LATE,
    MAYBE,
    MISSED,
    NO,
    PENDING,
    SCHEDULED,
    SENT,
    AnswerCounts,
    DueReminder,
    Meeting,
    NewMeeting,
    ReminderPlan,
)
from storage.meetings.reminders import ReminderRows
from storage.meetings.rows import MeetingRows
from storage.meetings.rsvps import RsvpRows

__all__ = [
    "ANSWERS",
    "CANCELLED",
    "GOING",
    "LATE",
    "MAYBE",
    "MISSED",
    "NO",
    "PENDING",
    "SCHEDULED",
    "SENT",
    "AnswerCounts",
    "DueReminder",
    "FeedbackRows",
    "Meeting",
    "MeetingRepository",
    "MeetingRows",
    "NewMeeting",
    "ReminderPlan",
    "ReminderRows",
    "RsvpRows",
]


class MeetingRepository(MeetingRows, RsvpRows, ReminderRows, FeedbackRows):
    """Reads and writes meetings, RSVPs, reminders, series and feedback surveys (each table
    group's repository, in one object for the service)."""
