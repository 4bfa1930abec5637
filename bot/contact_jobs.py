"""Urgent contact requests on PTB's JobQueue: one sweep that reminds coordinators, once, about
each urgent request nobody has taken within URGENT_CONTACT_REMINDER_HOURS.

It runs a second after every start (so a reminder that fell due while the bot was down goes
then) and every SWEEP_SECONDS after. What is due is read from the database each time, and a
reminder is marked in the same transaction that queues it: never lost, never twice.
"""

from __future__ import annotations

import logging

from telegram.ext import Application, ContextTypes

logger = logging.getLogger(__name__)

SWEEP_SECONDS = 60
JOB_NAME = "contact-reminders"


def schedule_contact_jobs(app: Application) -> None:
    """Add the sweep job."""
    app.job_queue.run_repeating(_sweep, interval=SWEEP_SECONDS, first=1, name=JOB_NAME)


async def _sweep(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The repeating job: remind about every urgent request that is due now."""
    try:
        await context.application.bot_data["services"].contact.send_reminders()
    except Exception as exc:  # the next sweep tries again
        logger.error("contact reminders could not be checked this time: %s", type(exc).__name__)
