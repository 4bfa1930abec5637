"""`python -m bot backup [--to DIR]` and `python -m bot restore PATH` as an operator runs them:
separate processes, their exit codes, what they print, and that a refusal changes nothing."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.app import build_services
from bot.clock import Clock
from bot.ops.backup import list_backups
from bot.services.registry import Services
from storage.db import instance_lock
from tests.conftest import START
from tests.ops.conftest import KEY, fill, member_ids_in, settings_for, votes_in

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    """What a command did."""

    code: int
    out: str
    err: str


async def bot_command(folder: Path, *args: str, **env: str) -> Run:
    """Run `python -m bot ARGS` in ``folder`` (no .env there), with the database in it."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("BOT_", "BACKUP_", "DATABASE_"))
    }
    environment |= {"DATABASE_PATH": str(folder / "forum.db"), "PYTHONPATH": str(REPO)}
    environment |= env
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=folder,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    return Run(process.returncode or 0, out.decode(), err.decode())


async def forum(folder: Path, **settings: object) -> tuple[Services, list[int], int]:
    """The bot's services (the bot is running) over a forum with six members who voted."""
    services = await build_services(settings_for(folder, **settings), Clock(START))
    ids, consultation_id = await fill(services, 6)
    return services, ids, consultation_id


async def test_backup_while_the_bot_runs_prints_the_path(tmp_path: Path) -> None:
    services, ids, consultation_id = await forum(tmp_path)
    try:
        run = await bot_command(tmp_path, "backup")
    finally:
        await services.db.close()

    assert run.code == 0, run.err
    path = Path(run.out.strip())
    assert path.parent == tmp_path / "backups"
    assert [b.path for b in list_backups(tmp_path / "backups", "forum")] == [path]
    assert member_ids_in(path) == set(ids)
    assert len(votes_in(path, consultation_id)) == 6
    assert "not encrypted" in run.err


async def test_backup_to_a_folder_of_your_own_encrypted(tmp_path: Path) -> None:
    services, _, _ = await forum(tmp_path)
    await services.db.close()

    run = await bot_command(tmp_path, "backup", "--to", "usb", BACKUP_KEY=KEY)

    assert run.code == 0, run.err
    path = Path(run.out.strip())
    assert path.parent.name == "usb" and path.name.endswith(".db.enc")
    assert "encrypted with BACKUP_KEY" in run.err


async def test_backup_without_a_database_fails_plainly(tmp_path: Path) -> None:
    run = await bot_command(tmp_path, "backup")

    assert run.code == 1
    assert run.out == ""
    assert "No backup was made. There is no database at" in run.err
    assert "Traceback" not in run.err
    assert not (tmp_path / "forum.db").exists()


async def test_a_wrong_setting_is_named(tmp_path: Path) -> None:
    run = await bot_command(tmp_path, "backup", BACKUP_KEY="short")

    assert run.code == 2
    assert "BACKUP_KEY: it is too short" in run.err


async def test_restore_round_trip_from_the_command_line(tmp_path: Path) -> None:
    services, ids, consultation_id = await forum(tmp_path, backup_key=KEY)
    await services.db.close()
    made = await bot_command(tmp_path, "backup", BACKUP_KEY=KEY)
    backup = made.out.strip()
    (tmp_path / "forum.db").unlink()  # lost

    run = await bot_command(tmp_path, "restore", backup, BACKUP_KEY=KEY)

    assert run.code == 0, run.err
    assert f"Restored {tmp_path / 'forum.db'} from {backup}." in run.out
    assert "Start the bot as usual." in run.out
    assert member_ids_in(tmp_path / "forum.db") == set(ids)
    assert len(votes_in(tmp_path / "forum.db", consultation_id)) == 6


async def test_restore_refusals_exit_1_and_change_nothing(tmp_path: Path) -> None:
    services, _, _ = await forum(tmp_path, backup_key=KEY)
    await services.db.close()
    backup = (await bot_command(tmp_path, "backup", BACKUP_KEY=KEY)).out.strip()
    before = (tmp_path / "forum.db").read_bytes()

    missing = await bot_command(tmp_path, "restore", "nowhere.db", BACKUP_KEY=KEY)
    wrong = await bot_command(tmp_path, "restore", backup, BACKUP_KEY=KEY + "!")
    with instance_lock(tmp_path / "forum.db"):  # as the running bot holds it
        running = await bot_command(tmp_path, "restore", backup, BACKUP_KEY=KEY)

    for run, says in (
        (missing, "There is no file at nowhere.db."),
        (wrong, "BACKUP_KEY does not open"),
        (running, "The bot is running"),
    ):
        assert run.code == 1, run.err
        assert says in run.err
        assert run.err.rstrip().endswith("Nothing was changed.")
        assert "Traceback" not in run.err
    assert (tmp_path / "forum.db").read_bytes() == before
    assert not [name for name in os.listdir(tmp_path) if "before-restore" in name]


async def test_no_command_still_runs_the_bot(tmp_path: Path) -> None:
    run = await bot_command(tmp_path)  # no token: the bot's own start-up help

    assert run.code == 2
    assert "The bot needs a token from Telegram" in run.err


async def test_an_unknown_command_shows_the_commands(tmp_path: Path) -> None:
    run = await bot_command(tmp_path, "bakcup")

    assert run.code == 2
    assert "backup" in run.err and "restore" in run.err
