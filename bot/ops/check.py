"""`python -m bot check`: is everything ready to run? Settings, data files, the database, the
backup folder and Telegram, one line each, with a plain fix for anything wrong.

Nothing is changed: the database is opened read-only and never migrated, and the one-instance
lock is only tried (to tell whether the bot is running), never kept.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal, TextIO

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.request import HTTPXRequest

from bot.ops.health import newest_backup
from config.errors import ConfigError
from config.settings import Settings, load_settings
from storage.health import DatabaseFileState, inspect_database

Status = Literal["ok", "warning", "problem"]
TELEGRAM_TIMEOUT = 10.0
_LABELS = {"ok": "ok     ", "warning": "warning", "problem": "PROBLEM"}


@dataclass(frozen=True)
class Finding:
    """One line of the check: how an item stands, and what to do when it is not ok."""

    status: Status
    item: str
    text: str

    def line(self) -> str:
        """The finding as the one line printed."""
        return f"{_LABELS[self.status]}  {self.item}: {self.text}"


async def run_checks(read_settings: Callable[[], Settings] = load_settings) -> list[Finding]:
    """Every check, in order; later checks are skipped when the settings cannot be read."""
    try:
        settings = read_settings()
    except ConfigError as exc:
        return [
            Finding("problem", "settings", f"{exc.problem} (in the environment or .env)"),
            Finding("problem", "everything else", "not checked: fix the settings first"),
        ]
    findings = [_settings_ok(settings), await asyncio.to_thread(_data_files, settings)]
    database, state = await asyncio.to_thread(_database, settings)
    findings.append(database)
    findings.append(await asyncio.to_thread(_backups, settings, state))
    findings.append(await _telegram(settings))
    return findings


def _settings_ok(settings: Settings) -> Finding:
    """Settings were read; say how updates will arrive."""
    if settings.webhook_url:
        how = (
            f"updates by webhook at {settings.webhook_url}, "
            f"listening on {settings.webhook_listen}:{settings.webhook_port}"
        )
    else:
        how = "updates by long polling"
        if settings.health_port:
            how += f", health check on {settings.webhook_listen}:{settings.health_port}"
    return Finding("ok", "settings", how)


def _data_files(settings: Settings) -> Finding:
    """Every editable data file, read and checked exactly as the bot reads them at start."""
    from bot.app import load_data_files  # the bot's own loader: all files or nothing

    try:
        load_data_files(settings)
    except ConfigError as exc:
        return Finding("problem", "data files", f"{exc}. Fix that file and run the check again.")
    except OSError as exc:
        return Finding(
            "problem",
            "data files",
            f"a file cannot be read ({type(exc).__name__}: {exc.filename}). "
            "Check it exists and this user may read it.",
        )
    return Finding(
        "ok", "data files", "forum, support directory, crisis words, texts and surveys read"
    )


def _database(settings: Settings) -> tuple[Finding, DatabaseFileState | None]:
    """The database file: integrity, migrations, and whether a bot is using it."""
    try:
        state = inspect_database(settings.database_path)
    except Exception as exc:  # whatever SQLite says: the finding, not a crash
        return (
            Finding(
                "problem",
                f"database {settings.database_path}",
                f"cannot be read ({type(exc).__name__}). Check the file and its folder belong "
                "to this user; if the file is damaged, restore a backup: "
                "python -m bot restore PATH",
            ),
            None,
        )
    return _database_finding(settings.database_path, state), state


def _database_finding(path: Path, state: DatabaseFileState) -> Finding:
    """How the database stands, in one line."""
    item = f"database {path}"
    running = _running_note(path) if state.in_use else "the bot is not running"
    if not state.exists:
        if not _writable_folder(path.parent):
            return Finding(
                "problem",
                item,
                f"not made yet, and {path.parent} cannot be written. Make the folder and give "
                "it to the user the bot runs as, or set DATABASE_PATH.",
            )
        return Finding("ok", item, "not made yet: the bot makes it at its first start")
    if state.integrity != "ok":
        return Finding(
            "problem",
            item,
            f"damaged ({state.integrity}). Stop the bot and restore the newest backup: "
            "python -m bot restore PATH",
        )
    if state.schema_version > state.latest_migration:
        return Finding(
            "problem",
            item,
            f"made by a newer version of the bot (schema {state.schema_version}, this one "
            f"knows {state.latest_migration}). Update the bot's code.",
        )
    pending = state.latest_migration - state.schema_version
    migrations = (
        f"{pending} migration(s) to apply at the next start (a backup is taken first)"
        if pending
        else "migrations up to date"
    )
    return Finding("ok", item, f"integrity ok, {migrations}, {running}")


def _running_note(path: Path) -> str:
    """Which process holds the lock, if its file says."""
    try:
        pid = path.with_name(path.name + ".lock").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        pid = ""
    return f"the bot is running (process {pid})" if pid.isdigit() else "the bot is running"


def _writable_folder(folder: Path) -> bool:
    """Whether the folder, or the nearest one above it that exists, may be written."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate.is_dir() and os.access(candidate, os.W_OK | os.X_OK)
    return False


def _backups(settings: Settings, database: DatabaseFileState | None) -> Finding:
    """The backup folder: there (or can be made), writable, and how old the newest backup is."""
    folder = settings.backup_dir
    item = f"backups {folder}"
    if folder.exists() and not folder.is_dir():
        return Finding("problem", item, "this is a file, not a folder. Set BACKUP_DIR to a folder.")
    if not _writable_folder(folder):
        return Finding(
            "problem",
            item,
            "cannot be written. Give the folder to the user the bot runs as "
            f"(e.g. sudo chown -R $USER {folder}), or set BACKUP_DIR.",
        )
    newest = newest_backup(settings)
    every = timedelta(hours=settings.backup_every_hours)
    if newest is None:
        return Finding(
            "warning" if database is not None and database.exists else "ok",
            item,
            f"no backup yet. The bot makes one every {settings.backup_every_hours} hours; "
            "to make one now: python -m bot backup",
        )
    age = datetime.now(UTC) - newest
    hours = int(age.total_seconds() // 3600)
    if age <= 2 * every:
        return Finding("ok", item, f"newest backup {hours} hours old")
    text = f"newest backup {hours} hours old. Make one now: python -m bot backup"
    if database is not None and database.in_use:
        return Finding("problem", item, text + " (and look at the bot's log for why it failed)")
    return Finding("warning", item, text + " (the bot makes them while it runs)")


async def _telegram(settings: Settings) -> Finding:
    """With a token, ask Telegram (or BOT_API_BASE_URL) who the bot is."""
    if settings.bot_token is None:
        return Finding(
            "problem",
            "telegram",
            "no BOT_TOKEN. Get one from @BotFather and put BOT_TOKEN=<token> in .env "
            "(without one, make run starts the local sandbox instead).",
        )
    request = HTTPXRequest(connect_timeout=TELEGRAM_TIMEOUT, read_timeout=TELEGRAM_TIMEOUT)
    bot = Bot(
        settings.bot_token.get_secret_value(),
        base_url=settings.bot_api_base_url,
        base_file_url=settings.bot_api_base_file_url,
        request=request,
    )
    try:
        me = await bot.get_me()
        info = await bot.get_webhook_info() if settings.webhook_url else None
    except InvalidToken:
        # The library's message holds the token: never print it.
        return Finding(
            "problem",
            "telegram",
            "Telegram refused BOT_TOKEN. In @BotFather send /mybots, pick the bot, press "
            "API Token, and put it in .env as BOT_TOKEN=<token>.",
        )
    except NetworkError as exc:
        return Finding(
            "problem",
            "telegram",
            f"cannot reach {settings.bot_api_base_url} ({type(exc).__name__}). Check the "
            "internet connection, and BOT_API_BASE_URL (leave it unset to use Telegram).",
        )
    except TelegramError as exc:
        return Finding("problem", "telegram", f"Telegram answered {type(exc).__name__}.")
    finally:
        await request.shutdown()
    text = f"Telegram knows the bot as @{me.username}"
    if info is not None and info.last_error_message:
        return Finding(
            "warning",
            "telegram",
            f"{text}; its last post to the webhook failed: {info.last_error_message}. "
            "Check the reverse proxy passes WEBHOOK_URL on to WEBHOOK_LISTEN:WEBHOOK_PORT.",
        )
    return Finding("ok", "telegram", text)


def report(findings: list[Finding], out: TextIO) -> int:
    """Print one line per finding and a last word; 1 when anything needs fixing, else 0."""
    for finding in findings:
        print(finding.line(), file=out, flush=True)
    problems = sum(finding.status == "problem" for finding in findings)
    if problems:
        print(f"{problems} thing(s) to fix before the bot can run well.", file=out)
        return 1
    print("All is ready.", file=out)
    return 0


def main(out: TextIO | None = None) -> int:
    """`python -m bot check`: check everything, print the lines, exit 1 on any problem."""
    return report(asyncio.run(run_checks()), out or sys.stdout)
