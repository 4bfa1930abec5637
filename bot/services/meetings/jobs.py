"""Meeting reminders and repeating meetings on PTB's JobQueue: one job per reminder row,
armed from the database at every start and whenever new rows are written, plus a sweep that
makes the next meeting of a series and catches reminders left over (a clock moved on, a job
lost). Sending is idempotent: each row is taken once, by its state, in the same transaction
that queues its broadcast, so a crash leaves it pending or fully queued, never lost or doubled.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from telegram.ext import Application, ContextTypes

logger = logging.getLogger(__name__)

SWEEP_SECONDS = 60
JOB_PREFIX = "meeting-reminder-"


def schedule_meeting_jobs(app: Application) -> None:
    """Add the sweep job (it also sends reminders that fell due while the bot was down)."""
    app.job_queue.run_repeating(
        _send_due, interval=SWEEP_SECONDS, first=SWEEP_SECONDS, name="meeting-reminders"
    )


async def arm_meeting_reminders(app: Application) -> int:
    """At start: send what fell due while the bot was down (late, or missed if the meeting
    has started), then arm one job per future reminder; listen for new ones. Return how
    many were armed."""
    services = app.bot_data["services"]
    await services.meetings.extend_series()
    await services.meetings.send_due()
    pending = await services.meetings.pending_reminders()
    arm(app, pending)
    services.meetings.on_new_reminders(lambda rows: arm(app, rows))
    return len(pending)


def arm(app: Application, reminders: Sequence[tuple[int, datetime]]) -> None:
    """One job per reminder at its due time by the bot's clock (replacing an older one)."""
    services = app.bot_data["services"]
    now = services.clock.now()
    for reminder_id, due_at in reminders:
        name = f"{JOB_PREFIX}{reminder_id}"
        for job in app.job_queue.get_jobs_by_name(name):
            job.schedule_removal()
        delay = max((due_at - now).total_seconds(), 0.0)
        app.job_queue.run_once(_send_due, when=delay, name=name)


async def _send_due(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Make the next meeting of repeating series whose latest has started, then send every
    reminder that is due now (each exactly once)."""
    services = context.application.bot_data["services"]
    try:
        await services.meetings.extend_series()
        await services.meetings.send_due()
    except Exception:
        logger.exception("meeting reminders could not be sent this time")
