"""``python -m emulator`` runs the emulator standalone and prints its base URL."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import telegram

from emulator.process import EmulatorProcess

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


async def test_the_process_helper_answers_and_leaves_no_folder_behind(tmp_path: Path) -> None:
    made_here = await EmulatorProcess().start()
    given = await EmulatorProcess(tmp_path / "kept").start()
    try:
        assert (await made_here.control("GET", "/stats"))["total"] == 0
    finally:
        await made_here.stop()
        await given.stop()
    assert not made_here.workdir.exists()  # a temporary folder it made itself is removed
    assert (tmp_path / "kept" / "emulator.stdout").exists()  # a folder it was given is kept
