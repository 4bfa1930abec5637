"""`python -m bot backup [--to DIR]` and `python -m bot restore PATH`: plain messages, and exit
codes 0 (done), 1 (refused or failed: nothing changed) and 2 (a setting is wrong)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.ops.backup import BackupError, backup_now
from bot.ops.restore import RestoreError, restore
from config.errors import ConfigError
from config.settings import Settings, load_settings
from storage.db import DatabaseError

DONE, FAILED, BAD_SETTINGS = 0, 1, 2


def _settings() -> Settings | None:
    """The settings, or None after saying what is wrong with them."""
    try:
        return load_settings()
    except ConfigError as exc:
        print(f"A setting is wrong. {exc.problem}", file=sys.stderr)
        return None


def backup_command(args: argparse.Namespace) -> int:
    """Take a backup now and print its path (alone on its line, for scripts)."""
    settings = _settings()
    if settings is None:
        return BAD_SETTINGS
    try:
        taken = backup_now(settings, to=args.to)
    except BackupError as exc:
        print(f"No backup was made. {exc}", file=sys.stderr)
        return FAILED
    print(taken.path, flush=True)
    if taken.encrypted:
        print("It is encrypted with BACKUP_KEY: keep that key safe.", file=sys.stderr)
    else:
        print(
            "It is not encrypted (no BACKUP_KEY): only this computer's user running the bot "
            "(and its administrators) can read it.",
            file=sys.stderr,
        )
    return DONE


def restore_command(args: argparse.Namespace) -> int:
    """Restore the backup at args.path, then say what was done."""
    settings = _settings()
    if settings is None:
        return BAD_SETTINGS
    try:
        done = asyncio.run(restore(settings, args.path))
    except (RestoreError, DatabaseError) as exc:
        print(f"{exc}\nNothing was changed.", file=sys.stderr)
        return FAILED
    print(f"Restored {done.database} from {done.source}.")
    if done.set_aside is not None:
        print(f"The database as it was is kept at {done.set_aside}.")
    if done.erased_again:
        people = "person" if done.erased_again == 1 else "people"
        print(f"{done.erased_again} {people} who left after this backup was made erased again.")
    print("Start the bot as usual.", flush=True)
    return DONE
