"""Meeting reminders: 1,000 members with reminders due in the same minute, through the real
bot's JobQueue jobs and sweep. Reports the 99th percentile time from a reminder's due time to
its delivery rows being queued, per member, and how many members got a reminder twice."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.delivery import Audience
from bot.delivery.audience import EVERYONE
from bot.services.meetings.jobs import arm
from storage.meetings import GOING, MeetingRepository, NewMeeting, ReminderPlan
from storage.timefmt import from_db

MEETINGS = 20
KIND = "meeting_reminder"


@dataclass
class ReminderRun:
    """What the reminder phase measured."""

    members: int
    reminders: int
    latencies_ms: list[float]
    sent_twice: int


async def run_reminders(app, members: list[int], lead_seconds: float = 5.0) -> ReminderRun:
    """Give ``members`` (split over 20 meetings, all answered going) reminders due at spread
    seconds of one minute; let the running bot send them; measure and then stop the sends."""
    services = app.bot_data["services"]
    repo = MeetingRepository(services.db)
    now = services.clock.now()
    minute = (now + timedelta(seconds=lead_seconds + 60)).replace(second=0, microsecond=0)
    starts = minute + timedelta(hours=24)
    queued_at: dict[int, float] = {}
    delivery = services.meetings.delivery  # the bench watches the one enqueue call
    original = delivery.enqueue

    async def timed_enqueue(*args, **kwargs):
        broadcast_id = await original(*args, **kwargs)
        queued_at[broadcast_id] = datetime.now(UTC).timestamp()
        return broadcast_id

    delivery.enqueue = timed_enqueue
    try:
        per_meeting = max(len(members) // MEETINGS, 1)
        audience = Audience(EVERYONE)
        for index in range(MEETINGS):
            group = members[index * per_meeting : (index + 1) * per_meeting]
            if not group:
                break
            due = minute + timedelta(seconds=index * 60 / MEETINGS)
            new = NewMeeting(
                title=f"Bench meeting {index}",
                starts_at=starts,
                duration_minutes=60,
                place="Bench room",
                link="",
                audience_scope=audience.scope,
                audience_place=None,
                notes="",
            )
            async with services.db.transaction() as tx:
                meeting_id = await repo.create(
                    new, [ReminderPlan(24, due, first=False)], group, None, now, tx
                )
                await tx.execute(
                    "UPDATE meeting_rsvps SET answer = ?, answered_at = ? WHERE meeting_id = ?",
                    (GOING, now.isoformat(), meeting_id),
                )
        arm(app, await services.meetings.pending_reminders())
        deadline = time.monotonic() + lead_seconds + 180
        while await services.db.fetch_value(
            "SELECT COUNT(*) FROM meeting_reminders WHERE state = 'pending'"
        ):
            if time.monotonic() > deadline:
                raise AssertionError("reminders were not taken in time")
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # a straggling job or sweep would show up as a second copy
        rows = await services.db.fetch_all(
            "SELECT r.due_at, r.broadcast_id, b.total FROM meeting_reminders r "
            "JOIN broadcasts b ON b.id = r.broadcast_id WHERE b.kind = ?",
            (KIND,),
        )
        latencies: list[float] = []
        for row in rows:
            due = from_db(row["due_at"])
            assert due is not None
            wait_ms = (queued_at[row["broadcast_id"]] - due.timestamp()) * 1000
            latencies.extend([max(wait_ms, 0.0)] * row["total"])
        twice = await services.db.fetch_value(
            "SELECT COUNT(*) FROM (SELECT d.recipient_id FROM deliveries d "
            "JOIN broadcasts b ON b.id = d.broadcast_id WHERE b.kind = ? "
            "GROUP BY b.text_html, d.recipient_id HAVING COUNT(*) > 1)",
            (KIND,),
        )
        for row in rows:  # the figures are taken: do not spend a minute sending them
            await services.delivery.cancel(row["broadcast_id"])
        return ReminderRun(len(members), len(rows), latencies, int(twice))
    finally:
        delivery.enqueue = original
