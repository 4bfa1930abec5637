"""`python -m bot check`: one line per item, a plain fix for each problem, non-zero exit when
anything must be fixed; the token is never printed."""

from __future__ import annotations

import asyncio
import io
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.ops.check import report, run_checks
from config.settings import load_settings
from emulator.emulator import BotApiEmulator
from storage.db import MIGRATIONS_DIR, known_migrations, open_database
from tests.conftest import TEST_TOKEN
from tests.ops_web.conftest import bot_settings

ROOT = Path(__file__).resolve().parents[2]


async def check_command(tmp_path: Path, emu: BotApiEmulator, **env: str) -> tuple[int, str]:
    """Run `python -m bot check` in tmp_path (no .env there) against the emulator."""
    values = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TEST_TOKEN,
        "BOT_API_BASE_URL": emu.base_url,
        "DATABASE_PATH": str(tmp_path / "data" / "forum.db"),
        "BACKUP_DIR": str(tmp_path / "data" / "backups"),
    }
    values.update(env)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "check",
        cwd=tmp_path,
        env={k: v for k, v in values.items() if v != ""},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


async def checks(tmp_path: Path, emu: BotApiEmulator, **overrides: object) -> tuple[int, str]:
    """The same checks in this process (quicker): the exit code and what is printed."""
    values: dict[str, object] = {
        "_env_file": None,
        "bot_token": TEST_TOKEN,
        "bot_api_base_url": emu.base_url,
        "database_path": tmp_path / "data" / "forum.db",
        "backup_dir": tmp_path / "data" / "backups",
    }
    values.update(overrides)
    out = io.StringIO()
    code = report(await run_checks(lambda: load_settings(**values)), out)
    return code, out.getvalue()


def line(output: str, item: str) -> str:
    """The one line about an item."""
    found = [text for text in output.splitlines() if f" {item}" in text.split(":")[0]]
    assert len(found) == 1, output
    return found[0]


async def test_a_fresh_install_is_ready(tmp_path: Path, emu: BotApiEmulator) -> None:
    code, out = await check_command(tmp_path, emu)

    assert code == 0, out
    assert line(out, "settings").startswith("ok")
    assert "long polling" in line(out, "settings")
    assert line(out, "data files").startswith("ok")
    assert "not made yet" in line(out, "database")
    assert line(out, "backups").startswith("ok")
    assert line(out, "telegram") == "ok       telegram: Telegram knows the bot as @forum_test_bot"
    assert out.rstrip().endswith("All is ready.")
    assert TEST_TOKEN not in out
    assert not (tmp_path / "data" / "forum.db").exists()  # the check changes nothing


async def test_a_refused_token_is_a_problem_and_is_never_printed(tmp_path: Path) -> None:
    async with BotApiEmulator(token="999999:another-token-abcdefghijklmnop") as other:
        code, out = await check_command(tmp_path, other)
    assert code == 1
    assert line(out, "telegram").startswith("PROBLEM  telegram: Telegram refused BOT_TOKEN.")
    assert "@BotFather" in line(out, "telegram")
    assert TEST_TOKEN not in out and TEST_TOKEN.split(":")[1] not in out


async def test_no_token_is_a_problem_with_the_fix(tmp_path: Path, emu: BotApiEmulator) -> None:
    code, out = await checks(tmp_path, emu, bot_token=None)
    assert code == 1
    assert "no BOT_TOKEN" in line(out, "telegram") and "sandbox" in line(out, "telegram")


async def test_a_wrong_setting_names_it_and_its_fix(tmp_path: Path, emu: BotApiEmulator) -> None:
    code, out = await checks(tmp_path, emu, webhook_url="http://bot.example.org/hook")
    assert code == 1
    settings = line(out, "settings")
    assert settings.startswith("PROBLEM  settings: WEBHOOK_URL: Telegram only posts to https://")
    assert "Set WEBHOOK_URL to the https:// address" in settings


async def test_a_broken_data_file_is_named(tmp_path: Path, emu: BotApiEmulator) -> None:
    broken = tmp_path / "forum.yaml"
    broken.write_text("regions:\n\t- oops\n", encoding="utf-8")
    code, out = await checks(tmp_path, emu, forum_file=broken)
    assert code == 1
    assert line(out, "data files").startswith("PROBLEM  data files:")
    assert "forum.yaml" in line(out, "data files")


async def test_a_damaged_database_says_restore(tmp_path: Path, emu: BotApiEmulator) -> None:
    database = tmp_path / "data" / "forum.db"
    database.parent.mkdir()
    database.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4096)
    code, out = await checks(tmp_path, emu)
    assert code == 1
    assert line(out, "database").startswith("PROBLEM")
    assert "python -m bot restore" in line(out, "database")


async def test_pending_migrations_and_a_running_bot_are_told(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    database = tmp_path / "data" / "forum.db"
    database.parent.mkdir()
    with sqlite3.connect(database) as conn:  # a database three migrations old
        for number, path in known_migrations()[:-3]:
            conn.executescript(path.read_text(encoding="utf-8"))
            conn.execute(f"PRAGMA user_version = {number}")
    code, out = await checks(tmp_path, emu)
    assert code == 0, out
    assert "3 migration(s) to apply at the next start" in line(out, "database")
    assert "the bot is not running" in line(out, "database")

    db = await open_database(database)  # the bot starts: migrations applied, lock held
    try:
        code, out = await checks(tmp_path, emu)
    finally:
        await db.close()
    assert code == 0, out
    assert "migrations up to date" in line(out, "database")
    assert f"the bot is running (process {os.getpid()})" in line(out, "database")
    assert "no backup yet" in line(out, "backups") and line(out, "backups").startswith("warning")
    assert MIGRATIONS_DIR.exists()


async def test_a_stale_backup_while_the_bot_runs_is_a_problem(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    from tests.ops_web.test_health import write_backup

    write_backup(tmp_path / "data" / "backups", hours_old=72)
    code, out = await checks(tmp_path, emu)
    assert code == 0  # the bot is stopped: it makes one soon after it starts
    assert line(out, "backups").startswith("warning  backups")
    assert "72 hours old" in line(out, "backups")

    db = await open_database(tmp_path / "data" / "forum.db")
    try:
        code, out = await checks(tmp_path, emu)
    finally:
        await db.close()
    assert code == 1
    assert line(out, "backups").startswith("PROBLEM") and "python -m bot backup" in out


async def test_a_backup_folder_that_is_a_file_is_a_problem(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "backups").write_text("not a folder")
    code, out = await checks(tmp_path, emu)
    assert code == 1
    assert "Set BACKUP_DIR to a folder" in line(out, "backups")


async def test_checks_in_process_see_the_webhook_and_its_last_error(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    settings = bot_settings(
        tmp_path, emu, webhook_url="https://forum.example.org/telegram", webhook_port=8443
    )
    emu.state.webhook = None
    findings = await run_checks(lambda: settings)
    by_item = {finding.item.split(" ")[0]: finding for finding in findings}
    assert "webhook at https://forum.example.org/telegram" in by_item["settings"].text
    assert "127.0.0.1:8443" in by_item["settings"].text

    from emulator.state import WebhookSetting

    emu.state.webhook = WebhookSetting(
        "https://forum.example.org/telegram",
        "x",
        last_error_date=1_800_000_000,
        last_error_message="Connection refused",
    )
    findings = await run_checks(lambda: settings)
    telegram = next(f for f in findings if f.item == "telegram")
    assert telegram.status == "warning"
    assert "Connection refused" in telegram.text and "reverse proxy" in telegram.text


@pytest.mark.parametrize("port", ["0", "70000", "web"])
async def test_a_bad_health_port_is_a_settings_problem(
    tmp_path: Path, emu: BotApiEmulator, port: str
) -> None:
    code, out = await checks(tmp_path, emu, health_port=port)
    assert code == 1
    assert line(out, "settings").startswith("PROBLEM  settings: HEALTH_PORT")
