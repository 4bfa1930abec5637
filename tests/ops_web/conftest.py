"""Fixtures: the emulator, and the real bot taking updates by webhook through it."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from telegram.ext import Application

from bot.app import build_application
from bot.clock import Clock
from bot.lifecycle import webhook
from config.settings import Settings
from emulator.emulator import BotApiEmulator
from tests.conftest import make_settings

PUBLIC_URL = "https://forum.example.org/telegram"
SECRET = "s3cret_webhook-token"


@dataclass
class WebhookBot:
    """The bot under test, reached by webhook on ``port``, and the emulator it talks to."""

    emu: BotApiEmulator
    app: Application
    settings: Settings
    port: int
    clock: Clock

    @property
    def local(self) -> str:
        """The bot's own server, as the reverse proxy reaches it."""
        return f"http://127.0.0.1:{self.port}"

    async def healthz(self) -> tuple[int, dict]:
        """GET /healthz: the status and the JSON body."""
        return await get_json(f"{self.local}/healthz")


async def get_json(url: str) -> tuple[int, dict]:
    """GET a URL on loopback; return the status and the JSON body."""
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


def free_port() -> int:
    """A port nothing listens on now (for settings that need a real number)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bot_settings(tmp_path: Path, emu: BotApiEmulator, **overrides: object) -> Settings:
    """Test settings pointed at the emulator, with backups in tmp_path."""
    values: dict[str, object] = {
        "bot_api_base_url": emu.base_url,
        "bot_api_base_file_url": emu.base_file_url,
        "backup_dir": tmp_path / "backups",
    }
    values.update(overrides)
    return make_settings(tmp_path, **values)


@asynccontextmanager
async def webhook_bot(
    tmp_path: Path, emu: BotApiEmulator, *, clock: Clock | None = None, **overrides: object
) -> AsyncIterator[WebhookBot]:
    """The real bot taking updates by webhook, with the emulator posting to it."""
    settings = bot_settings(
        tmp_path, emu, webhook_url=PUBLIC_URL, webhook_secret=SECRET, **overrides
    )
    clock = clock or Clock()
    app = await build_application(settings, clock=clock)
    async with webhook(app, settings, port=0) as port:
        emu.route_webhook(f"http://127.0.0.1:{port}")
        yield WebhookBot(emu, app, settings, port, clock)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """A fresh emulator with Telegram's limits on."""
    async with BotApiEmulator() as emulator:
        emulator.set_limits(per_chat_burst=20)
        yield emulator


@pytest.fixture
async def hooked(tmp_path: Path, emu: BotApiEmulator) -> AsyncIterator[WebhookBot]:
    """The real bot, by webhook."""
    async with webhook_bot(tmp_path, emu) as running:
        yield running
