"""The retention policy on PTB's JobQueue: one run a day at RUN_AT (local time, in quiet hours,
so the questions it queues go out in the morning) and one RUN_AFTER_START after each start
(so a day the bot was down is not skipped); members' activity written every FLUSH_SECONDS
and once more at shutdown.

Each run decides everything from the database and is safe to repeat. Only counts are logged.
"""

from __future__ import annotations

import logging
from datetime import time

from telegram.ext import Application, ContextTypes

logger = logging.getLogger(__name__)

RUN_AT = time(3, 30)
RUN_AFTER_START = 120  # seconds
FLUSH_SECONDS = 60
JOB_NAME = "retention"
FLUSH_JOB_NAME = "activity"


def schedule_retention_jobs(app: Application) -> None:
    """Add the daily run, the run after start and the activity flush."""
    services = app.bot_data["services"]
    at = RUN_AT.replace(tzinfo=services.settings.zone)
    app.job_queue.run_daily(run_retention, time=at, name=JOB_NAME)
    app.job_queue.run_once(run_retention, when=RUN_AFTER_START, name=JOB_NAME)
    app.job_queue.run_repeating(
        _flush, interval=FLUSH_SECONDS, first=FLUSH_SECONDS, name=FLUSH_JOB_NAME
    )


async def run_retention(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Apply the policy once; forget the unfinished steps of anyone removed, as /leave does."""
    application = context.application
    try:
        result = await application.bot_data["services"].retention.run()
    except Exception as exc:  # tomorrow's run tries again
        logger.error("retention run failed: %s", type(exc).__name__)
        return
    for member_id in result.removed:
        application.drop_user_data(member_id)
    logger.info("retention run: %s", result.summary())


async def flush_activity(app: Application) -> None:
    """Write members' activity noted since the last flush (also called at shutdown)."""
    try:
        await app.bot_data["services"].retention.activity.flush()
    except Exception as exc:  # kept in memory for the next flush
        logger.warning("activity not written this time: %s", type(exc).__name__)


async def _flush(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The repeating job: write members' activity."""
    await flush_activity(context.application)
