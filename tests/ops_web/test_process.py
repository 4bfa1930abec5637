"""`python -m bot` as a real process with WEBHOOK_URL set: it takes updates by webhook, answers
/healthz beside it, logs JSON lines without secrets, and stops cleanly on SIGTERM. The
Dockerfile's HEALTHCHECK command is run against it too."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from emulator.emulator import BotApiEmulator
from tests.e2e.process import (
    PROJECT_ROOT,
    TOKEN,
    TOKEN_SECRET,
    BotProcess,
    bot_env,
    emulator_settings,
)
from tests.ops_web.conftest import free_port, get_json

ALEX = 700_000_401
SECRET = "process-webhook-secret_42"


# A start takes a few seconds alone, and much longer on a busy machine (imports, migrations).
START_DEADLINE = 90.0


@asynccontextmanager
async def running_bot_process(workdir: Path, env: Mapping[str, str]) -> AsyncIterator[BotProcess]:
    """Start `python -m bot`, wait until it says it runs, and kill it on the way out."""
    bot = BotProcess(workdir, env).start()
    try:
        await bot.wait_until_running(timeout=START_DEADLINE)
        yield bot
    finally:
        bot.kill()


def dockerfile_healthcheck() -> str:
    """The Python program of the Dockerfile's HEALTHCHECK, as Docker would run it."""
    text = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", "")
    command = re.search(r'^HEALTHCHECK .*? CMD python -c "(.*)"$', text, re.MULTILINE)
    assert command is not None, "the Dockerfile has a HEALTHCHECK running python -c"
    return command.group(1)


async def run_healthcheck(env: dict[str, str]) -> int:
    """Run the HEALTHCHECK program with the container's environment; its exit code."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        dockerfile_healthcheck(),
        env={"PATH": os.environ.get("PATH", ""), **env},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return await process.wait()


async def test_the_bot_process_by_webhook_answers_reports_health_and_stops_cleanly(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    port = free_port()
    webhook = {
        "WEBHOOK_URL": "https://forum.example.org/hook",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_SECRET": SECRET,
        "LOG_FORMAT": "json",
        "BACKUP_DIR": str(tmp_path / "backups"),
    }
    env = bot_env(tmp_path, **emulator_settings(emu, tmp_path / "forum.db", **webhook))

    async with running_bot_process(tmp_path, env) as bot:
        assert emu.webhook is not None and emu.webhook.secret_token == SECRET
        emu.route_webhook(f"http://127.0.0.1:{port}")
        emu.add_user(ALEX, "Alex")
        await emu.send_text(ALEX, "/start")
        welcome = await emu.wait_for_message(ALEX, timeout=10)
        assert "National Service User Forum" in welcome.text
        assert await emu.post_to_webhook(emu.text_update(ALEX, "my words"), secret=None) == 403

        status, body = await get_json(f"http://127.0.0.1:{port}/healthz")
        assert status == 200 and body["ok"] is True
        assert await run_healthcheck(webhook) == 0

        code = await bot.stop()

    assert code == 0, bot.describe()
    lines = [line for line in bot.stderr.splitlines() if line.strip()]
    events = [json.loads(line) for line in lines]  # every line one JSON object
    assert any("refused (403)" in event["message"] for event in events)
    assert TOKEN not in bot.output and TOKEN_SECRET not in bot.output
    assert SECRET not in bot.output and "my words" not in bot.output
    assert await run_healthcheck(webhook) == 1  # nobody answers now: unhealthy


async def test_the_healthcheck_fails_on_503_in_polling_mode(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    port = free_port()
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "forum-2020-01-01T000000Z.db").write_bytes(b"an old backup")
    settings = {"HEALTH_PORT": str(port), "BACKUP_DIR": str(backups)}
    env = bot_env(tmp_path, **emulator_settings(emu, tmp_path / "forum.db", **settings))

    async with running_bot_process(tmp_path, env) as bot:
        status, body = await get_json(f"http://127.0.0.1:{port}/healthz")
        assert status == 503 and body["backup"]["ok"] is False
        assert await run_healthcheck(settings) == 1
        (backups / "forum-2020-01-01T000000Z.db").unlink()  # a new bot with none yet is well
        assert await run_healthcheck(settings) == 0
        assert await bot.stop() == 0


async def test_a_port_in_use_stops_the_bot_with_a_clear_message(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    from tests.e2e.process import run_to_exit

    blocker = await asyncio.start_server(lambda _r, w: w.close(), "127.0.0.1", 0)
    port = blocker.sockets[0].getsockname()[1]
    try:
        env = bot_env(
            tmp_path, **emulator_settings(emu, tmp_path / "forum.db", HEALTH_PORT=str(port))
        )
        bot = await run_to_exit(tmp_path, env, timeout=START_DEADLINE)
    finally:
        blocker.close()
        await blocker.wait_closed()
    assert bot.proc.returncode == 2, bot.describe()
    assert f"cannot listen on 127.0.0.1:{port}" in bot.stderr
    assert "Traceback" not in bot.output
