"""Taking updates by webhook: a small aiohttp server behind the operator's reverse proxy.

Telegram posts each update to WEBHOOK_URL with the secret given to setWebhook in the header
``X-Telegram-Bot-Api-Secret-Token``. A request without it, or with another, gets 403 and is
never read. A good one is read as the long-polling client reads updates (an update the library
cannot read becomes its bare id; nothing of it is logged) and put on the Application's
update queue: python-telegram-bot's documented way for a custom webhook server (see its
examples/customwebhookbot). GET /healthz is served on the same port.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.http_request import readable_update
from bot.ops.health import health_handler, updates_seen
from config.settings import HEALTH_PATH, Settings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are small; a file is sent as an id, never its bytes.
MAX_UPDATE_BYTES = 1024 * 1024
REFUSAL_LOG_SECONDS = 60.0


def webhook_path(settings: Settings) -> str:
    """The path Telegram posts to: WEBHOOK_URL's path (the reverse proxy passes it on)."""
    return urlsplit(settings.webhook_url or "").path or "/"


def webhook_secret(settings: Settings) -> str:
    """The secret Telegram sends with every update (settings make one when none is given)."""
    if settings.webhook_secret is None:
        raise ValueError("a webhook needs a secret")
    return settings.webhook_secret.get_secret_value()


def build_webhook_app(app: Application, settings: Settings) -> web.Application:
    """The web server: POST updates on WEBHOOK_URL's path, GET /healthz."""
    web_app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    web_app.router.add_post(webhook_path(settings), update_receiver(app, webhook_secret(settings)))
    web_app.router.add_get(HEALTH_PATH, health_handler(app))
    return web_app


class RefusalLog:
    """Logs refused requests: the first at once, then at most one line a minute with how
    many, so a scanner knocking all day does not fill the log."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._unlogged = 0
        self._logged_at: float | None = None

    def note(self) -> None:
        """One more request was refused."""
        self._unlogged += 1
        now = self._clock()
        if self._logged_at is not None and now - self._logged_at < REFUSAL_LOG_SECONDS:
            return
        logger.warning(
            "webhook: %d request(s) without the right secret refused (403)", self._unlogged
        )
        self._unlogged, self._logged_at = 0, now


def update_receiver(app: Application, secret: str) -> object:
    """The aiohttp handler for Telegram's posts."""
    expected = secret.encode()
    seen = updates_seen(app)
    refusals = RefusalLog()

    async def receive(request: web.Request) -> web.Response:
        """Check the secret first; then read the update and queue it for the bot."""
        given = request.headers.get(SECRET_HEADER)
        if given is None or not hmac.compare_digest(
            given.encode("utf-8", "surrogateescape"), expected
        ):
            # Nothing of the request is read or logged: only that one was turned away.
            refusals.note()
            return web.Response(status=403)
        try:
            body = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            logger.warning("webhook: a request that was not JSON was refused (400)")
            return web.Response(status=400)
        update = readable_update(body)
        if update is None:
            return web.Response(status=400)
        seen.note()
        await app.update_queue.put(Update.de_json(update, app.bot))
        return web.Response(status=200)

    return receive
