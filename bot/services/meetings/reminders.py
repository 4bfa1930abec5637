"""Meeting reminders: due times before the start (never in quiet hours), telling the
scheduler about new rows, and sending each due reminder once."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.clock import Clock
from bot.delivery import DeliveryService
from bot.delivery.group_posts import MEETINGS
from bot.delivery.outbox import Outbox, outbox
from bot.delivery.quiet import QuietHours
from bot.services.meetings.messages import (
    GROUP_REMINDER,
    KIND_GROUP_POST,
    KIND_NUDGE,
    KIND_REMINDER,
    MeetingMessages,
    for_members,
)
from storage.db import Database
from storage.meetings import (
    GOING,
    LATE,
    MAYBE,
    SENT,
    DueReminder,
    MeetingRepository,
    ReminderPlan,
)

logger = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=5)  # a reminder taken later than this counts as late
QUIET_MARGIN = timedelta(minutes=30)  # a reminder moved out of quiet hours goes this early

ReminderListener = Callable[[Sequence[tuple[int, datetime]]], None]


@dataclass(eq=False)
class MeetingReminders:
    """Reminder due times, the scheduler's listeners, and sending what is due."""

    db: Database
    meetings: MeetingRepository
    delivery: DeliveryService
    quiet: QuietHours
    clock: Clock
    messages: MeetingMessages
    reminder_hours: Sequence[int] = (24, 2)

    def __post_init__(self) -> None:
        """The parts built from the fields."""
        self._hours = tuple(sorted(set(self.reminder_hours), reverse=True))
        self._listeners: list[ReminderListener] = []

    def on_new_reminders(self, listener: ReminderListener) -> None:
        """Be told about reminder rows written after start-up (to arm a job for each)."""
        self._listeners.append(listener)

    def plan(self, starts_at: datetime, now: datetime) -> list[ReminderPlan]:
        """Due times for a meeting: each setting's hours before the start, moved to before
        quiet hours when they would fall inside them; past ones are left out; the earliest
        carries the nudge."""
        plans: dict[datetime, int] = {}
        for hours in self._hours:
            due = self.quiet.before_quiet(starts_at - timedelta(hours=hours), QUIET_MARGIN)
            if due > now and due < starts_at and due not in plans:
                plans[due] = hours
        ordered = sorted(plans.items())
        return [
            ReminderPlan(hours_before=hours, due_at=due, first=index == 0)
            for index, (due, hours) in enumerate(ordered)
        ]

    async def pending(self) -> list[tuple[int, datetime]]:
        """Every reminder still to go out: (id, due time)."""
        return await self.meetings.pending_reminders()

    async def tell_listeners(self, meeting_id: int) -> None:
        """Tell listeners (the scheduler) about a meeting's pending reminders."""
        if not self._listeners:
            return
        rows = [
            (row["id"], datetime.fromisoformat(row["due_at"]).astimezone(UTC))
            for row in await self.meetings.reminders_of(meeting_id)
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
        now = self.clock.now()
        # A late one found in quiet hours would wait for morning; if the meeting starts by
        # then, it is recorded as missed instead of arriving as it begins.
        can_send_at = self.quiet.ends_at(now)
        taken: list[DueReminder] = []
        for reminder_id in await self.meetings.due_reminders(now):
            try:
                async with outbox(self.db, self.delivery) as box:
                    reminder = await self.meetings.take_reminder(
                        reminder_id, now, LATE_AFTER, can_send_at, box.tx
                    )
                    if reminder is not None and reminder.state in (SENT, LATE):
                        await self._queue(reminder, box)
            except Exception:
                logger.exception("meeting reminder %s could not be queued; kept", reminder_id)
                continue
            if reminder is None:
                continue  # taken meanwhile by another sweep or job
            if reminder.state not in (SENT, LATE):
                logger.info("meeting reminder %s recorded as %s", reminder.id, reminder.state)
            taken.append(reminder)
        return taken

    async def _queue(self, reminder: DueReminder, box: Outbox) -> None:
        """Write one reminder's broadcast (and its nudge) in the outbox's transaction."""
        meeting = await self.meetings.get(reminder.meeting_id, box.tx)
        assert meeting is not None
        options = for_members(meeting)
        coming = await self.meetings.people(meeting.id, (GOING, MAYBE), tx=box.tx)
        reminder_text = self.messages.reminder(meeting)
        broadcast_id = await box.send_rendered(KIND_REMINDER, reminder_text, coming, **options)
        if broadcast_id is not None:
            await self.meetings.set_reminder_broadcast(reminder.id, broadcast_id, box.tx)
        await box.post_to_groups(
            KIND_GROUP_POST,
            meeting.audience_scope,
            meeting.audience_place,
            self.messages.group_post(meeting, GROUP_REMINDER),
            MEETINGS,
        )
        if reminder.first:
            silent = await self.meetings.people(meeting.id, (None,), invited_only=True, tx=box.tx)
            await box.send_rendered(KIND_NUDGE, self.messages.nudge(meeting), silent, **options)
