"""Surveys on PTB's JobQueue: one sweep that opens, nudges and closes on schedule.

It runs at every start (so a closing time that passed while the bot was down closes then) and
every SWEEP_SECONDS after. Each step is idempotent: states change once, in the database.
"""

from __future__ import annotations

from telegram.ext import Application, ContextTypes

SWEEP_SECONDS = 30


def schedule_survey_jobs(app: Application) -> None:
    """Add the sweep job."""
    app.job_queue.run_repeating(_sweep, interval=SWEEP_SECONDS, first=SWEEP_SECONDS, name="surveys")


async def run_survey_sweep(app: Application) -> None:
    """Open, nudge and close whatever is due now (called at start and by the job)."""
    await app.bot_data["services"].surveys.sweep()


async def _sweep(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The repeating job."""
    await run_survey_sweep(context.application)
