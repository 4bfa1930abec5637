"""Reaching everyone on PTB's JobQueue: one sweep, 2 s after every start and every minute, that
warns coordinators about results packs that could not reach a decision-maker and tells anyone
whose urgent request reached no coordinator. The same checks run as soon as such a broadcast
ends; the sweep catches what a crash or a failed write left. Each warning is marked in the
transaction that queues it: never lost, never twice."""

from __future__ import annotations

from telegram.ext import Application

from bot.sweeps import run_sweep

SWEEP_SECONDS = 60
FAILED = "unreached messages could not be checked this time"
JOB_NAME = "reach-warnings"


def schedule_reach_jobs(app: Application) -> None:
    """Add the sweep job."""
    run_sweep(app, JOB_NAME, SWEEP_SECONDS, 2, lambda s: s.reach.sweep(), FAILED)
