"""The emulator in its own process (`python -m emulator --port 0`), with a small client for its
control API: used by the benchmarks and by tests that need a real second process."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

PROJECT_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30.0


class EmulatorProcess:
    """A standalone emulator on a free port of 127.0.0.1, and a client for its control API."""

    def __init__(self, workdir: Path | None = None) -> None:
        self._own_workdir = workdir is None  # made here, so removed at stop
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="emulator-"))
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
                raise RuntimeError(f"the emulator did not start: {out_path.read_text()}")
            else:
                await asyncio.sleep(0.05)
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=32))
        return self

    @property
    def root(self) -> str:
        """The server root, like http://127.0.0.1:8081."""
        return self.base_url.removesuffix("/bot")

    async def control(self, verb: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call the control API; return its result, or raise with its error."""
        assert self._session is not None
        async with self._session.request(
            verb, f"{self.root}/_emulator{path}", json=body
        ) as response:
            answer = await response.json()
        if not answer.get("ok"):
            raise RuntimeError(f"emulator control {verb} {path}: {answer}")
        return answer["result"]

    async def bot_api(self, token: str, method: str, body: dict[str, Any]) -> Any:
        """Call the Bot API directly, as the bot would."""
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
        answer = await self.bot_api(token, "deleteWebhook", {"drop_pending_updates": True})
        if not answer.get("ok"):
            raise RuntimeError(f"could not drop the /start updates: {answer}")

    async def bot_texts(self) -> list[dict[str, Any]]:
        """Every message the bot sent, with its chat and text."""
        return await self.control("GET", "/messages")

    async def stop(self) -> None:
        """Close the client, end the process, and remove a working folder made here."""
        if self._session is not None:
            await self._session.close()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            if not await _exited(proc, 5.0):
                proc.kill()
                await _exited(proc, 5.0)
        if self._own_workdir:
            await asyncio.to_thread(shutil.rmtree, self.workdir, True)


async def _exited(proc: subprocess.Popen[bytes], seconds: float) -> bool:
    """Wait up to ``seconds`` (without blocking the loop) for the process to end."""
    for _ in range(int(seconds / 0.05)):
        if proc.poll() is not None:
            return True
        await asyncio.sleep(0.05)
    return proc.poll() is not None
