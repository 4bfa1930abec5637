"""GET /healthz: is the bot well? The database, the last update, the outbox and the last backup,
as JSON; 200 when all is well, 503 when anything is wrong.

Thresholds (documented in docs/deploy.md, "What to watch"):

- database: a ``SELECT 1`` must answer within ``DATABASE_TIMEOUT`` (5 s).
- outbox: a message the delivery worker could send now must not have waited longer than
  ``OUTBOX_STALL`` (15 minutes). Messages held by quiet hours, a chosen start or a retry time
  are not waiting; at the end of quiet hours the wait of the night's messages counts from then.
- backup: the newest backup in BACKUP_DIR (by the time in its name) must be at most twice
  BACKUP_EVERY_HOURS old (one missed backup is tolerated, two are not). With no backup at
  all, the bot has BACKUP_EVERY_HOURS and ``FIRST_BACKUP_GRACE`` (1 hour) from its start to
  make one.
- last update: shown, never a failure: a quiet forum may send nothing for days.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.clock import Clock
from bot.delivery import quiet_hours
from bot.delivery.quiet import QuietHours
from bot.ops.backup import latest_backup
from config.errors import ConfigError
from config.settings import HEALTH_PATH, Settings
from storage.health import HealthRepository

logger = logging.getLogger(__name__)

DATABASE_TIMEOUT = 5.0
OUTBOX_STALL = timedelta(minutes=15)
FIRST_BACKUP_GRACE = timedelta(hours=1)
# Before every other handler group (the earliest in use is -101): it only notes the time.
TRACK_GROUP = -1_000_000
UPDATES_SEEN_KEY = "ops.updates_seen"


class UpdatesSeen:
    """When the bot last received an update, and when it started (for the first backup)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.started_at = clock.now()
        self.last_at: datetime | None = None

    def note(self) -> None:
        """An update has just arrived."""
        self.last_at = self._clock.now()


def updates_seen(app: Application) -> UpdatesSeen:
    """The application's record of updates received (made on first use)."""
    seen = app.bot_data.get(UPDATES_SEEN_KEY)
    if seen is None:
        seen = app.bot_data[UPDATES_SEEN_KEY] = UpdatesSeen(app.bot_data["services"].clock)
    return seen


def track_polled_updates(app: Application) -> None:
    """In polling mode, note each update as it is handled (the webhook notes its own)."""
    seen = updates_seen(app)

    async def note(_update: object, _context: object) -> None:
        """Note the time; never stops the update (every other handler still sees it)."""
        seen.note()

    app.add_handler(TypeHandler(Update, note), group=TRACK_GROUP)


@dataclass(frozen=True)
class Part:
    """One part of the report: well or not, what was measured, and the problem if any."""

    ok: bool
    values: dict[str, Any]
    problem: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The part as JSON-ready values."""
        body: dict[str, Any] = {"ok": self.ok, **self.values}
        if self.problem:
            body["problem"] = self.problem
        return body


@dataclass(frozen=True)
class HealthReport:
    """The whole answer of /healthz."""

    database: Part
    last_update: Part
    outbox: Part
    backup: Part

    @property
    def ok(self) -> bool:
        """Whether every part is well."""
        return all(part.ok for part in (self.database, self.last_update, self.outbox, self.backup))

    def as_json(self) -> dict[str, Any]:
        """The report as JSON-ready values."""
        return {
            "ok": self.ok,
            "database": self.database.as_json(),
            "last_update": self.last_update.as_json(),
            "outbox": self.outbox.as_json(),
            "backup": self.backup.as_json(),
        }


async def health_report(app: Application) -> HealthReport:
    """Look at the running bot: its database, last update, outbox and backups."""
    services = app.bot_data["services"]
    settings: Settings = services.settings
    seen = updates_seen(app)
    now = services.clock.now()
    repo = HealthRepository(services.db)
    database = await _database(repo)
    outbox = await _outbox(repo, now, quiet_hours(settings)) if database.ok else _unknown()
    return HealthReport(
        database=database,
        last_update=Part(True, {"at": _iso(seen.last_at)}),
        outbox=outbox,
        backup=await _backup(settings, now, seen.started_at),
    )


async def _database(repo: HealthRepository) -> Part:
    """Whether the database answers a query in time."""
    try:
        answered = await asyncio.wait_for(repo.ping(), DATABASE_TIMEOUT)
    except TimeoutError:
        return Part(False, {}, f"the database did not answer within {DATABASE_TIMEOUT:g} s")
    except Exception as exc:  # any failure to read is the finding, not a crash
        return Part(False, {}, f"the database cannot be read ({type(exc).__name__})")
    return Part(True, {}) if answered else Part(False, {}, "the database gave a wrong answer")


def _unknown() -> Part:
    """The outbox cannot be read while the database cannot."""
    return Part(False, {"backlog": None, "oldest_pending_seconds": None}, "database unreadable")


async def _outbox(repo: HealthRepository, now: datetime, quiet: QuietHours) -> Part:
    """The backlog, and how long the oldest sendable message has waited."""
    try:
        state = await asyncio.wait_for(repo.outbox(now), DATABASE_TIMEOUT)
    except Exception as exc:  # a slow or failing read is a finding
        return Part(
            False,
            {"backlog": None, "oldest_pending_seconds": None},
            f"the outbox could not be read ({type(exc).__name__})",
        )
    ready = [state.urgent_ready_since]
    if state.other_ready_since is not None and not quiet.is_quiet(now):
        # The night's messages wait for morning by design: count from the end of quiet hours.
        ready.append(max(state.other_ready_since, _last_quiet_end(quiet, now)))
    waits = [now - since for since in ready if since is not None]
    oldest = max(waits, default=None)
    values = {
        "backlog": state.backlog,
        "oldest_pending_seconds": None if oldest is None else max(0, int(oldest.total_seconds())),
    }
    if oldest is not None and oldest > OUTBOX_STALL:
        minutes = int(oldest.total_seconds() // 60)
        return Part(False, values, f"a message has waited {minutes} minutes to be sent")
    return Part(True, values)


def _last_quiet_end(quiet: QuietHours, now: datetime) -> datetime:
    """When the latest quiet hours before ``now`` ended (long ago when there are none)."""
    if quiet.start_hour == quiet.end_hour:
        return datetime.min.replace(tzinfo=UTC)
    # Called outside quiet hours: the window that started last has ended already.
    return min(now, quiet.ends_at(quiet.starts_before(now, timedelta())))


async def _backup(settings: Settings, now: datetime, started_at: datetime) -> Part:
    """When the newest backup was written, and whether that is recent enough."""
    newest = await asyncio.to_thread(newest_backup, settings)
    every = timedelta(hours=settings.backup_every_hours)
    if newest is None:
        if now - started_at <= every + FIRST_BACKUP_GRACE:
            return Part(True, {"last_at": None})
        return Part(False, {"last_at": None}, f"no backup in {settings.backup_dir}")
    age = now - newest
    values = {"last_at": _iso(newest), "age_hours": round(age.total_seconds() / 3600, 1)}
    if age > 2 * every:
        hours = int(age.total_seconds() // 3600)
        return Part(False, values, f"the newest backup is {hours} hours old")
    return Part(True, values)


def newest_backup(settings: Settings) -> datetime | None:
    """When the newest backup of this database in BACKUP_DIR was taken (by its name, as
    bot/ops/backup.py writes it), or None when there is none. Blocking: it lists a folder."""
    try:
        newest = latest_backup(settings.backup_dir, settings.database_path.stem)
    except OSError:
        return None
    return None if newest is None else newest.taken_at


def _iso(moment: datetime | None) -> str | None:
    """A time as UTC ISO text, to the second."""
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


def health_handler(app: Application) -> Any:
    """The aiohttp handler for GET /healthz."""

    async def healthz(_request: web.Request) -> web.Response:
        """Answer 200 with the report when all is well, 503 when anything is wrong."""
        report = await health_report(app)
        if not report.ok:
            problems = [
                name
                for name, part in report.as_json().items()
                if isinstance(part, dict) and not part["ok"]
            ]
            logger.warning("health check: not well (%s)", ", ".join(problems))
        return web.Response(
            status=200 if report.ok else 503,
            body=json.dumps(report.as_json()).encode(),
            content_type="application/json",
            headers={"Cache-Control": "no-store"},
        )

    return healthz


@asynccontextmanager
async def serving(app: web.Application, host: str, port: int) -> AsyncIterator[int]:
    """Serve an aiohttp application on host:port for the block; yield the port (0 picks one)."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            raise ConfigError(
                "settings",
                f"the bot cannot listen on {host}:{port} ({exc.strerror or type(exc).__name__}). "
                "Another program may be using that port: stop it, or choose another "
                "WEBHOOK_PORT or HEALTH_PORT (and WEBHOOK_LISTEN must be an address of this "
                "machine).",
            ) from None
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


@asynccontextmanager
async def health_server(app: Application, settings: Settings, port: int) -> AsyncIterator[int]:
    """In polling mode: serve GET /healthz on WEBHOOK_LISTEN and ``port``; yield the port."""
    track_polled_updates(app)
    web_app = web.Application()
    web_app.router.add_get(HEALTH_PATH, health_handler(app))
    async with serving(web_app, settings.webhook_listen, port) as bound:
        logger.info("health check on http://%s:%d%s", settings.webhook_listen, bound, HEALTH_PATH)
        yield bound
