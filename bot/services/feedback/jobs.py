"""Meetings' feedback surveys on PTB's JobQueue: one sweep, at start and every SWEEP_SECONDS,
opens those whose time has come (each once, by its state in the database)."""

from __future__ import annotations

import logging

from telegram.ext import Application, ContextTypes

logger = logging.getLogger(__name__)

SWEEP_SECONDS = 60


def schedule_feedback_jobs(app: Application) -> None:
    """Add the sweep job."""
    app.job_queue.run_repeating(
        _sweep, interval=SWEEP_SECONDS, first=SWEEP_SECONDS, name="meeting-feedback"
    )


async def run_feedback_sweep(app: Application) -> None:
    """Open every feedback survey that is due now (called at start and by the job)."""
    try:
        await app.bot_data["services"].feedback.sweep()
    except Exception:
        logger.exception("meeting feedback surveys could not be opened this time")


async def _sweep(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The repeating job."""
    await run_feedback_sweep(context.application)
