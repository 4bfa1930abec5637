"""Urgent contact requests on PTB's JobQueue: one sweep that reminds coordinators, once, about
each urgent request nobody has taken within URGENT_CONTACT_REMINDER_HOURS.

It runs a second after every start (so a reminder that fell due while the bot was down goes
then) and every SWEEP_SECONDS after. What is due is read from the database each time, and a
reminder is marked in the same transaction that queues it: never lost, never twice.
"""

from __future__ import annotations

from telegram.ext import Application

from bot.sweeps import run_sweep

SWEEP_SECONDS = 60
FAILED = "contact reminders could not be checked this time"
JOB_NAME = "contact-reminders"


def schedule_contact_jobs(app: Application) -> None:
    """Add the sweep job."""
    run_sweep(app, JOB_NAME, SWEEP_SECONDS, 1, lambda s: s.contact.send_reminders(), FAILED)
