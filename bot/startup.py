"""What runs as the bot starts and stops (PTB's post_init, post_stop and post_shutdown), and
the scheduled jobs it arms: the delivery worker, each sweep once at start, the command menus,
and the garbage collector told to leave start-up's objects alone."""

from __future__ import annotations

import gc
import logging

from telegram.error import TelegramError
from telegram.ext import Application

from bot.command_menus import set_command_menus
from bot.contact_jobs import schedule_contact_jobs
from bot.ops.backup_jobs import schedule_backup_jobs
from bot.reach_jobs import schedule_reach_jobs
from bot.retention_jobs import flush_activity, schedule_retention_jobs
from bot.services.consultations.jobs import run_consultation_sweep, schedule_consultation_jobs
from bot.services.feedback.jobs import run_feedback_sweep, schedule_feedback_jobs
from bot.services.meetings.jobs import arm_meeting_reminders, schedule_meeting_jobs
from bot.services.opportunities.jobs import run_opportunity_sweep, schedule_opportunity_jobs
from bot.services.registry import Services
from bot.services.series.jobs import run_series_sweep, schedule_series_jobs
from bot.services.surveys.jobs import run_survey_sweep, schedule_survey_jobs
from handlers.shared.common import ForumContext
from handlers.shared.redraw import REDRAWS

logger = logging.getLogger(__name__)

PAUSE_CHECK_SECONDS = 60


def schedule_jobs(app: Application) -> None:
    """Arm every repeating job on PTB's JobQueue (each module names its own)."""
    app.job_queue.run_repeating(
        end_pauses, interval=PAUSE_CHECK_SECONDS, first=1, name="end-pauses"
    )
    schedule_meeting_jobs(app)
    schedule_consultation_jobs(app)
    schedule_survey_jobs(app)
    schedule_series_jobs(app)
    schedule_feedback_jobs(app)
    schedule_contact_jobs(app)
    schedule_reach_jobs(app)
    schedule_backup_jobs(app)
    schedule_retention_jobs(app)
    schedule_opportunity_jobs(app)


async def post_init(app: Application) -> None:
    """Start the delivery worker (rows mid-send at a crash become uncertain first), run each
    sweep once, then register the command menus (``bot/command_menus.py``). Last, what
    start-up loaded is set aside from garbage collection (see ``_settle_memory``)."""
    services: Services = app.bot_data["services"]
    if services.delivery.group_posts is not None:  # the deep links need the bot's username
        services.delivery.group_posts.know_bot(app.bot.username)
    await services.delivery.start()
    app.bot_data[REDRAWS].start()
    await arm_meeting_reminders(app)
    await run_consultation_sweep(app)
    await run_survey_sweep(app)
    await run_series_sweep(app)
    await run_feedback_sweep(app)
    await run_opportunity_sweep(app)
    await set_command_menus(app.bot, services)
    _settle_memory()


def _settle_memory() -> None:
    """Leave what start-up loaded (python-telegram-bot, matplotlib, scipy, the catalogue: about
    240,000 objects that live as long as the bot) out of the garbage collector's full passes.
    Each such pass over them took about 95 ms, during which no reply is sent; under a rush of
    answers that was much of the slowest answers' wait (`make bench`, the votes phase)."""
    gc.collect()
    gc.freeze()


async def post_stop(app: Application) -> None:
    """Stop redrawing pressed messages while the bot can still make calls."""
    await app.bot_data[REDRAWS].stop()


async def post_shutdown(app: Application) -> None:
    """Stop the delivery worker (sends in the air finish), then close the database."""
    services: Services = app.bot_data["services"]
    await flush_activity(app)  # who was active since the last minute's flush
    await services.delivery.stop()
    await services.db.close()


async def end_pauses(context: ForumContext) -> None:
    """End pauses whose time is up and tell each member."""
    services = context.services
    for member_id in await services.members.end_expired_pauses():
        try:
            await context.bot.send_message(member_id, services.texts.get("settings.pause_ended"))
        except TelegramError as exc:
            logger.info("pause-ended message not delivered: %s", type(exc).__name__)
