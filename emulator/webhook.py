"""Webhooks as Telegram runs them: once setWebhook has named an https URL, pending updates are
posted there (JSON, with the secret token in ``X-Telegram-Bot-Api-Secret-Token``), and an
update stays pending until the bot answers 2xx; getUpdates answers 409 meanwhile.

Telegram posts to the public https URL; a bot behind a reverse proxy listens on plain http.
:meth:`WebhookPusher.route` plays the proxy: it names the local address that the URL's path
is posted to. Until a route is given nothing is posted (updates wait, as they would at
Telegram while the bot's server is down).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .state import EmulatorState

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram backs off after a failed post; the emulator retries after this many real seconds.
RETRY_SECONDS = 0.2
POST_TIMEOUT_SECONDS = 10.0


class _Keep:
    """The marker for "send the secret that setWebhook gave"."""


KEEP_SECRET = _Keep()


class WebhookPusher:
    """Posts pending updates to the webhook, in order, one at a time."""

    def __init__(self, state: EmulatorState) -> None:
        self._state = state
        self._route: str | None = None
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self.posted: list[tuple[int, int]] = []  # (update_id, HTTP status) of every post
        self._posted_event = asyncio.Event()

    def route(self, local_base: str | None) -> None:
        """Post the webhook URL's path to ``local_base`` (e.g. ``http://127.0.0.1:8443``), as
        a reverse proxy would; None stops posting."""
        self._route = local_base.rstrip("/") if local_base else None
        self._state.webhook_wake.set()

    def target(self) -> str | None:
        """The local address the set webhook's URL is posted to, or None."""
        setting = self._state.webhook
        if setting is None or self._route is None:
            return None
        parts = urlsplit(setting.url)
        query = f"?{parts.query}" if parts.query else ""
        return f"{self._route}{parts.path or '/'}{query}"

    async def start(self) -> None:
        """Start posting in the background."""
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=POST_TIMEOUT_SECONDS)
        )
        self._task = asyncio.create_task(self._run(), name="emulator-webhook")

    async def stop(self) -> None:
        """Stop posting and close the HTTP client."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def post(self, update: dict[str, Any], secret: str | _Keep | None = KEEP_SECRET) -> int:
        """Post one update to the webhook now, with the set secret, another, or none (None);
        return the HTTP status the bot answered. Not queued, not retried: for testing what
        the bot does with a request Telegram did not send."""
        target = self.target()
        if target is None or self._session is None:
            raise RuntimeError("no webhook set and routed (setWebhook, then route_webhook)")
        if isinstance(secret, _Keep):
            secret = self._state.webhook.secret_token if self._state.webhook else None
        return await self._post(target, update, secret)

    async def wait_for_posts(self, count: int, timeout: float) -> None:  # noqa: ASYNC109
        """Wait until at least ``count`` pending updates have been posted (any outcome)."""
        async with asyncio.timeout(timeout):
            while len(self.posted) < count:
                self._posted_event.clear()
                await self._posted_event.wait()

    async def _post(self, target: str, update: dict[str, Any], secret: str | None) -> int:
        """One POST as Telegram makes it; the status, or 0 if the bot could not be reached."""
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        try:
            async with self._session.post(
                target, data=json.dumps(update).encode(), headers=headers
            ) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return 0

    async def _run(self) -> None:
        """Post pending updates while a webhook is set and routed; wait otherwise."""
        state = self._state
        while True:
            state.webhook_wake.clear()
            target = self.target()
            pending = state.pending_for_webhook() if target is not None else []
            if not pending:
                await state.webhook_wake.wait()
                continue
            for update in pending:
                setting = state.webhook
                if setting is None or self.target() != target:
                    break  # the webhook changed meanwhile: look again
                status = await self._post(target, update, setting.secret_token)
                self.posted.append((update["update_id"], status))
                self._posted_event.set()
                if 200 <= status < 300:
                    state.confirm_update(update["update_id"])
                    continue
                setting.last_error_date = int(state.clock.time())
                setting.last_error_message = (
                    f"Wrong response from the webhook: {status}" if status else "Connection refused"
                )
                await asyncio.sleep(RETRY_SECONDS)
                break
