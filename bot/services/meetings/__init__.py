"""Meetings: the one service handlers and the jobs use. Creating meetings (and repeating
series) with their invitations, coordinators' changes and cancelling live here; members'
answers and reminders are delegated to the modules of this package. It also exports the
states and record types handlers need."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.delivery import Audience
from bot.delivery.group_posts import MEETINGS
from bot.delivery.outbox import Outbox, Rendered, outbox
from bot.recurrence import RULES, next_start
from bot.services.audiences import check_audience
from bot.services.errors import InvalidChoice, ServiceError
from bot.services.feedback.files import FeedbackFiles
from bot.services.meetings.answers import MeetingAnswers, MemberMeeting, open_meeting
from bot.services.meetings.messages import (
    GROUP_CANCELLED,
    GROUP_CHANGED,
    GROUP_NEW,
    KIND_CANCELLED,
    KIND_CHANGED,
    KIND_GROUP_POST,
    KIND_INVITE,
    PREFERENCE,
    MeetingMessages,
    for_members,
)
from bot.services.meetings.reminders import MeetingReminders, ReminderListener
from bot.services.meetings.rules import (
    MAX_DAYS_AHEAD,
    MAX_MINUTES,
    MAX_NOTES,
    MAX_PLACE,
    MAX_TITLE,
    MeetingDraft,
    MeetingGone,
    MeetingInvalid,
    MeetingStarted,
    check_where,
    read_length,
    read_start,
)
from bot.services.outreach import Outreach
from bot.services.times import TimeRefused
from storage.db import Database
from storage.meetings import (
    GOING,
    MAYBE,
    NO,
    AnswerCounts,
    DueReminder,
    Meeting,
    MeetingRepository,
    NewMeeting,
    ReminderPlan,
)
from storage.members import MemberRepository

logger = logging.getLogger(__name__)

# What handlers use: the service, its states, records, limits and refusals.
__all__ = [
    "GOING",
    "MAX_MINUTES",
    "MAX_NOTES",
    "MAX_PLACE",
    "MAX_TITLE",
    "MAYBE",
    "NO",
    "CoordinatorMeeting",
    "Created",
    "Meeting",
    "MeetingDraft",
    "MeetingGone",
    "MeetingService",
    "MeetingStarted",
    "MemberMeeting",
    "TimeRefused",
    "read_length",
    "read_start",
]


@dataclass(frozen=True)
class Created:
    """A meeting that was stored, and how many people were invited."""

    meeting: Meeting
    invited: int


@dataclass(frozen=True)
class CoordinatorMeeting:
    """An upcoming meeting with its answer counts."""

    meeting: Meeting
    counts: AnswerCounts


@dataclass(eq=False)
class MeetingService(Outreach):
    """Everything about meetings; coordinators' steps check the role first."""

    AUDIENCE_CHOICE, COUNTING = PREFERENCE, "create meeting"

    db: Database
    meetings: MeetingRepository
    members: MemberRepository
    messages: MeetingMessages
    reminder_hours: Sequence[int] = (24, 2)
    # Checks the feedback survey file a new meeting names (None: no survey files here).
    feedback_files: FeedbackFiles | None = None

    def __post_init__(self) -> None:
        """The parts built from the fields."""
        self._series_lock = asyncio.Lock()
        self._answers = MeetingAnswers(self.meetings, self.members, self.audit, self.clock)
        self._reminders = MeetingReminders(
            self.db,
            self.meetings,
            self.delivery,
            self.quiet,
            self.clock,
            self.messages,
            self.reminder_hours,
        )

    # Coordinators

    def check(self, draft: MeetingDraft) -> None:
        """Refuse a draft that is missing something or out of range."""
        now = self.clock.now()
        if not draft.title.strip() or len(draft.title) > MAX_TITLE:
            raise MeetingInvalid
        if draft.starts_at <= now or draft.starts_at > now + timedelta(days=MAX_DAYS_AHEAD):
            raise MeetingInvalid
        if not 1 <= draft.duration_minutes <= MAX_MINUTES:
            raise MeetingInvalid
        check_where(draft.place, draft.link)
        if len(draft.notes) > MAX_NOTES:
            raise MeetingInvalid
        check_audience(self.audiences, draft.audience)

    async def create(self, actor_id: int, draft: MeetingDraft) -> Created:
        """Store the meeting (and its series if it repeats), its reminders and who is
        invited, and queue the invitations, all in one transaction."""
        await self.roles.require_coordinator(actor_id, "create meeting")
        if draft.repeat is not None and draft.repeat not in RULES:
            raise InvalidChoice
        if draft.feedback is not None:
            if self.feedback_files is None:
                raise InvalidChoice
            await asyncio.to_thread(self.feedback_files.check, draft.feedback, draft.audience)
        return await self._create(actor_id, draft, None)

    async def _create(
        self, actor_id: int | None, draft: MeetingDraft, series_id: int | None
    ) -> Created:
        """Create a checked meeting; a new series is started when the draft repeats and no
        series is given."""
        self.check(draft)
        now = self.clock.now()
        audience = Audience(draft.audience.scope, draft.audience.place_id, PREFERENCE)
        invitees = await self.audiences.recipients(audience)
        plans = self._reminders.plan(draft.starts_at, now)
        async with outbox(self.db, self.delivery) as box:
            if series_id is None and draft.repeat is not None:
                series_id = await self.meetings.create_series(draft.repeat, actor_id, now, box.tx)
                if draft.feedback is not None:  # each meeting it makes sends it too
                    await self.meetings.add_series_feedback(series_id, draft.feedback, box.tx)
            new = NewMeeting(
                title=draft.title.strip(),
                starts_at=draft.starts_at,
                duration_minutes=draft.duration_minutes,
                place=draft.place.strip(),
                link=draft.link.strip(),
                audience_scope=audience.scope,
                audience_place=audience.place_id,
                notes=draft.notes.strip(),
                series_id=series_id,
            )
            meeting_id = await self.meetings.create(new, plans, invitees, actor_id, now, box.tx)
            if draft.feedback is not None:
                await self.meetings.add_feedback(meeting_id, draft.feedback, now, box.tx)
            detail = f"meeting {meeting_id} for {audience.label}, {len(invitees)} invited"
            if series_id is not None:
                detail += f", series {series_id}"
            await self.audit.record(actor_id, "meeting.created", now, detail=detail, tx=box.tx)
            # The invitations are queued in the same transaction: a crash or a failed write
            # keeps no meeting at all (a series' next one is made again by the next sweep),
            # never one whose invited members were not told.
            meeting = await self.meetings.get(meeting_id, box.tx)
            assert meeting is not None
            await _tell(box, KIND_INVITE, self.messages.invitation, meeting, invitees, actor_id)
            await _post_in_groups(box, self.messages.group_post(meeting, GROUP_NEW), meeting)
        await self._reminders.tell_listeners(meeting_id)
        return Created(meeting, len(invitees))

    async def extend_series(self) -> list[Created]:
        """Make the next meeting of every repeating series whose latest one has started, with
        its own invitations, answers and reminders (the earlier ones stay as history). Its
        date and clock time follow the series' first meeting, so the series never drifts."""
        made = []
        async with self._series_lock:
            now = self.clock.now()
            for series_id, rule, creator, latest, anchor in await self.meetings.series_due(now):
                starts_at = next_start(latest.starts_at, rule, self.zone, anchor)
                while starts_at <= now:  # the bot was down for a whole turn or more
                    starts_at = next_start(starts_at, rule, self.zone, anchor)
                draft = MeetingDraft(
                    title=latest.title,
                    starts_at=starts_at,
                    duration_minutes=latest.duration_minutes,
                    audience=Audience(latest.audience_scope, latest.audience_place),
                    place=latest.place,
                    link=latest.link,
                    notes=latest.notes,
                    repeat=rule,
                    feedback=await self.meetings.series_feedback(series_id),
                )
                try:
                    made.append(await self._create(creator, draft, series_id))
                except ServiceError as error:
                    logger.warning("series %s not extended: %s", series_id, type(error).__name__)
                except Exception:  # nothing was kept: the next sweep makes it again
                    logger.exception("series %s not extended this time", series_id)
        return made

    async def stop_repeating(self, actor_id: int, meeting_id: int) -> None:
        """Stop a meeting's series: meetings already made stay; no new ones are made."""
        await self.roles.require_coordinator(actor_id, "change meeting")
        meeting = await self.meetings.get(meeting_id)
        if meeting is None or meeting.series_id is None:
            raise InvalidChoice
        if not await self.meetings.stop_series(meeting.series_id):
            raise InvalidChoice
        await self.audit.record(
            actor_id,
            "meeting.series_stopped",
            self.clock.now(),
            detail=f"series {meeting.series_id}",
        )

    async def repeats(self, meeting: Meeting) -> str | None:
        """The meeting's repeat rule while its series is active, else None."""
        if meeting.series_id is None:
            return None
        return await self.meetings.series_rule(meeting.series_id)

    def read_time(self, text: str) -> datetime:
        """A typed UK date and time for a new start, or the refusal that says what is wrong."""
        return read_start(text, self.clock.now(), self.zone)

    async def upcoming(self, actor_id: int) -> list[CoordinatorMeeting]:
        """Upcoming meetings with going, maybe, can't and no-answer counts."""
        await self.roles.require_coordinator(actor_id, "list meetings")
        return [
            CoordinatorMeeting(meeting, await self.meetings.counts(meeting.id))
            for meeting in await self.meetings.upcoming(self.clock.now())
        ]

    async def change(
        self,
        actor_id: int,
        meeting_id: int,
        *,
        starts_at: datetime | None = None,
        place: str | None = None,
        link: str | None = None,
    ) -> Meeting:
        """Move a meeting or change where it is: its reminders move, and everyone who said
        going or maybe is told."""
        await self.roles.require_coordinator(actor_id, "change meeting")
        meeting = await open_meeting(self.meetings, meeting_id, self.clock)
        now = self.clock.now()
        new_start = starts_at or meeting.starts_at
        new_place = meeting.place if place is None else place.strip()
        new_link = meeting.link if link is None else link.strip()
        if new_start <= now:
            raise MeetingInvalid
        check_where(new_place, new_link)
        plans = self._reminders.plan(new_start, now)
        # The change, its new reminders and the notice: one transaction, all or none.
        async with outbox(self.db, self.delivery) as box:
            await self.meetings.reschedule(
                meeting_id, new_start, new_place, new_link, plans, now, box.tx
            )
            await self.audit.record(
                actor_id, "meeting.changed", now, detail=f"meeting {meeting_id}", tx=box.tx
            )
            changed = await self.meetings.get(meeting_id, box.tx)
            assert changed is not None
            told = await self.meetings.people(meeting_id, (GOING, MAYBE), tx=box.tx)
            await _tell(box, KIND_CHANGED, self.messages.changed, changed, told, actor_id)
            await _post_in_groups(box, self.messages.group_post(changed, GROUP_CHANGED), changed)
        await self._reminders.tell_listeners(meeting_id)
        return changed

    async def cancel(self, actor_id: int, meeting_id: int) -> int:
        """Cancel a meeting: its reminders stop and everyone invited who had not said they
        can't come gets an urgent message. Return how many are told."""
        await self.roles.require_coordinator(actor_id, "cancel meeting")
        meeting = await open_meeting(self.meetings, meeting_id, self.clock)
        now = self.clock.now()
        # Cancelled (with its reminders) and the urgent notice queued: one transaction.
        async with outbox(self.db, self.delivery) as box:
            if not await self.meetings.cancel(meeting_id, now, box.tx):
                raise MeetingGone
            await self.audit.record(
                actor_id, "meeting.cancelled", now, detail=f"meeting {meeting_id}", tx=box.tx
            )
            told = await self.meetings.people(meeting_id, (GOING, MAYBE, None), tx=box.tx)
            await _tell(
                box, KIND_CANCELLED, self.messages.cancelled, meeting, told, actor_id, urgent=True
            )
            notice = self.messages.group_post(meeting, GROUP_CANCELLED)
            await _post_in_groups(box, notice, meeting, urgent=True)
        return len(told)

    # Members (answers.py)

    async def rsvp(self, member_id: int, meeting_id: int, answer: str) -> Meeting:
        """Record or change a member's answer (until the meeting starts)."""
        return await self._answers.rsvp(member_id, meeting_id, answer)

    async def for_member(self, member_id: int) -> list[MemberMeeting]:
        """A member's upcoming meetings with their answers, soonest first."""
        return await self._answers.for_member(member_id)

    async def member_data(self, member_id: int) -> list[dict[str, object]]:
        """Every meeting answer this member gave, for /mydata."""
        return await self._answers.member_data(member_id)

    async def one_for_member(self, member_id: int, meeting_id: int) -> MemberMeeting:
        """One meeting the member may see (for a calendar file), or a refusal."""
        return await self._answers.one_for_member(member_id, meeting_id)

    # Reminders (reminders.py)

    def on_new_reminders(self, listener: ReminderListener) -> None:
        """Be told about reminder rows written after start-up (to arm a job for each)."""
        self._reminders.on_new_reminders(listener)

    def reminder_plan(self, starts_at: datetime, now: datetime) -> list[ReminderPlan]:
        """Due times for a meeting's reminders (see ``MeetingReminders.plan``)."""
        return self._reminders.plan(starts_at, now)

    async def pending_reminders(self) -> list[tuple[int, datetime]]:
        """Every reminder still to go out: (id, due time)."""
        return await self._reminders.pending()

    async def send_due(self) -> list[DueReminder]:
        """Take every due reminder once and queue it (see ``MeetingReminders.send_due``)."""
        return await self._reminders.send_due()


async def _tell(
    box: Outbox,
    kind: str,
    render: Callable[[Meeting], Rendered],
    meeting: Meeting,
    people: Sequence[int],
    actor_id: int | None,
    **options: Any,
) -> None:
    """Queue in ``box`` a notice about ``meeting`` (drawn by ``render``) to ``people``, from
    ``actor_id``, sent as the meeting's members are sent its messages."""
    await box.send_rendered(
        kind, render(meeting), people, created_by=actor_id, **options, **for_members(meeting)
    )


async def _post_in_groups(box: Outbox, text_html: str, meeting: Meeting, **options: Any) -> None:
    """Queue in ``box`` a post about ``meeting`` to the group chats linked to its audience,
    with a button to see one's meetings in private."""
    await box.post_to_groups(
        KIND_GROUP_POST,
        meeting.audience_scope,
        meeting.audience_place,
        text_html,
        MEETINGS,
        **options,
    )
