"""Meetings: creating them with invitations, answers (going, maybe, can't), changes,
cancelling, and reminders at set times before the start that never go out twice."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.clock import Clock
from bot.delivery import Audience, AudienceResolver, DeliveryService
from bot.delivery.audience import EVERYONE, HUB, REGION, UnknownPlace
from bot.delivery.quiet import QuietHours
from bot.recurrence import RULES, next_start
from bot.services.errors import InvalidChoice, NotAMember, ServiceError
from bot.services.roles import RoleService
from bot.timeparse import (
    TimeAmbiguous,
    TimeDoesNotExist,
    TimeNotUnderstood,
    parse_unambiguous_time,
)
from storage.audit import AuditRepository
from storage.db import Database, Session
from storage.meetings import (
    ANSWERS,
    GOING,
    LATE,
    MAYBE,
    SCHEDULED,
    SENT,
    AnswerCounts,
    DueReminder,
    Meeting,
    MeetingRepository,
    NewMeeting,
    PlaceAttendance,
    ReminderPlan,
    SheetLine,
)
from storage.members import MemberRepository

logger = logging.getLogger(__name__)

KIND_INVITE, KIND_REMINDER, KIND_NUDGE = "meeting_invite", "meeting_reminder", "meeting_nudge"
KIND_CHANGED, KIND_CANCELLED = "meeting_changed", "meeting_cancelled"
PREFERENCE = "meetings"
LATE_AFTER = timedelta(minutes=5)  # a reminder taken later than this counts as late
QUIET_MARGIN = timedelta(minutes=30)  # a reminder moved out of quiet hours goes this early
MAX_TITLE, MAX_PLACE, MAX_NOTES = 100, 300, 600
MAX_MINUTES = 12 * 60
MAX_DAYS_AHEAD = 400
RECENT_DAYS = 14  # meetings this recent can have who came marked
SHEET_LIMIT = 90  # people on one attendance sheet (Telegram allows 100 buttons)

# (text_html, reply_markup as Bot API JSON or None)
Rendered = tuple[str, dict | None]


class MeetingMessages(Protocol):
    """How meeting messages look; the handlers layer provides it (texts and buttons)."""

    def invitation(self, meeting: Meeting) -> Rendered: ...
    def reminder(self, meeting: Meeting) -> Rendered: ...
    def nudge(self, meeting: Meeting) -> Rendered: ...
    def changed(self, meeting: Meeting) -> Rendered: ...
    def cancelled(self, meeting: Meeting) -> Rendered: ...


class MeetingGone(ServiceError):
    """The meeting was cancelled or does not exist."""

    reason = "meetings.gone"


class MeetingStarted(ServiceError):
    """The meeting has already started, so answers and changes are closed."""

    reason = "meetings.started"


class MeetingInvalid(ServiceError):
    """Something about a new meeting is missing or out of range."""

    reason = "meetings.invalid"


@dataclass(frozen=True)
class MeetingDraft:
    """A meeting a coordinator is setting up."""

    title: str
    starts_at: datetime
    duration_minutes: int
    audience: Audience
    place: str = ""
    link: str = ""
    notes: str = ""
    repeat: str | None = None  # 'weekly', 'fortnightly', 'monthly' or None


@dataclass(frozen=True)
class Created:
    """A meeting that was stored, and how many people were invited."""

    meeting: Meeting
    invited: int


@dataclass(frozen=True)
class MemberMeeting:
    """An upcoming meeting as one member sees it."""

    meeting: Meeting
    answer: str | None


@dataclass(frozen=True)
class CoordinatorMeeting:
    """An upcoming meeting with its answer counts."""

    meeting: Meeting
    counts: AnswerCounts


ReminderListener = Callable[[Sequence[tuple[int, datetime]]], None]


class MeetingService:
    """Everything about meetings; coordinators' steps check the role first."""

    def __init__(
        self,
        db: Database,
        meetings: MeetingRepository,
        members: MemberRepository,
        delivery: DeliveryService,
        audiences: AudienceResolver,
        roles: RoleService,
        audit: AuditRepository,
        quiet: QuietHours,
        clock: Clock,
        messages: MeetingMessages,
        reminder_hours: Sequence[int] = (24, 2),
    ) -> None:
        self._db = db
        self._meetings = meetings
        self._members = members
        self._delivery = delivery
        self._audiences = audiences
        self._roles = roles
        self._audit = audit
        self._quiet = quiet
        self._clock = clock
        self._messages = messages
        self._hours = tuple(sorted(set(reminder_hours), reverse=True))
        self._listeners: list[ReminderListener] = []
        self._series_lock = asyncio.Lock()

    @property
    def zone(self):
        """The local time zone."""
        return self._quiet.zone

    def on_new_reminders(self, listener: ReminderListener) -> None:
        """Be told about reminder rows written after start-up (to arm a job for each)."""
        self._listeners.append(listener)

    # Reminder times

    def reminder_plan(self, starts_at: datetime, now: datetime) -> list[ReminderPlan]:
        """Due times for a meeting: each setting's hours before the start, moved to before
        quiet hours when they would fall inside them; past ones are left out; the earliest
        carries the nudge."""
        plans: dict[datetime, int] = {}
        for hours in self._hours:
            due = starts_at - timedelta(hours=hours)
            if self._quiet.is_quiet(due):
                due = self._quiet.starts_before(due, QUIET_MARGIN)
            if due > now and due < starts_at and due not in plans:
                plans[due] = hours
        ordered = sorted(plans.items())
        return [
            ReminderPlan(hours_before=hours, due_at=due, first=index == 0)
            for index, (due, hours) in enumerate(ordered)
        ]

    # Coordinators

    def check(self, draft: MeetingDraft) -> None:
        """Refuse a draft that is missing something or out of range."""
        now = self._clock.now()
        if not draft.title.strip() or len(draft.title) > MAX_TITLE:
            raise MeetingInvalid
        if draft.starts_at <= now or draft.starts_at > now + timedelta(days=MAX_DAYS_AHEAD):
            raise MeetingInvalid
        if not 1 <= draft.duration_minutes <= MAX_MINUTES:
            raise MeetingInvalid
        if not (draft.place.strip() or draft.link.strip()):
            raise MeetingInvalid
        if len(draft.place) > MAX_PLACE or len(draft.link) > MAX_PLACE:
            raise MeetingInvalid
        if len(draft.notes) > MAX_NOTES:
            raise MeetingInvalid
        try:
            self._audiences.check(draft.audience)
        except UnknownPlace:
            raise InvalidChoice from None

    async def create(self, actor_id: int, draft: MeetingDraft) -> Created:
        """Store the meeting (and its series if it repeats), its reminders and who is
        invited, and queue the invitations, all in one transaction."""
        await self._roles.require_coordinator(actor_id, "create meeting")
        if draft.repeat is not None and draft.repeat not in RULES:
            raise InvalidChoice
        return await self._create(actor_id, draft, None)

    async def _create(
        self, actor_id: int | None, draft: MeetingDraft, series_id: int | None
    ) -> Created:
        """Create a checked meeting; a new series is started when the draft repeats and no
        series is given."""
        self.check(draft)
        now = self._clock.now()
        audience = Audience(draft.audience.scope, draft.audience.place_id, PREFERENCE)
        invitees = await self._audiences.recipients(audience)
        plans = self.reminder_plan(draft.starts_at, now)
        async with self._db.transaction() as tx:
            if series_id is None and draft.repeat is not None:
                series_id = await self._meetings.create_series(draft.repeat, actor_id, now, tx)
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
            meeting_id = await self._meetings.create(new, plans, invitees, actor_id, now, tx)
            detail = f"meeting {meeting_id} for {audience.label}, {len(invitees)} invited"
            if series_id is not None:
                detail += f", series {series_id}"
            await self._audit.record(actor_id, "meeting.created", now, detail=detail, tx=tx)
            # The invitations are queued in the same transaction: a crash or a failed write
            # keeps no meeting at all (a series' next one is made again by the next sweep),
            # never one whose invited members were not told.
            meeting = await self._meetings.get(meeting_id, tx)
            assert meeting is not None
            if invitees:
                text, markup = self._messages.invitation(meeting)
                await self._delivery.enqueue(
                    KIND_INVITE,
                    text,
                    invitees,
                    created_by=actor_id,
                    reply_markup=markup,
                    preference=PREFERENCE,
                    audience=audience.label,
                    tx=tx,
                )
        if invitees:
            self._delivery.wake()
        await self._tell_listeners(meeting_id)
        return Created(meeting, len(invitees))

    async def extend_series(self) -> list[Created]:
        """Make the next meeting of every repeating series whose latest one has started, with
        its own invitations, answers and reminders (the earlier ones stay as history). Its
        date and clock time follow the series' first meeting, so the series never drifts."""
        made = []
        async with self._series_lock:
            now = self._clock.now()
            for series_id, rule, creator, latest, anchor in await self._meetings.series_due(now):
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
        await self._roles.require_coordinator(actor_id, "change meeting")
        meeting = await self._meetings.get(meeting_id)
        if meeting is None or meeting.series_id is None:
            raise InvalidChoice
        if not await self._meetings.stop_series(meeting.series_id):
            raise InvalidChoice
        await self._audit.record(
            actor_id,
            "meeting.series_stopped",
            self._clock.now(),
            detail=f"series {meeting.series_id}",
        )

    async def recent(self, actor_id: int) -> list[Meeting]:
        """Meetings that started in the last RECENT_DAYS days, for marking who came."""
        await self._roles.require_coordinator(actor_id, "mark attendance")
        now = self._clock.now()
        return await self._meetings.recent(now - timedelta(days=RECENT_DAYS), now)

    async def _started(self, meeting_id: int) -> Meeting:
        """A meeting that has started and was not cancelled, or InvalidChoice."""
        meeting = await self._meetings.get(meeting_id)
        if meeting is None or meeting.state != SCHEDULED:
            raise MeetingGone
        if meeting.starts_at > self._clock.now():
            raise InvalidChoice
        return meeting

    async def sheet(self, actor_id: int, meeting_id: int) -> tuple[Meeting, list[SheetLine]]:
        """Who said going or maybe, and who is marked as came (going counts until changed)."""
        await self._roles.require_coordinator(actor_id, "mark attendance")
        meeting = await self._started(meeting_id)
        return meeting, await self._meetings.sheet(meeting_id, SHEET_LIMIT)

    async def toggle_attended(
        self, actor_id: int, meeting_id: int, member_id: int, came: bool | None = None
    ) -> bool:
        """Mark one person on the sheet as came or not (``came``; None flips them); return the
        new value. Marking as they already are changes nothing (a press delivered twice)."""
        await self._roles.require_coordinator(actor_id, "mark attendance")
        await self._started(meeting_id)
        line = next(
            (
                x
                for x in await self._meetings.sheet(meeting_id, SHEET_LIMIT)
                if x.member_id == member_id
            ),
            None,
        )
        if line is None:
            raise InvalidChoice
        wanted = not line.attended if came is None else came
        if line.attended is None or bool(line.attended) != wanted:
            await self._meetings.set_attended(meeting_id, member_id, wanted)
        return wanted

    async def save_attendance(self, actor_id: int, meeting_id: int) -> int:
        """Keep the attendance (counts by region and hub for reports); return how many came."""
        await self._roles.require_coordinator(actor_id, "mark attendance")
        await self._started(meeting_id)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            came, changed = await self._meetings.save_attendance(meeting_id, tx)
            if changed:  # a double tap saves the same sheet: one line in the audit log
                await self._audit.record(
                    actor_id,
                    "meeting.attendance",
                    now,
                    detail=f"meeting {meeting_id}: {came} came",
                    tx=tx,
                )
        return came

    async def attendance(self, actor_id: int, meeting_id: int) -> list[PlaceAttendance]:
        """A meeting's kept attendance by region and hub."""
        await self._roles.require_coordinator(actor_id, "mark attendance")
        return await self._meetings.attendance(meeting_id)

    async def repeats(self, meeting: Meeting) -> str | None:
        """The meeting's repeat rule while its series is active, else None."""
        if meeting.series_id is None:
            return None
        return await self._meetings.series_rule(meeting.series_id)

    def read_time(self, text: str) -> datetime:
        """A typed UK date and time for a new start, or the refusal that says what is wrong."""
        return read_start(text, self._clock.now(), self.zone)

    async def count(self, actor_id: int, audience: Audience) -> int:
        """How many members an invitation to this audience would reach now."""
        await self._roles.require_coordinator(actor_id, "create meeting")
        try:
            return await self._audiences.count(
                Audience(audience.scope, audience.place_id, PREFERENCE)
            )
        except UnknownPlace:
            raise InvalidChoice from None

    async def upcoming(self, actor_id: int) -> list[CoordinatorMeeting]:
        """Upcoming meetings with going, maybe, can't and no-answer counts."""
        await self._roles.require_coordinator(actor_id, "list meetings")
        return [
            CoordinatorMeeting(meeting, await self._meetings.counts(meeting.id))
            for meeting in await self._meetings.upcoming(self._clock.now())
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
        await self._roles.require_coordinator(actor_id, "change meeting")
        meeting = await self._open_meeting(meeting_id)
        now = self._clock.now()
        new_start = starts_at or meeting.starts_at
        new_place = meeting.place if place is None else place.strip()
        new_link = meeting.link if link is None else link.strip()
        if new_start <= now or not (new_place or new_link):
            raise MeetingInvalid
        if len(new_place) > MAX_PLACE or len(new_link) > MAX_PLACE:
            raise MeetingInvalid
        plans = self.reminder_plan(new_start, now)
        # The change, its new reminders and the notice: one transaction, all or none.
        async with self._db.transaction() as tx:
            await self._meetings.reschedule(
                meeting_id, new_start, new_place, new_link, plans, now, tx
            )
            await self._audit.record(
                actor_id, "meeting.changed", now, detail=f"meeting {meeting_id}", tx=tx
            )
            changed = await self._meetings.get(meeting_id, tx)
            assert changed is not None
            told = await self._meetings.people(meeting_id, (GOING, MAYBE), tx=tx)
            if told:
                text, markup = self._messages.changed(changed)
                await self._delivery.enqueue(
                    KIND_CHANGED,
                    text,
                    told,
                    created_by=actor_id,
                    reply_markup=markup,
                    preference=PREFERENCE,
                    audience=changed.audience_label,
                    tx=tx,
                )
        if told:
            self._delivery.wake()
        await self._tell_listeners(meeting_id)
        return changed

    async def cancel(self, actor_id: int, meeting_id: int) -> int:
        """Cancel a meeting: its reminders stop and everyone invited who had not said they
        can't come gets an urgent message. Return how many are told."""
        await self._roles.require_coordinator(actor_id, "cancel meeting")
        meeting = await self._open_meeting(meeting_id)
        now = self._clock.now()
        # Cancelled (with its reminders) and the urgent notice queued: one transaction.
        async with self._db.transaction() as tx:
            if not await self._meetings.cancel(meeting_id, now, tx):
                raise MeetingGone
            await self._audit.record(
                actor_id, "meeting.cancelled", now, detail=f"meeting {meeting_id}", tx=tx
            )
            told = await self._meetings.people(meeting_id, (GOING, MAYBE, None), tx=tx)
            if told:
                text, markup = self._messages.cancelled(meeting)
                await self._delivery.enqueue(
                    KIND_CANCELLED,
                    text,
                    told,
                    created_by=actor_id,
                    reply_markup=markup,
                    urgent=True,
                    preference=PREFERENCE,
                    audience=meeting.audience_label,
                    tx=tx,
                )
        if told:
            self._delivery.wake()
        return len(told)

    # Members

    async def rsvp(self, member_id: int, meeting_id: int, answer: str) -> Meeting:
        """Record or change a member's answer (until the meeting starts)."""
        if answer not in ANSWERS:
            raise InvalidChoice
        member = await self._members.get(member_id)
        if member is None:
            raise NotAMember
        meeting = await self._open_meeting(meeting_id)
        if not await self._may_see(meeting, member_id, member.region_id, member.hub_id):
            raise InvalidChoice
        previous = await self._meetings.answer_of(meeting_id, member_id)
        await self._meetings.set_answer(meeting_id, member_id, answer, self._clock.now())
        if previous != answer:
            await self._audit.record(
                member_id,
                "meeting.answered",
                self._clock.now(),
                detail=f"meeting {meeting_id}: {answer}",
            )
        return meeting

    async def for_member(self, member_id: int) -> list[MemberMeeting]:
        """A member's upcoming meetings with their answers, soonest first."""
        member = await self._members.get(member_id)
        if member is None:
            raise NotAMember
        meetings = await self._meetings.upcoming_for(
            self._clock.now(), member_id, member.region_id, member.hub_id
        )
        return [MemberMeeting(m, await self._meetings.answer_of(m.id, member_id)) for m in meetings]

    async def member_data(self, member_id: int) -> list[dict[str, object]]:
        """Every meeting answer this member gave, for /mydata."""
        return await self._meetings.answers_by(member_id)

    async def one_for_member(self, member_id: int, meeting_id: int) -> MemberMeeting:
        """One meeting the member may see (for a calendar file), or a refusal."""
        member = await self._members.get(member_id)
        if member is None:
            raise NotAMember
        meeting = await self._meetings.get(meeting_id)
        if meeting is None or meeting.state != SCHEDULED:
            raise MeetingGone
        if not await self._may_see(meeting, member_id, member.region_id, member.hub_id):
            raise InvalidChoice
        return MemberMeeting(meeting, await self._meetings.answer_of(meeting_id, member_id))

    async def _may_see(
        self, meeting: Meeting, member_id: int, region_id: str | None, hub_id: str | None
    ) -> bool:
        """True when the meeting is for the member's places or they were invited."""
        if meeting.audience_scope == EVERYONE:
            return True
        if meeting.audience_scope == REGION and meeting.audience_place == region_id:
            return True
        if meeting.audience_scope == HUB and meeting.audience_place == hub_id:
            return True
        return await self._meetings.is_listed(meeting.id, member_id)

    async def _open_meeting(self, meeting_id: int) -> Meeting:
        """A scheduled meeting that has not started, or the refusal that says why not."""
        meeting = await self._meetings.get(meeting_id)
        if meeting is None or meeting.state != SCHEDULED:
            raise MeetingGone
        if meeting.starts_at <= self._clock.now():
            raise MeetingStarted
        return meeting

    # Reminders

    async def pending_reminders(self) -> list[tuple[int, datetime]]:
        """Every reminder still to go out: (id, due time)."""
        return await self._meetings.pending_reminders()

    async def _tell_listeners(self, meeting_id: int) -> None:
        """Tell listeners (the scheduler) about a meeting's pending reminders."""
        if not self._listeners:
            return
        rows = [
            (row["id"], datetime.fromisoformat(row["due_at"]).astimezone(UTC))
            for row in await self._meetings.reminders_of(meeting_id)
            if row["state"] == "pending"
        ]
        for listener in self._listeners:
            listener(rows)

    async def send_due(self) -> list[DueReminder]:
        """Take every due reminder once and queue it in the same transaction: the reminder's
        new state and its broadcasts (with their delivery rows) are written together or not
        at all. A crash or a failed write leaves it pending, so the next sweep takes it again
        (late or missed by the usual rules); once written, the delivery engine owns it. Never
        lost, never twice. It goes to members who said going or maybe, and with the first
        reminder one gentle nudge to invited members who have not answered; never to those
        who can't come."""
        now = self._clock.now()
        # A late one found in quiet hours would wait for morning; if the meeting starts by
        # then, it is recorded as missed instead of arriving as it begins.
        can_send_at = self._quiet.ends_at(now)
        taken: list[DueReminder] = []
        queued = False
        for reminder_id in await self._meetings.due_reminders(now):
            try:
                async with self._db.transaction() as tx:
                    reminder = await self._meetings.take_reminder(
                        reminder_id, now, LATE_AFTER, can_send_at, tx
                    )
                    if reminder is not None and reminder.state in (SENT, LATE):
                        queued = await self._queue_reminder(reminder, tx) or queued
            except Exception:
                logger.exception("meeting reminder %s could not be queued; kept", reminder_id)
                continue
            if reminder is None:
                continue  # taken meanwhile by another sweep or job
            if reminder.state not in (SENT, LATE):
                logger.info("meeting reminder %s recorded as %s", reminder.id, reminder.state)
            taken.append(reminder)
        if queued:
            self._delivery.wake()
        return taken

    async def _queue_reminder(self, reminder: DueReminder, tx: Session) -> bool:
        """Write one reminder's broadcast (and its nudge) in ``tx``; True if any was."""
        meeting = await self._meetings.get(reminder.meeting_id, tx)
        assert meeting is not None
        queued = False
        coming = await self._meetings.people(meeting.id, (GOING, MAYBE), tx=tx)
        if coming:
            text, markup = self._messages.reminder(meeting)
            broadcast_id = await self._delivery.enqueue(
                KIND_REMINDER,
                text,
                coming,
                reply_markup=markup,
                preference=PREFERENCE,
                audience=meeting.audience_label,
                tx=tx,
            )
            await self._meetings.set_reminder_broadcast(reminder.id, broadcast_id, tx)
            queued = True
        if reminder.first:
            silent = await self._meetings.people(meeting.id, (None,), invited_only=True, tx=tx)
            if silent:
                text, markup = self._messages.nudge(meeting)
                await self._delivery.enqueue(
                    KIND_NUDGE,
                    text,
                    silent,
                    reply_markup=markup,
                    preference=PREFERENCE,
                    audience=meeting.audience_label,
                    tx=tx,
                )
                queued = True
        return queued


class LengthUnclear(ServiceError):
    """The typed length could not be read."""

    reason = "meetings.new_length_unclear"


class LengthTooShort(ServiceError):
    """The typed length is no time at all, or less."""

    reason = "meetings.new_length_too_short"


class LengthTooLong(ServiceError):
    """The typed length is over MAX_MINUTES."""

    reason = "meetings.new_length_too_long"


_HOURS_WORD = r"(?:h|hr|hrs|hour|hours)"
_MINUTES_WORD = r"(?:m|min|mins|minute|minutes)"
_NUMBER = r"(-?\d+(?:[.,]\d{1,2})?)"  # "1.5" or "1,5"; "1,000" is not read
_LENGTHS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], float]], ...] = (
    (re.compile(rf"^{_NUMBER} ?(?:{_MINUTES_WORD})?$"), lambda m: _number(m[1])),
    (re.compile(rf"^{_NUMBER} ?{_HOURS_WORD}$"), lambda m: _number(m[1]) * 60),
    (
        re.compile(rf"^(\d+) ?{_HOURS_WORD}(?: and)? ?(\d+) ?(?:{_MINUTES_WORD})?$"),
        lambda m: int(m[1]) * 60 + int(m[2]),
    ),
    (re.compile(r"^(\d+):(\d\d)$"), lambda m: int(m[1]) * 60 + int(m[2])),
    (re.compile(r"^(?:an?|one) hour$"), lambda m: 60),
    (re.compile(r"^half an? hour$|^half hour$"), lambda m: 30),
    (
        re.compile(r"^(?:an?|one) hour and a half$|^(?:one|1) and a half hours$"),
        lambda m: 90,
    ),
)


def _number(text: str) -> float:
    """'90', '1.5' or '1,5' as a number."""
    return float(text.replace(",", "."))


def read_length(text: str) -> int:
    """A typed meeting length in minutes: '90', '90 minutes', '2 hours', '1.5h', '1 hour 30',
    '1:30', 'an hour', 'half an hour'. Each kind of problem has its own refusal: not
    understood ('forever'), no time at all ('0', '-5'), or over 12 hours ('99999')."""
    cleaned = " ".join(text.casefold().replace("-", " -").split()).replace("- ", "-")
    for pattern, minutes_of in _LENGTHS:
        match = pattern.match(cleaned)
        if match:
            value = minutes_of(match)
            break
    else:
        raise LengthUnclear
    if value > MAX_MINUTES:  # before rounding: a huge number may not round
        raise LengthTooLong
    minutes = round(value)
    if minutes < 1:
        raise LengthTooShort
    return minutes


class TimeUnclear(ServiceError):
    """The typed date and time could not be read."""

    reason = "meetings.time_unclear"


class TimeSkipped(ServiceError):
    """The typed time does not exist: the clocks go forward then."""

    reason = "meetings.time_skipped"


class TimeTwice(ServiceError):
    """The typed time happens twice: the clocks go back then."""

    reason = "meetings.time_twice"


class TimePassed(ServiceError):
    """The typed time is already past."""

    reason = "meetings.time_passed"


class TimeTooFar(ServiceError):
    """The typed time is more than about a year ahead."""

    reason = "meetings.time_too_far"


def read_start(text: str, now: datetime, zone) -> datetime:
    """A typed UK date and time (day before month) as UTC, in the future and within
    MAX_DAYS_AHEAD; each kind of problem has its own refusal."""
    try:
        moment = parse_unambiguous_time(text, now, zone)
    except TimeDoesNotExist:
        raise TimeSkipped from None
    except TimeAmbiguous:
        raise TimeTwice from None
    except TimeNotUnderstood:
        raise TimeUnclear from None
    if moment <= now:
        raise TimePassed
    if moment > now + timedelta(days=MAX_DAYS_AHEAD):
        raise TimeTooFar
    return moment
