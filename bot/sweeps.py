"""Repeating sweeps on PTB's JobQueue: a service's check, run soon after every start and then
every so often; a failure is logged by its type only and the next run tries again."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import Application, ContextTypes

logger = logging.getLogger(__name__)


def run_sweep(
    app: Application,
    name: str,
    every: float,
    first: float,
    sweep: Callable[[Any], Awaitable[object]],
    failed: str,
) -> None:
    """Add the job ``name``: ``sweep(services)`` ``first`` seconds after start, then every
    ``every`` seconds. A failure is logged as ``failed`` with the error's type (never what
    anyone wrote), and nothing more: what is due is read from the database each time."""

    async def job(context: ContextTypes.DEFAULT_TYPE) -> None:
        """One run of the sweep."""
        try:
            await sweep(context.application.bot_data["services"])
        except Exception as exc:  # the next sweep tries again
            logger.error("%s: %s", failed, type(exc).__name__)

    app.job_queue.run_repeating(job, interval=every, first=first, name=name)
