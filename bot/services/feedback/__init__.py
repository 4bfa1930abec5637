"""After-meeting feedback surveys: a meeting may send a short survey (a file in config/surveys/)
to the members marked as came, an hour after it ends, open for two days; results go to
coordinators like any survey's.

The survey is an ordinary survey row whose audience is the "came" list (storage/meetings/
feedback.py keeps the link; the survey's opening step asks that list). Opening is taken once:
the survey row and the link are written in one transaction, guarded by the link's state, and
the survey sweep then opens it with its invitations in another; a crash in between leaves a
scheduled survey the next sweep opens, never a second one.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.delivery import Audience, DeliveryService
from bot.delivery.outbox import outbox
from bot.services.errors import InvalidChoice
from bot.services.feedback.audit import FEEDBACK_OPENED, detail
from bot.services.feedback.files import (
    FeedbackFile,
    FeedbackFileGone,
    FeedbackFiles,
    FeedbackFileUnfit,
)
from bot.services.meetings.rules import MeetingGone, MeetingStarted
from bot.services.roles import RoleService
from bot.services.surveys import OPEN, SurveyService
from bot.services.surveys.definition import to_json
from bot.services.surveys.messages import KIND_INVITE, for_members
from storage.audit import AuditRepository
from storage.db import Database
from storage.meetings import SCHEDULED, Meeting, MeetingRepository
from storage.meetings.feedback import EXPIRED, FAILED, OPENED, WAITING, WaitingFeedback
from storage.surveys import NewSurvey, SurveyRepository

logger = logging.getLogger(__name__)

AFTER_END = timedelta(hours=1)  # it opens this long after the meeting ends
OPEN_DAYS = 2  # it stays open two days; and it can open only within two days of the end

# What a coordinator is told about the feedback survey after saving who came.
LATER, NOW, ALREADY, NOBODY, TOO_LATE = "later", "now", "already", "nobody", "too_late"
BROKEN = "broken"  # its file went missing or broken, so it was not sent
ADDED = "added"  # it was open already, and now goes to more who were marked as came

__all__ = [
    "ADDED",
    "ALREADY",
    "BROKEN",
    "LATER",
    "NOBODY",
    "NOW",
    "TOO_LATE",
    "FeedbackFile",
    "FeedbackFileGone",
    "FeedbackFileUnfit",
    "FeedbackFiles",
    "FeedbackMessages",
    "FeedbackNote",
    "MeetingFeedback",
]


@dataclass(frozen=True)
class FeedbackNote:
    """Where a meeting's feedback survey stands after who came was saved: ``kind`` (LATER: it
    opens at ``at``; NOW: it opened, closing at ``at``; ALREADY: it was open already, closing
    at ``at``; ADDED: as ALREADY, and ``count`` more who came were asked now; NOBODY: nobody
    to ask yet; TOO_LATE: more than two days after the end; BROKEN: its file went missing or
    broken), and how many it goes or went to."""

    kind: str
    count: int = 0
    at: datetime | None = None


class FeedbackMessages(Protocol):
    """How a feedback survey is named; the handlers layer provides it."""

    def survey_title(self, title: str, meeting: Meeting) -> str:
        """The survey file's title with the meeting it is about (its invitation and pack)."""
        ...


class _Taken(Exception):
    """Another caller opened this meeting's feedback survey first: roll back."""


def _days_later(moment: datetime, zone: ZoneInfo) -> datetime:
    """The same local clock time OPEN_DAYS days later (across a clock change too), in UTC."""
    return (moment.astimezone(zone) + timedelta(days=OPEN_DAYS)).astimezone(UTC)


@dataclass(eq=False)
class MeetingFeedback:
    """Opens meetings' feedback surveys when their time comes, tells a coordinator what will
    happen when who came is saved, and lets coordinators turn one on or off."""

    db: Database
    delivery: DeliveryService
    meetings: MeetingRepository
    survey_rows: SurveyRepository
    surveys: SurveyService
    files: FeedbackFiles
    messages: FeedbackMessages
    roles: RoleService
    audit: AuditRepository
    clock: Clock
    zone: ZoneInfo

    def __post_init__(self) -> None:
        """One opening at a time (the sweep and a coordinator's save)."""
        self._lock = asyncio.Lock()

    # Files

    async def choices(self, audience: Audience) -> list[FeedbackFile]:
        """Survey files a meeting for ``audience`` can send to those who came."""
        return await asyncio.to_thread(self.files.choices, audience)

    async def title_of(self, file_key: str) -> str | None:
        """A survey file's title, or None when it is missing or broken now."""
        try:
            return (await asyncio.to_thread(self.files.read, file_key)).title
        except FeedbackFileGone:
            return None

    # Coordinators: on or off for a meeting not yet ended

    async def chosen(self, actor_id: int, meeting_id: int) -> str | None:
        """The file a meeting's feedback survey will be sent from, or None."""
        await self.roles.require_coordinator(actor_id, "change meeting")
        feedback = await self.meetings.feedback_of(meeting_id)
        return None if feedback is None else feedback.file_key

    async def _changeable(self, actor_id: int, meeting_id: int) -> Meeting:
        """A meeting not cancelled and not ended, for a coordinator."""
        await self.roles.require_coordinator(actor_id, "change meeting")
        meeting = await self.meetings.get(meeting_id)
        if meeting is None or meeting.state != SCHEDULED:
            raise MeetingGone
        if meeting.ends_at <= self.clock.now():
            raise MeetingStarted
        return meeting

    async def options(self, actor_id: int, meeting_id: int) -> list[FeedbackFile]:
        """The survey files a meeting not yet ended can send to those who came."""
        meeting = await self._changeable(actor_id, meeting_id)
        return await self.choices(Audience(meeting.audience_scope, meeting.audience_place))

    async def choose(self, actor_id: int, meeting_id: int, file_key: str | None) -> None:
        """Turn a meeting's feedback survey on (from ``file_key``) or off (None) until the
        meeting ends; audited. InvalidChoice once it has gone out."""
        meeting = await self._changeable(actor_id, meeting_id)
        now = self.clock.now()
        if file_key is not None:
            audience = Audience(meeting.audience_scope, meeting.audience_place)
            await asyncio.to_thread(self.files.check, file_key, audience)
        if not await self.meetings.choose_feedback(meeting_id, file_key, now):
            raise InvalidChoice
        # Read in the audit log as a change to the meeting.
        await self.audit.record(actor_id, "meeting.changed", now, detail=f"meeting {meeting_id}")

    # Opening

    async def sweep(self) -> list[int]:
        """Open every feedback survey whose time has come (an hour after its meeting ended,
        who came saved, within two days of the end); give up on those past that. Return the
        surveys opened."""
        return await self._open_waiting(None)

    async def after_marking(self, actor_id: int, meeting_id: int) -> FeedbackNote | None:
        """After a coordinator saved who came: open the feedback survey if its time has come,
        and say what happens to it (None: the meeting sends none)."""
        await self.roles.require_coordinator(actor_id, "mark attendance")
        opened = await self._open_waiting(meeting_id)
        feedback = await self.meetings.feedback_of(meeting_id)
        meeting = await self.meetings.get(meeting_id)
        if feedback is None or meeting is None:
            return None
        now = self.clock.now()
        if feedback.state == OPENED and feedback.survey_id is not None:
            survey = await self.surveys.get(feedback.survey_id)
            if feedback.survey_id in opened:
                return FeedbackNote(NOW, survey.invited, survey.closes_at)
            added = await self._ask_too(feedback.survey_id, meeting_id)
            return FeedbackNote(ADDED if added else ALREADY, added, survey.closes_at)
        if feedback.state == FAILED:
            return FeedbackNote(BROKEN)
        if feedback.state != WAITING or now > _days_later(meeting.ends_at, self.zone):
            return FeedbackNote(TOO_LATE)
        came = await self.meetings.came(meeting_id, now)
        if not came:
            return FeedbackNote(NOBODY)
        return FeedbackNote(LATER, len(came), meeting.ends_at + AFTER_END)

    async def _ask_too(self, survey_id: int, meeting_id: int) -> int:
        """Who came was saved again while the feedback survey is open: those newly marked as
        came are asked too (each once; the invitations and the rows in one transaction).
        Return how many."""
        async with self._lock:
            survey = await self.surveys.get(survey_id)
            now = self.clock.now()
            if survey.state != OPEN or survey.closes_at <= now:
                return 0
            async with outbox(self.db, self.delivery) as box:
                more = await self.meetings.ask_too(survey_id, meeting_id, now, box.tx)
                if more:
                    await box.send_rendered(
                        KIND_INVITE,
                        self.surveys.messages.invitation(survey),
                        more,
                        **for_members(survey),
                    )
        return len(more)

    async def _open_waiting(self, meeting_id: int | None) -> list[int]:
        """Open the waiting feedback surveys that are due (only ``meeting_id``'s when given),
        then let the survey sweep send their invitations."""
        opened = []
        async with self._lock:
            now = self.clock.now()
            for waiting in await self.meetings.waiting_feedback(now, meeting_id):
                try:
                    survey_id = await self._open_one(waiting, now)
                except Exception:  # kept waiting for the next sweep
                    logger.exception("meeting %s: feedback survey not opened", waiting.meeting.id)
                    continue
                if survey_id is not None:
                    opened.append(survey_id)
        if opened:
            await self.surveys.sweep()  # invitations to those who came, as each opens
        return opened

    async def _open_one(self, waiting: WaitingFeedback, now: datetime) -> int | None:
        """Open one meeting's feedback survey if due; the survey id when this call did."""
        meeting = waiting.meeting
        last_chance = _days_later(meeting.ends_at, self.zone)
        if now > last_chance:
            await self.meetings.end_feedback(meeting.id, EXPIRED, now)
            return None
        if not waiting.marked or now < meeting.ends_at + AFTER_END:
            return None
        if not await self.meetings.came(meeting.id, now):
            return None  # nobody to ask (yet: a corrected sheet may still send it)
        try:
            survey = await asyncio.to_thread(self.files.read, waiting.file_key)
        except FeedbackFileGone:
            logger.warning(
                "meeting %s: feedback survey file %s is missing or broken; not sent",
                meeting.id,
                waiting.file_key,
            )
            await self.meetings.end_feedback(meeting.id, FAILED, now)
            return None
        new = NewSurvey(
            file_key=survey.key,
            title=self.messages.survey_title(survey.title, meeting),
            definition=to_json(survey),
            anonymous=survey.anonymous,
            audience_scope=meeting.audience_scope,
            audience_place=meeting.audience_place,
            opens_at=now,
            closes_at=_days_later(now, self.zone),
            readers=(),
        )
        try:
            async with self.db.transaction() as tx:
                survey_id = await self.survey_rows.create(new, None, now, tx)
                if not await self.meetings.take_feedback(meeting.id, survey_id, now, tx):
                    raise _Taken
                await self.audit.record(
                    None,
                    FEEDBACK_OPENED,
                    now,
                    detail=detail(survey_id, meeting.id, new.closes_at),
                    tx=tx,
                )
        except _Taken:
            return None
        return survey_id
