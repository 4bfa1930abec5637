"""Running the Application by long polling or by webhook, with PTB's post_init/stop/shutdown hooks
in order, and the health check beside either."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.ext import Application

from bot.ops.health import health_server, serving
from bot.ops.webhook import build_webhook_app, webhook_secret
from config.settings import Settings

logger = logging.getLogger(__name__)

# my_chat_member: the bot added to, promoted in or removed from a group (handlers/group_chats).
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


@asynccontextmanager
async def _started(app: Application) -> AsyncIterator[Application]:
    """Initialise and start the Application; stop and shut it down when the block ends.

    PTB calls post_init, post_stop and post_shutdown only inside run_polling() and
    run_webhook(), which own the event loop; we run in our own loop (tests, the sandbox), so
    we call them here in PTB's order. post_shutdown always runs, so the database is closed
    even when start-up fails.
    """
    try:
        async with app:
            if app.post_init is not None:
                await app.post_init(app)
            await app.start()
            try:
                yield app
            finally:
                await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)
    finally:
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


@asynccontextmanager
async def polling(
    app: Application, *, poll_interval: float = 0.0, poll_timeout: int = 10
) -> AsyncIterator[Application]:
    """Start the bot polling for updates; stop and shut it down cleanly when the block ends.
    Starting to poll removes any webhook first (python-telegram-bot calls deleteWebhook), so
    unsetting WEBHOOK_URL is all it takes to go back to polling."""
    async with _started(app):
        await app.updater.start_polling(
            poll_interval=poll_interval, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
        )
        try:
            yield app
        finally:
            await app.updater.stop()


@asynccontextmanager
async def webhook(
    app: Application, settings: Settings, *, port: int | None = None
) -> AsyncIterator[int]:
    """Take updates by webhook for the block: serve WEBHOOK_URL's path (and /healthz) on
    WEBHOOK_LISTEN and WEBHOOK_PORT (``port`` overrides it; 0 picks a free one), then ask
    Telegram to post there with the secret. Yield the port listened on.

    On leaving, the server stops taking updates before the Application stops, so every
    update accepted is handled. The webhook stays set: Telegram keeps what arrives meanwhile
    and posts it once the bot is back.
    """
    async with _started(app):
        web_app = build_webhook_app(app, settings)
        listen = settings.webhook_listen
        async with serving(web_app, listen, settings.webhook_port if port is None else port) as at:
            await app.bot.set_webhook(
                url=settings.webhook_url,
                secret_token=webhook_secret(settings),
                allowed_updates=ALLOWED_UPDATES,
            )
            logger.info("taking updates by webhook on %s:%d", listen, at)
            yield at


@asynccontextmanager
async def running(app: Application, settings: Settings) -> AsyncIterator[Application]:
    """Run the bot as its settings say: by webhook when WEBHOOK_URL is set, else by long
    polling, with GET /healthz on HEALTH_PORT when that is set."""
    if settings.webhook_url is not None:
        async with webhook(app, settings):
            yield app
        return
    async with polling(app):
        if settings.health_port is None:
            yield app
            return
        async with health_server(app, settings, settings.health_port):
            yield app
