"""Opportunities on PTB's JobQueue: the closing sweep, at start and every minute after."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.sweeps import run_sweep

SWEEP_SECONDS = 60
FAILED = "opportunities could not be closed on time this time"


def schedule_opportunity_jobs(app: Application) -> None:
    """The closing sweep every SWEEP_SECONDS (``run_opportunity_sweep`` runs it at start too, so
    a closing date that passed while the bot was down closes then); each close is taken once,
    in the database, so a run that fails leaves it for the next."""
    run_sweep(app, "opportunities", SWEEP_SECONDS, SWEEP_SECONDS, _close_on_time, FAILED)


async def run_opportunity_sweep(app: Application) -> None:
    """Close whatever has passed its closing date now (called as the bot starts)."""
    await _close_on_time(app.bot_data["services"])


async def _close_on_time(services: Any) -> None:
    """Close what has passed its closing date, telling each one's coordinator."""
    await services.opportunities.sweep()
