"""The bot's own backups on PTB's JobQueue: a check a minute after start and every ten minutes
takes a backup (in a process of its own, so the bot never waits for it) into BACKUP_DIR when
the newest there is BACKUP_EVERY_HOURS old (or there is none), keeps the newest BACKUP_KEEP,
and after a failure tries again an hour later. A failure is told to every coordinator through
the delivery engine, at most once a day: the check for an earlier notice and the queueing of a
new one are one transaction."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telegram.ext import Application, ContextTypes

from bot.clock import Clock
from bot.delivery import DeliveryService
from bot.ops.backup import (
    OTHER,
    BackupError,
    BackupFile,
    backup_in_process,
    backup_key,
    latest_backup,
    prune,
)
from bot.services.roles import RoleService
from bot.texts import Markup, Texts
from config.settings import Settings
from storage.backup import notice_since
from storage.db import Database

logger = logging.getLogger(__name__)

FIRST_CHECK_SECONDS = 60
CHECK_SECONDS = 600
RETRY_AFTER = timedelta(hours=1)
NOTICE_EVERY = timedelta(days=1)
KIND_FAILED = "backup_failed"
JOB_NAME = "backups"
KEEPER = "backup_keeper"  # the BackupKeeper in bot_data


class BackupKeeper:
    """Takes the bot's scheduled backups and tells coordinators when one fails."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        delivery: DeliveryService,
        roles: RoleService,
        texts: Texts,
        clock: Clock,
    ) -> None:
        self._settings = settings
        self._db = db
        self._delivery = delivery
        self._roles = roles
        self._texts = texts
        self._clock = clock
        self._failed_at: datetime | None = None

    async def check(self) -> BackupFile | None:
        """Take a backup if one is due (and a failure is not too recent); what was taken."""
        now = self._clock.now()
        if self._failed_at is not None and now - self._failed_at < RETRY_AFTER:
            return None
        try:
            newest = await asyncio.to_thread(
                latest_backup, self._settings.backup_dir, self._settings.database_path.stem
            )
        except OSError:  # the folder cannot be read: trying to back up says why
            newest = None
        every = timedelta(hours=self._settings.backup_every_hours)
        if newest is not None and now - newest.taken_at < every:
            return None
        return await self.back_up()

    async def back_up(self) -> BackupFile | None:
        """Take a backup now and prune old ones; on failure log it, tell coordinators (once a
        day at most) and return None."""
        now = self._clock.now()
        try:
            taken = await self._take(now)
        except BackupError as exc:
            reason = exc.reason
            logger.error("backup failed (%s): %s", reason, exc)
        except Exception as exc:
            reason = OTHER
            logger.error("backup failed: %s", type(exc).__name__)
        else:
            self._failed_at = None
            logger.info("backup taken: %s", taken.path.name)
            return taken
        self._failed_at = now
        try:
            await self.tell_coordinators(reason)
        except Exception as exc:  # the log above still says it
            logger.error("coordinators not told of the failed backup: %s", type(exc).__name__)
        return None

    async def _take(self, now: datetime) -> BackupFile:
        """Back up into BACKUP_DIR (in a process of its own) and keep the newest BACKUP_KEEP."""
        settings = self._settings
        taken = await backup_in_process(
            settings.database_path, settings.backup_dir, key=backup_key(settings), at=now
        )
        await asyncio.to_thread(
            prune, settings.backup_dir, settings.database_path.stem, settings.backup_keep
        )
        return taken

    async def tell_coordinators(self, reason: str) -> bool:
        """Queue the failure notice to every coordinator unless one went in the last day;
        whether it was queued."""
        coordinators = await self._roles.coordinators()
        if not coordinators:
            logger.warning("a backup failed and there is no coordinator to tell")
            return False
        now = self._clock.now()
        try:
            why = self._texts.get(f"backups.why_{reason}")
        except KeyError:
            why = self._texts.get(f"backups.why_{OTHER}")
        text = self._texts.get("backups.failed", why=Markup(why))
        async with self._db.transaction() as tx:
            if await notice_since(tx, KIND_FAILED, now - NOTICE_EVERY):
                return False
            await self._delivery.enqueue(
                KIND_FAILED, text, coordinators, audience="coordinators", tx=tx
            )
        self._delivery.wake()
        return True


def schedule_backup_jobs(app: Application) -> BackupKeeper:
    """Build the keeper from the services and add its repeating check."""
    services = app.bot_data["services"]
    keeper = BackupKeeper(
        services.settings,
        services.db,
        services.delivery,
        services.roles,
        services.texts,
        services.clock,
    )
    app.bot_data[KEEPER] = keeper
    app.job_queue.run_repeating(
        _check, interval=CHECK_SECONDS, first=FIRST_CHECK_SECONDS, name=JOB_NAME
    )
    return keeper


async def _check(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The repeating job."""
    try:
        await context.application.bot_data[KEEPER].check()
    except Exception as exc:  # the next check tries again
        logger.error("backups could not be checked this time: %s", type(exc).__name__)
