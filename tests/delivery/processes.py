"""The emulator as its own process (`python -m emulator`), driven through its control API."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from tests.e2e.process import PROJECT_ROOT, TOKEN

START_TIMEOUT = 20.0


class EmulatorProcess:
    """A standalone emulator on a free port, with a small client for its control API."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.base_url = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._session: aiohttp.ClientSession | None = None

    def _spawn(self, out_path: Path) -> subprocess.Popen[bytes]:
        """Start the process, its output going to a file."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        with out_path.open("wb") as out:
            return subprocess.Popen(
                [sys.executable, "-m", "emulator", "--port", "0"],
                cwd=PROJECT_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    async def start(self) -> EmulatorProcess:
        """Start it and wait until it prints its address."""
        out_path = self.workdir / "emulator.stdout"
        self._proc = self._spawn(out_path)
        deadline = time.monotonic() + START_TIMEOUT
        while not self.base_url:
            first = out_path.read_text(encoding="utf-8").splitlines()
            if first and first[0].startswith("http://127.0.0.1:"):
                self.base_url = first[0].strip()
            elif self._proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the emulator did not start: {out_path.read_text()}")
            else:
                await asyncio.sleep(0.05)
        self._session = aiohttp.ClientSession()
        return self

    @property
    def root(self) -> str:
        """The server root, like http://127.0.0.1:8081."""
        return self.base_url.removesuffix("/bot")

    async def control(self, verb: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call the control API; return its result or fail with its error."""
        assert self._session is not None
        async with self._session.request(
            verb, f"{self.root}/_emulator{path}", json=body
        ) as response:
            answer = await response.json()
        if not answer.get("ok"):
            raise AssertionError(f"control {verb} {path} failed: {answer}")
        return answer["result"]

    async def add_started_users(self, user_ids: list[int]) -> None:
        """Users who have opened a chat with the bot; their /start updates are then dropped."""
        for user_id in user_ids:
            await self.control("POST", "/users", {"user_id": user_id, "first_name": "Member"})
            await self.control("POST", "/send_text", {"user_id": user_id, "text": "/start"})
        assert self._session is not None
        async with self._session.post(
            f"{self.base_url}{TOKEN}/deleteWebhook", json={"drop_pending_updates": True}
        ) as response:
            assert (await response.json())["ok"]

    async def bot_texts(self) -> list[dict[str, Any]]:
        """Every message the bot sent, with its chat and text."""
        return await self.control("GET", "/messages")

    async def stop(self) -> None:
        """Close the client and end the process."""
        if self._session is not None:
            await self._session.close()
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        if not await _exited(proc, 5.0):
            proc.kill()
            await _exited(proc, 5.0)


async def _exited(proc: subprocess.Popen[bytes], seconds: float) -> bool:
    """Wait up to ``seconds`` (without blocking the loop) for the process to end."""
    for _ in range(int(seconds / 0.05)):
        if proc.poll() is not None:
            return True
        await asyncio.sleep(0.05)
    return proc.poll() is not None


def read_rows(database: Path, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    """Read from the bot's database while it runs (read only; WAL lets both work)."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
