"""One backup in a process of its own, for the bot's scheduled backups: it shares no Python lock
(the GIL) with the bot's thread, runs at the lowest CPU priority, and hands its memory back when
it ends. `python -m bot.ops.backup_worker` reads one JSON request on stdin (database, folder,
time, label, key: the key never on the command line, where other users could see it) and writes
one JSON answer on stdout: the backup's path, or why it failed."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from datetime import datetime
from pathlib import Path

from bot.ops.backup import BackupError, take_backup


def main() -> int:
    """Take the backup the request on stdin asks for; answer on stdout."""
    with contextlib.suppress(AttributeError, OSError):
        os.nice(19)
    request = json.load(sys.stdin)
    try:
        taken = take_backup(
            Path(request["database"]),
            Path(request["folder"]),
            key=request.get("key"),
            at=datetime.fromisoformat(request["at"]),
            label=request.get("label"),
        )
    except BackupError as exc:
        answer = {"reason": exc.reason, "message": str(exc)}
    else:
        answer = {"path": str(taken.path), "encrypted": taken.encrypted}
    json.dump(answer, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
