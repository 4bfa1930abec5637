"""Series on PTB's JobQueue: one sweep that makes each round when its opening time comes.

It runs at every start (a round due while the bot was down is made then, or skipped if most of
its time has passed) and every SWEEP_SECONDS after. Making a round is idempotent: the round and
the series' move to its next opening are one transaction guarded by the round count.
"""

from __future__ import annotations

from telegram.ext import Application, ContextTypes

SWEEP_SECONDS = 30


def schedule_series_jobs(app: Application) -> None:
    """Add the sweep job."""
    app.job_queue.run_repeating(_sweep, interval=SWEEP_SECONDS, first=SWEEP_SECONDS, name="series")


async def run_series_sweep(app: Application) -> None:
    """Make whatever round is due now (called at start and by the job)."""
    await app.bot_data["services"].series.sweep()


async def _sweep(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The repeating job."""
    await run_series_sweep(context.application)
