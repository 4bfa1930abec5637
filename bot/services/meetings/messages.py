"""What meetings send: their kinds in the delivery engine, the preference that lets members
have them, and how they look (the handlers layer provides the renderer)."""

from __future__ import annotations

from typing import Protocol

from bot.delivery.outbox import Rendered
from storage.meetings import Meeting

KIND_INVITE, KIND_REMINDER, KIND_NUDGE = "meeting_invite", "meeting_reminder", "meeting_nudge"
KIND_CHANGED, KIND_CANCELLED = "meeting_changed", "meeting_cancelled"
KIND_GROUP_POST = "meeting_group_post"  # a new, changed or cancelled meeting, or a reminder,
# in a linked group chat; ``what`` for the renderer:
GROUP_NEW, GROUP_REMINDER, GROUP_CHANGED, GROUP_CANCELLED = (
    "new",
    "reminder",
    "changed",
    "cancelled",
)
PREFERENCE = "meetings"


class MeetingMessages(Protocol):
    """How meeting messages look; the handlers layer provides it (texts and buttons)."""

    def invitation(self, meeting: Meeting) -> Rendered: ...
    def reminder(self, meeting: Meeting) -> Rendered: ...
    def nudge(self, meeting: Meeting) -> Rendered: ...
    def changed(self, meeting: Meeting) -> Rendered: ...
    def cancelled(self, meeting: Meeting) -> Rendered: ...
    def group_post(self, meeting: Meeting, what: str) -> str: ...


def for_members(meeting: Meeting) -> dict[str, str]:
    """Delivery options for a message to a meeting's members: the preference that lets them
    have it, and the audience it names."""
    return {"preference": PREFERENCE, "audience": meeting.audience_label}
