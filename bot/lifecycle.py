"""Running the Application with long polling, with PTB's post_init/stop/shutdown hooks in order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.ext import Application

ALLOWED_UPDATES = ["message", "callback_query"]


@asynccontextmanager
async def polling(
    app: Application, *, poll_interval: float = 0.0, poll_timeout: int = 10
) -> AsyncIterator[Application]:
    """Start the bot polling for updates; stop and shut it down cleanly when the block ends.

    PTB calls post_init, post_stop and post_shutdown only inside run_polling(), which owns the
    event loop; we run in our own loop (tests, the sandbox), so we call them here in PTB's
    order. post_shutdown always runs, so the database is closed even when start-up fails.
    """
    try:
        async with app:
            if app.post_init is not None:
                await app.post_init(app)
            await app.start()
            await app.updater.start_polling(
                poll_interval=poll_interval, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
            )
            try:
                yield app
            finally:
                await app.updater.stop()
                await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)
    finally:
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
