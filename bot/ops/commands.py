"""`python -m bot backup [--to DIR]` and `python -m bot restore PATH`: plain messages, and exit
codes 0 (done), 1 (refused or failed: nothing changed) and 2 (a setting is wrong)."""

from __future__ import annotations

import argparse
import asyncio
import functools
import sys
from collections.abc import Callable

from bot.ops.backup import BackupError, backup_now
from bot.ops.restore import RestoreError, restore
from config.errors import ConfigError
from config.settings import Settings, load_settings
from storage.db import DatabaseError

DONE, FAILED, BAD_SETTINGS = 0, 1, 2


Command = Callable[[argparse.Namespace], int]


def _with_settings(command: Callable[[Settings, argparse.Namespace], int]) -> Command:
    """The command, run with the settings; or BAD_SETTINGS after saying what is wrong."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        """Read the settings, then run the command."""
        try:
            settings = load_settings()
        except ConfigError as exc:
            print(f"A setting is wrong. {exc.problem}", file=sys.stderr)
            return BAD_SETTINGS
        return command(settings, args)

    return run


@_with_settings
def backup_command(settings: Settings, args: argparse.Namespace) -> int:
    """Take a backup now and print its path (alone on its line, for scripts)."""
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


@_with_settings
def restore_command(settings: Settings, args: argparse.Namespace) -> int:
    """Restore the backup at args.path, then say what was done."""
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
