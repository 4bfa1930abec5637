"""Running the Application with long polling, with PTB's post_init/stop/shutdown hooks in order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.ext import Application

ALLOWED_UPDATES = ["message", "callback_query"]
# A short pause after each getUpdates answer. A long poll still returns the moment an update
# arrives, so a quiet bot answers at once; under a rush, what arrived meanwhile comes in one
# batch. At 1,000 presses a second this cut the bot's time per answer by about a third
# (`make bench`, the votes phase), at the cost of at most this long before an update is read.
POLL_INTERVAL_SECONDS = 0.05


@asynccontextmanager
async def polling(
    app: Application, *, poll_interval: float = POLL_INTERVAL_SECONDS, poll_timeout: int = 10
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
