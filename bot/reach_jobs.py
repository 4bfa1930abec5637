"""Reaching everyone on PTB's JobQueue: one sweep, 2 s after every start and every minute, that
warns coordinators about results packs that could not reach a decision-maker and tells anyone
whose urgent request reached no coordinator. The same checks run as soon as such a broadcast
ends; the sweep catches what a crash or a failed write left. Each warning is marked in the
transaction that queues it: never lost, never twice."""

from __future__ import annotations

import logging

from telegram.ext import Application, ContextTypes

logger = logging.getLogger(__name__)

SWEEP_SECONDS = 60
JOB_NAME = "reach-warnings"


def schedule_reach_jobs(app: Application) -> None:
    """Add the sweep job."""
    app.job_queue.run_repeating(_sweep, interval=SWEEP_SECONDS, first=2, name=JOB_NAME)


async def _sweep(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The repeating job."""
    try:
        await context.application.bot_data["services"].reach.sweep()
    except Exception as exc:  # the next sweep tries again
        logger.error("unreached messages could not be checked this time: %s", type(exc).__name__)
