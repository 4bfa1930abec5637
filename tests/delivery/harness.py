"""The real bot against the emulator, started as bot/__main__.py starts it (with post_init)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.app import build_application
from bot.clock import Clock
from emulator import BotApiEmulator
from tests.conftest import make_settings
from tests.e2e.harness import RunningBot


@asynccontextmanager
async def running_app(
    tmp_path: Path, emu: BotApiEmulator, *, clock: Clock | None = None, **settings: object
) -> AsyncIterator[RunningBot]:
    """Start the bot with its delivery worker; stop both and close the database after."""
    config = make_settings(
        tmp_path,
        bot_api_base_url=emu.base_url,
        bot_api_base_file_url=emu.base_file_url,
        **settings,
    )
    clock = clock or Clock()
    app = await build_application(config, clock=clock)
    try:
        async with app:
            await app.post_init(app)
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            try:
                yield RunningBot(emu, app, clock)
            finally:
                await app.updater.stop()
                await app.stop()
    finally:
        await app.post_shutdown(app)
