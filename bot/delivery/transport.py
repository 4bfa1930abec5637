"""The engine's own HTTP client for the Bot API, separate from the Application's bot.

It has its own connection pool, so sends to many people never queue in front of replies to
members, and it tells apart a request that never left (safe to retry) from one that left and
got no answer (it may have arrived). Nothing here logs a URL: Bot API URLs hold the token.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

from bot.delivery.content import Outgoing
from bot.delivery.policy import (
    CONNECTION_LOST,
    NO_CONNECTION,
    TIMED_OUT,
    Outcome,
    Verdict,
    classify,
)


class BotApiTransport:
    """Sends one Bot API call at a time per caller over a shared keep-alive pool."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        pool_size: int = 16,
        connect_timeout: float = 10.0,
        read_timeout: float = 20.0,
    ) -> None:
        self._prefix = f"{base_url}{token}/"
        self._pool_size = pool_size
        self._timeout = aiohttp.ClientTimeout(
            total=None, connect=connect_timeout, sock_read=read_timeout
        )
        # A last guard in case a socket read never times out on its own.
        self._overall = connect_timeout + read_timeout + 5.0
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Open the connection pool."""
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._pool_size, keepalive_timeout=30)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)

    async def close(self) -> None:
        """Close the connection pool."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def send(self, chat_id: int, call: Outgoing) -> Outcome:
        """Make one call to one chat and say what its answer means."""
        if self._session is None:
            raise RuntimeError("the transport is not started")
        payload = {"chat_id": chat_id, **call.params}
        try:
            async with asyncio.timeout(self._overall):
                return await self._post(self._session, call.method, payload)
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError):
            # No connection was made, so the request never left: safe to retry.
            return Outcome(Verdict.RETRY, NO_CONNECTION)
        except (aiohttp.SocketTimeoutError, TimeoutError):
            return Outcome(Verdict.UNCERTAIN, TIMED_OUT)
        except (aiohttp.ClientError, OSError):
            # The connection broke after the request was written: it may have arrived.
            return Outcome(Verdict.UNCERTAIN, CONNECTION_LOST)

    async def _post(
        self, session: aiohttp.ClientSession, method: str, payload: dict[str, Any]
    ) -> Outcome:
        """POST the call as JSON and classify the answer."""
        async with session.post(self._prefix + method, json=payload) as response:
            raw = await response.read()
            status = response.status
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        return classify(status, body)
