"""The engine's own HTTP client for the Bot API, separate from the Application's bot.

It has its own connection pool, so sends to many people never queue in front of replies to
members, and it tells apart a request that never left (safe to retry) from one that left and
got no answer (it may have arrived). Nothing here logs a URL: Bot API URLs hold the token.
A call that carries bytes to upload (a ``FileUpload`` param) goes as multipart/form-data and
its outcome carries the file_id Telegram gave the file; every other call goes as JSON.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import mimetypes
from typing import Any

import aiohttp

from bot.delivery.content import FileUpload, Outgoing, upload_field
from bot.delivery.policy import (
    CONNECTION_LOST,
    NO_CONNECTION,
    TIMED_OUT,
    Outcome,
    Verdict,
    classify,
)


def form_data(payload: dict[str, Any]) -> aiohttp.FormData:
    """A call with a file as multipart: the file part with its name, other params as text
    (dicts and lists such as reply_markup as JSON)."""
    form = aiohttp.FormData()
    for name, value in payload.items():
        if value is None:
            continue
        if isinstance(value, FileUpload):
            content_type = mimetypes.guess_type(value.filename)[0] or "application/octet-stream"
            form.add_field(name, value.data, filename=value.filename, content_type=content_type)
        elif isinstance(value, dict | list):
            form.add_field(name, json.dumps(value, separators=(",", ":"), ensure_ascii=False))
        elif isinstance(value, bool):
            form.add_field(name, "true" if value else "false")
        else:
            form.add_field(name, str(value))
    return form


def uploaded_file_id(result: Any, field: str) -> str | None:
    """The file_id Telegram gave an uploaded file: the largest photo size's, or the
    document's."""
    if not isinstance(result, dict):
        return None
    value = result.get(field)
    if isinstance(value, list):
        sizes = [size for size in value if isinstance(size, dict) and size.get("file_id")]
        if not sizes:
            return None
        largest = max(
            sizes,
            key=lambda size: (
                int(size.get("width") or 0) * int(size.get("height") or 0),
                int(size.get("file_size") or 0),
            ),
        )
        value = largest
    if isinstance(value, dict) and isinstance(value.get("file_id"), str) and value["file_id"]:
        return str(value["file_id"])
    return None


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
                return await self._post(self._session, call.method, payload, upload_field(call))
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError):
            # No connection was made, so the request never left: safe to retry.
            return Outcome(Verdict.RETRY, NO_CONNECTION)
        except (aiohttp.SocketTimeoutError, TimeoutError):
            return Outcome(Verdict.UNCERTAIN, TIMED_OUT)
        except (aiohttp.ClientError, OSError):
            # The connection broke after the request was written: it may have arrived.
            return Outcome(Verdict.UNCERTAIN, CONNECTION_LOST)

    async def _post(
        self,
        session: aiohttp.ClientSession,
        method: str,
        payload: dict[str, Any],
        upload: str | None,
    ) -> Outcome:
        """POST the call (JSON, or multipart when ``upload`` names a file param) and classify
        the answer."""
        url = self._prefix + method
        if upload is None:
            request = session.post(url, json=payload)
        else:
            request = session.post(url, data=form_data(payload))
        async with request as response:
            raw = await response.read()
            status = response.status
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        outcome = classify(status, body)
        if upload is not None and outcome.verdict is Verdict.SENT and isinstance(body, dict):
            file_id = uploaded_file_id(body.get("result"), upload)
            outcome = dataclasses.replace(outcome, file_id=file_id)
        return outcome
