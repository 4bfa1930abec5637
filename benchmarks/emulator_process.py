"""The Bot API emulator in its own process (so it has its own core), and its control API."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]


class EmulatorProcess:
    """`python -m emulator --port 0`, with a client for its control API."""

    def __init__(self) -> None:
        self.base_url = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._out = Path(tempfile.mkdtemp(prefix="bench-emulator-")) / "stdout"

    def _spawn(self) -> subprocess.Popen[bytes]:
        """Start the process with its output in a file."""
        with self._out.open("wb") as out:
            return subprocess.Popen(
                [sys.executable, "-m", "emulator", "--port", "0"],
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    async def start(self) -> EmulatorProcess:
        """Start and wait for the address it prints."""
        self._proc = self._spawn()
        deadline = time.monotonic() + 30
        while not self.base_url:
            lines = self._out.read_text(encoding="utf-8").splitlines()
            if lines and lines[0].startswith("http://127.0.0.1:"):
                self.base_url = lines[0].strip()
            elif self._proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the emulator did not start: {self._out.read_text()}")
            else:
                await asyncio.sleep(0.05)
        connector = aiohttp.TCPConnector(limit=32)
        self._session = aiohttp.ClientSession(connector=connector)
        return self

    @property
    def root(self) -> str:
        """The server root."""
        return self.base_url.removesuffix("/bot")

    async def control(self, verb: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call the control API and return its result."""
        assert self._session is not None
        async with self._session.request(
            verb, f"{self.root}/_emulator{path}", json=body
        ) as response:
            answer = await response.json()
        if not answer.get("ok"):
            raise RuntimeError(f"emulator control {verb} {path}: {answer}")
        return answer["result"]

    async def bot_api(self, token: str, method: str, body: dict[str, Any]) -> Any:
        """Call the Bot API directly (used only to drop updates no one will read)."""
        assert self._session is not None
        async with self._session.post(f"{self.base_url}{token}/{method}", json=body) as response:
            return await response.json()

    async def add_started_users(self, user_ids: list[int], token: str) -> None:
        """Users who opened a chat with the bot; their /start updates are then dropped."""

        async def one(user_id: int) -> None:
            """Add one user and open their chat."""
            await self.control("POST", "/users", {"user_id": user_id, "first_name": "Member"})
            await self.control("POST", "/send_text", {"user_id": user_id, "text": "/start"})

        for start in range(0, len(user_ids), 200):
            await asyncio.gather(*(one(u) for u in user_ids[start : start + 200]))
        await self.bot_api(token, "deleteWebhook", {"drop_pending_updates": True})

    async def stop(self) -> None:
        """Close the client and end the process."""
        if self._session is not None:
            await self._session.close()
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        for _ in range(100):
            if proc.poll() is not None:
                return
            await asyncio.sleep(0.05)
        proc.kill()
