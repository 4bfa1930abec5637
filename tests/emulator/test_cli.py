"""``python -m emulator`` runs the emulator standalone and prints its base URL."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import telegram

from .conftest import BOT_ID, TOKEN

ROOT = Path(__file__).resolve().parents[2]


async def test_standalone_server() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "emulator",
        "--port",
        "0",
        "--user",
        "1001:Ada",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 15)).decode().strip()
        assert line.startswith("http://127.0.0.1:") and line.endswith("/bot")
        async with telegram.Bot(TOKEN, base_url=line) as bot:
            assert (await bot.get_me()).id == BOT_ID
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(process.communicate(), 15)
    assert process.returncode == 0, err.decode()
