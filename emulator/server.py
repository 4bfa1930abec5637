"""The HTTP side of the Bot API: routing, faults, logging and Telegram-shaped responses.

Routes: ``/bot{token}/{method}`` (any HTTP verb, method name case-insensitive) and
``/file/bot{token}/{file_path}`` for downloads of files returned by getFile.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from typing import Any

from aiohttp import web

from .errors import METHOD_NOT_FOUND, NOT_FOUND, UNAUTHORIZED, ApiError
from .faults import Fault
from .methods import METHODS
from .params import MAX_BODY_BYTES, read_params
from .state import EmulatorState

TOKEN_RE = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{1,100}")
STATE_KEY: web.AppKey[EmulatorState] = web.AppKey("emulator_state", EmulatorState)
SETTINGS_KEY: web.AppKey[dict[str, Any]] = web.AppKey("emulator_settings", dict)
STOP_KEY: web.AppKey[asyncio.Event] = web.AppKey("emulator_stop", asyncio.Event)

_JSON_HEADERS = {"Content-Type": "application/json"}


def _reply(status: int, body: dict[str, Any]) -> web.Response:
    """Return a JSON response."""
    return web.Response(status=status, body=json.dumps(body).encode(), headers=_JSON_HEADERS)


async def hang(stop: asyncio.Event, seconds: float) -> None:
    """Hold a request for ``seconds`` of real time, or until the emulator stops."""
    if stop.is_set():
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _fault_before(
    request: web.Request, st: EmulatorState, fault: Fault, name: str, chat_id: int | None
) -> web.StreamResponse:
    """Answer a request hit by a fault that strikes before delivery."""
    if fault.kind == "disconnect":
        st.log_request(name, chat_id, 0, "fault: connection dropped")
        transport = request.transport
        if transport is not None:
            transport.abort()
        return web.Response(status=204)
    error = fault.error()
    st.log_request(name, chat_id, error.code, f"fault: {fault.kind}")
    if fault.kind == "timeout_before":
        await hang(request.app[STOP_KEY], fault.hang_seconds)
    return _reply(error.code, error.payload())


async def handle_method(request: web.Request) -> web.StreamResponse:
    """Answer ``/bot{token}/{method}``."""
    st = request.app[STATE_KEY]
    token = request.match_info["token"]
    called = request.match_info["method"]
    if TOKEN_RE.fullmatch(token) is None:
        return _reply(404, ApiError(404, NOT_FOUND).payload())
    required = request.app[SETTINGS_KEY].get("token")
    if required and token != required:
        return _reply(401, ApiError(401, UNAUTHORIZED).payload())
    key = called.lower()
    spec = METHODS.get(key)
    if spec is None:
        st.log_request(called, None, 404, METHOD_NOT_FOUND)
        return _reply(404, ApiError(404, METHOD_NOT_FOUND).payload())
    name = spec.name
    try:
        params = await read_params(request, token)
    except ApiError as exc:
        st.log_request(name, None, exc.code, exc.description)
        return _reply(exc.code, exc.payload())
    chat_id = params.chat_id_hint()
    fault = st.faults.take(key, spec.sending) if st.faults else None
    if fault is not None and fault.kind != "timeout_after":
        return await _fault_before(request, st, fault, name, chat_id)
    try:
        result = await spec.handler(st, params)
    except ApiError as exc:
        status, body, description = exc.code, exc.payload(), exc.description
    else:
        status, body, description = 200, {"ok": True, "result": result}, None
    st.log_request(name, chat_id, status, description)
    if fault is not None:
        await hang(request.app[STOP_KEY], fault.hang_seconds)
    return _reply(status, body)


async def handle_file(request: web.Request) -> web.StreamResponse:
    """Serve ``/file/bot{token}/{file_path}``."""
    st = request.app[STATE_KEY]
    record = st.files_by_path.get(request.match_info["path"])
    if TOKEN_RE.fullmatch(request.match_info["token"]) is None or record is None:
        return _reply(404, ApiError(404, NOT_FOUND).payload())
    return web.Response(
        body=record.data, content_type=record.mime_type or "application/octet-stream"
    )


def build_app(state: EmulatorState, stop: asyncio.Event, token: str | None) -> web.Application:
    """Return the aiohttp application answering the Bot API for ``state``."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[STATE_KEY] = state
    app[STOP_KEY] = stop
    app[SETTINGS_KEY] = {"token": token}
    app.router.add_route("*", "/bot{token}/{method}", handle_method)
    app.router.add_route("GET", "/file/bot{token}/{path:.+}", handle_file)
    return app
