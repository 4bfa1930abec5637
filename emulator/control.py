"""HTTP control API under ``/_emulator/`` for driving the emulator from another process.

Every answer is JSON: ``{"ok": true, "result": ...}`` or ``{"ok": false, "error": "..."}``
(HTTP 400 for bad input, 404 for unknown users/chats, 408 when a wait times out). Bodies are
JSON objects; GET parameters go in the query string.

Routes:

- ``GET  /_emulator/health`` -> ``{"base_url", "base_file_url"}``
- ``POST /_emulator/reset`` -> forget users, chats, messages, log, faults
- ``POST /_emulator/users`` ``{user_id, first_name, last_name?, username?, language_code?}``
- ``POST /_emulator/users/{user_id}/block`` | ``/unblock`` | ``/deactivate``
- ``POST /_emulator/groups`` ``{chat_id, title, supergroup?, bot_is_admin?}``
- ``POST /_emulator/groups/{chat_id}/bot`` ``{action: add|kick|admin|unadmin, by_user, title?,
  supergroup?, forum?, admin?}``; ``/members`` ``{action: join|leave, user_id}``;
  ``/migrate`` ``{new_chat_id, by_user, updates_lost?}``; ``/topics`` ``{name, by_user}``
  -> ``{"thread_id"}`` (emulator/group_control.py); ``POST /_emulator/privacy`` ``{on}``
- ``POST /_emulator/send_text`` ``{user_id, text, chat_id?, reply_to?, thread_id?}`` -> message
- ``POST /_emulator/send_document``
  ``{user_id, filename, data_base64, mime_type?, caption?, chat_id?}`` -> message
- ``POST /_emulator/send_photo`` ``{user_id, data_base64, caption?, chat_id?}`` -> message
- ``POST /_emulator/files`` ``{data_base64, filename?, mime_type?, photo?}`` -> ``{"file_id"}``
- ``POST /_emulator/press_buttons`` ``{presses: [[user_id, message_id, data], ...], spread,
  start_in?, forge?}`` -> ``{"callback_query_ids"}`` once all are pressed (a timed rush)
- ``POST /_emulator/press_button``
  ``{user_id, message_id, callback_data?, text?, chat_id?, forge?}`` -> ``{"callback_query_id"}``
- ``POST /_emulator/press_inline`` ``{user_id, callback_data, inline_message_id?}``
  -> ``{"callback_query_id"}`` (a press on a message sent in inline mode: no ``message``)
- ``POST /_emulator/replay_press`` ``{callback_query_id}`` -> ``{"update_id"}`` (the same
  press delivered again)
- ``POST /_emulator/raw_update`` ``{update}`` -> ``{"update_id"}`` (queued as given, however odd)
- ``GET  /_emulator/chats/{chat_id}/messages?since=N&include_data=1`` -> the chat's messages
  (both sides, ``from_bot`` tells them apart; ``since`` skips the first N)
- ``GET  /_emulator/messages?since=N&include_data=1`` -> every message the bot sent
- ``POST /_emulator/wait_for_message``
  ``{chat_id, timeout?, since?, text_contains?, text_regex?, kinds?}`` -> message or 408
- ``GET  /_emulator/callback_answers`` -> answers by query id
- ``GET  /_emulator/commands`` -> ``[{"scope", "language_code", "commands"}]``
- ``GET  /_emulator/faults`` | ``POST`` ``{method?, kind, count?, retry_after?, hang_seconds?}`` |
  ``DELETE`` (clear)
- ``GET  /_emulator/limits`` | ``POST``
  ``{global_per_second?, per_chat_per_second?, per_chat_burst?, per_group_per_minute?,
  enabled?}``
- ``GET  /_emulator/stats`` -> ``{"total", "by_status", "by_method", "pending_updates",
  "messages_sent", "faults_fired"}``
- ``GET  /_emulator/requests?since=N&method=M&status=S`` -> request log entries
- ``POST /_emulator/clock/advance`` ``{seconds}`` -> skip emulator time
- ``GET  /_emulator/files/{file_id}`` -> the file's raw bytes
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .emulator import BotApiEmulator

ControlHandler = Callable[["BotApiEmulator", web.Request], Awaitable[Any]]
EMULATOR_KEY: web.AppKey[Any] = web.AppKey("emulator_facade", object)


class ControlError(Exception):
    """A control request that cannot be served, with its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        """Create an error answered with ``status``."""
        super().__init__(message)
        self.status = status


def _ok(result: Any, status: int = 200) -> web.Response:
    """Return a successful control answer."""
    return web.json_response({"ok": True, "result": result}, status=status)


async def _body(request: web.Request) -> dict[str, Any]:
    """Return the JSON object body of a control request (empty if none)."""
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise ControlError(400, "body must be a JSON object") from None
    if not isinstance(body, dict):
        raise ControlError(400, "body must be a JSON object")
    return body


def _int(value: Any, name: str) -> int:
    """Coerce a required integer field."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError(400, f"{name} must be an integer") from None


def _number(value: Any, name: str) -> float:
    """Coerce a required number of seconds, from 0 to an hour."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ControlError(400, f"{name} must be a number") from None
    if not 0.0 <= number <= 3600.0:
        raise ControlError(400, f"{name} must be from 0 to 3600 seconds")
    return number


def _opt_int(value: Any, name: str) -> int | None:
    """Coerce an optional integer field."""
    return None if value is None or value == "" else _int(value, name)


def _flag(value: Any) -> bool:
    """Read a boolean from JSON or a query string."""
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def _wrap(handler: ControlHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Turn a control handler into an aiohttp handler with uniform error answers."""

    async def route(request: web.Request) -> web.StreamResponse:
        """Run the handler and shape its result or error as JSON."""
        emu = request.app[EMULATOR_KEY]
        try:
            result = await handler(emu, request)
        except ControlError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=exc.status)
        except TimeoutError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=408)
        except (ValueError, KeyError, TypeError) as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        if isinstance(result, web.StreamResponse):
            return result
        return _ok(result)

    return route


async def _health(emu: BotApiEmulator, request: web.Request) -> Any:
    """Report the URLs a bot should use."""
    return {"base_url": emu.base_url, "base_file_url": emu.base_file_url}


async def _reset(emu: BotApiEmulator, request: web.Request) -> Any:
    """Reset all state."""
    emu.reset()
    return True


async def _add_user(emu: BotApiEmulator, request: web.Request) -> Any:
    """Add a user."""
    body = await _body(request)
    user = emu.add_user(
        _int(body.get("user_id"), "user_id"),
        str(body.get("first_name") or "User"),
        body.get("last_name"),
        body.get("username"),
        body.get("language_code", "en"),
    )
    return user.to_api()


async def _user_action(emu: BotApiEmulator, request: web.Request) -> Any:
    """Block, unblock or deactivate a user."""
    user_id = _int(request.match_info["user_id"], "user_id")
    action = request.match_info["action"]
    if user_id not in emu.state.users:
        raise ControlError(404, f"unknown user {user_id}")
    {
        "block": emu.block_user,
        "unblock": emu.unblock_user,
        "deactivate": emu.deactivate_user,
    }[action](user_id)
    return True


async def _add_group(emu: BotApiEmulator, request: web.Request) -> Any:
    """Add a group."""
    body = await _body(request)
    chat = emu.add_group(
        _int(body.get("chat_id"), "chat_id"),
        str(body.get("title") or "Group"),
        supergroup=_flag(body.get("supergroup", False)),
        bot_is_admin=_flag(body.get("bot_is_admin", False)),
    )
    return chat.to_api()


def _known_user(emu: BotApiEmulator, body: dict[str, Any]) -> int:
    """Return a body's user_id, which must be a known user."""
    user_id = _int(body.get("user_id"), "user_id")
    if user_id not in emu.state.users:
        raise ControlError(404, f"unknown user {user_id}")
    return user_id


def _file_bytes(body: dict[str, Any]) -> bytes:
    """The file's bytes from ``data_base64``; a 400 when they are not valid base64."""
    try:
        return base64.b64decode(str(body.get("data_base64") or ""), validate=True)
    except binascii.Error:
        raise ControlError(400, "data_base64 is not valid base64") from None


async def _send_text(emu: BotApiEmulator, request: web.Request) -> Any:
    """Send text as a user."""
    body = await _body(request)
    user_id = _known_user(emu, body)
    record = await emu.send_text(
        user_id,
        str(body.get("text") or ""),
        _opt_int(body.get("chat_id"), "chat_id"),
        reply_to=_opt_int(body.get("reply_to"), "reply_to"),
        thread_id=_opt_int(body.get("thread_id"), "thread_id"),
    )
    return record.as_dict()


async def _send_document(emu: BotApiEmulator, request: web.Request) -> Any:
    """Send a document as a user."""
    body = await _body(request)
    user_id = _known_user(emu, body)
    data = _file_bytes(body)
    record = await emu.send_document(
        user_id,
        str(body.get("filename") or "file.bin"),
        data,
        str(body.get("mime_type") or "application/octet-stream"),
        body.get("caption"),
        _opt_int(body.get("chat_id"), "chat_id"),
    )
    return record.as_dict()


async def _send_photo(emu: BotApiEmulator, request: web.Request) -> Any:
    """Send a picture as a user."""
    body = await _body(request)
    user_id = _known_user(emu, body)
    data = _file_bytes(body)
    record = await emu.send_photo(
        user_id, data, body.get("caption"), _opt_int(body.get("chat_id"), "chat_id")
    )
    return record.as_dict()


async def _add_file(emu: BotApiEmulator, request: web.Request) -> Any:
    """Store a file and return its file_id."""
    body = await _body(request)
    data = _file_bytes(body)
    file_id = emu.add_file(
        data, body.get("filename"), body.get("mime_type"), photo=_flag(body.get("photo", False))
    )
    return {"file_id": file_id}


async def _press_button(emu: BotApiEmulator, request: web.Request) -> Any:
    """Press an inline button as a user."""
    body = await _body(request)
    user_id = _known_user(emu, body)
    query_id = await emu.press_button(
        user_id,
        _int(body.get("message_id"), "message_id"),
        body.get("callback_data"),
        text=body.get("text"),
        chat_id=_opt_int(body.get("chat_id"), "chat_id"),
        forge=_flag(body.get("forge", False)),
    )
    return {"callback_query_id": query_id}


async def _press_buttons(emu: BotApiEmulator, request: web.Request) -> Any:
    """A rush of presses made inside the emulator, evenly over a time; answers when all are
    made, with their query ids in order."""
    body = await _body(request)
    raw = body.get("presses")
    if not isinstance(raw, list) or not raw:
        raise ControlError(400, "presses must be a non-empty list of [user_id, message_id, data]")
    presses = []
    for item in raw:
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[2], str)):
            raise ControlError(400, "each press is [user_id, message_id, callback_data]")
        user_id = _int(item[0], "user_id")
        if user_id not in emu.state.users:
            raise ControlError(404, f"unknown user {user_id}")
        presses.append((user_id, _int(item[1], "message_id"), item[2]))
    spread = _number(body.get("spread", 0), "spread")
    start_in = _number(body.get("start_in", 0.5), "start_in")
    try:
        ids = await emu.press_buttons_over(
            presses, spread, start_in=start_in, forge=_flag(body.get("forge", False))
        )
    except ValueError as exc:
        raise ControlError(400, str(exc)) from exc
    return {"callback_query_ids": ids}


async def _press_inline(emu: BotApiEmulator, request: web.Request) -> Any:
    """Press a button on a message sent in inline mode."""
    body = await _body(request)
    user_id = _known_user(emu, body)
    data = body.get("callback_data")
    if not isinstance(data, str) or not data:
        raise ControlError(400, "callback_data must be a non-empty string")
    inline_id = body.get("inline_message_id")
    query_id = await emu.press_inline_button(
        user_id, data, str(inline_id) if inline_id is not None else None
    )
    return {"callback_query_id": query_id}


async def _replay_press(emu: BotApiEmulator, request: web.Request) -> Any:
    """Deliver a press again."""
    body = await _body(request)
    query_id = str(body.get("callback_query_id") or "")
    if query_id not in emu.state.callback_queries:
        raise ControlError(404, f"unknown callback query {query_id}")
    return {"update_id": await emu.replay_press(query_id)}


async def _raw_update(emu: BotApiEmulator, request: web.Request) -> Any:
    """Queue an update as given."""
    body = await _body(request)
    update = body.get("update")
    if not isinstance(update, dict):
        raise ControlError(400, "update must be a JSON object")
    return {"update_id": emu.push_raw_update(update)}


async def _chat_messages(emu: BotApiEmulator, request: web.Request) -> Any:
    """List a chat's messages."""
    chat_id = _int(request.match_info["chat_id"], "chat_id")
    chat = emu.state.chats.get(chat_id)
    if chat is None:
        raise ControlError(404, f"unknown chat {chat_id}")
    since = _opt_int(request.query.get("since"), "since") or 0
    include = _flag(request.query.get("include_data", ""))
    return [m.as_dict(include) for m in chat.messages[since:]]


async def _all_messages(emu: BotApiEmulator, request: web.Request) -> Any:
    """List every message the bot sent."""
    since = _opt_int(request.query.get("since"), "since") or 0
    include = _flag(request.query.get("include_data", ""))
    return [m.as_dict(include) for m in emu.messages[since:]]


async def _wait_for_message(emu: BotApiEmulator, request: web.Request) -> Any:
    """Wait for a bot message in a chat matching simple text conditions."""
    body = await _body(request)
    chat_id = _int(body.get("chat_id"), "chat_id")
    if chat_id not in emu.state.chats:
        raise ControlError(404, f"unknown chat {chat_id}")
    contains = body.get("text_contains")
    pattern = re.compile(body["text_regex"]) if body.get("text_regex") else None

    def predicate(message: Any) -> bool:
        """Match the text (or caption) conditions of the request."""
        content = message.content
        if contains is not None and str(contains) not in content:
            return False
        return pattern is None or pattern.search(content) is not None

    kinds = body.get("kinds") or ["sent", "edited"]
    record = await emu.wait_for_message(
        chat_id,
        predicate,
        float(body.get("timeout", 5.0)),
        since=_opt_int(body.get("since"), "since"),
        kinds=[str(kind) for kind in kinds],
    )
    return record.as_dict()


async def _callback_answers(emu: BotApiEmulator, request: web.Request) -> Any:
    """List callback answers."""
    return {qid: answer.as_dict() for qid, answer in emu.callback_answers.items()}


async def _commands(emu: BotApiEmulator, request: web.Request) -> Any:
    """List stored command lists."""
    return [
        {"scope": scope, "language_code": language, "commands": commands}
        for (scope, language), commands in emu.commands.items()
    ]


async def _faults(emu: BotApiEmulator, request: web.Request) -> Any:
    """List, add or clear injected faults."""
    if request.method == "DELETE":
        emu.clear_faults()
        return True
    if request.method == "POST":
        body = await _body(request)
        fault = emu.inject_fault(
            body.get("method"),
            str(body.get("kind", "500")),
            _int(body.get("count", 1), "count"),
            _int(body.get("retry_after", 1), "retry_after"),
            float(body.get("hang_seconds", 10.0)),
        )
        return fault.as_dict()
    return [fault.as_dict() for fault in emu.faults]


async def _limits(emu: BotApiEmulator, request: web.Request) -> Any:
    """Show or change flood-control limits."""
    if request.method == "POST":
        body = await _body(request)
        known = {
            "global_per_second",
            "per_chat_per_second",
            "per_chat_burst",
            "per_group_per_minute",
            "enabled",
        }
        unknown = set(body) - known
        if unknown:
            raise ControlError(400, f"unknown limits: {sorted(unknown)}")
        if "enabled" in body:
            body["enabled"] = _flag(body["enabled"])
        emu.set_limits(**body)
    return emu.limits.as_dict()


async def _stats(emu: BotApiEmulator, request: web.Request) -> Any:
    """Count requests by status and by method."""
    state = emu.state
    by_method: dict[str, dict[str, int]] = {}
    for (method, status), count in state.method_status_counts.items():
        by_method.setdefault(method, {})[str(status)] = count
    return {
        "total": sum(state.status_counts.values()),
        "by_status": {str(status): n for status, n in sorted(state.status_counts.items())},
        "by_method": by_method,
        "pending_updates": emu.pending_updates,
        "messages_sent": len(emu.messages),
        "faults_fired": state.faults.fired_total,
    }


async def _requests(emu: BotApiEmulator, request: web.Request) -> Any:
    """List logged Bot API calls."""
    since = _opt_int(request.query.get("since"), "since") or 0
    method = request.query.get("method")
    status = _opt_int(request.query.get("status"), "status")
    log = list(emu.state.request_log)[since:]
    return [
        entry.as_dict()
        for entry in log
        if (method is None or entry.method == method) and (status is None or entry.status == status)
    ]


async def _advance_clock(emu: BotApiEmulator, request: web.Request) -> Any:
    """Skip emulator time forward."""
    body = await _body(request)
    emu.advance_clock(float(body.get("seconds", 0)))
    return {"monotonic": emu.clock.monotonic(), "time": emu.clock.time()}


async def _file(emu: BotApiEmulator, request: web.Request) -> Any:
    """Return a stored file's bytes."""
    record = emu.state.files.get(request.match_info["file_id"])
    if record is None:
        raise ControlError(404, "unknown file_id")
    return web.Response(
        body=record.data, content_type=record.mime_type or "application/octet-stream"
    )


def add_control_routes(app: web.Application, emu: BotApiEmulator) -> None:
    """Mount the control API on ``app``."""
    from .group_control import group_routes  # it reads this module's helpers

    app[EMULATOR_KEY] = emu
    routes: list[tuple[str, str, ControlHandler]] = [
        ("GET", "/health", _health),
        ("POST", "/reset", _reset),
        ("POST", "/users", _add_user),
        ("POST", "/users/{user_id}/{action:block|unblock|deactivate}", _user_action),
        ("POST", "/groups", _add_group),
        ("POST", "/send_text", _send_text),
        ("POST", "/send_document", _send_document),
        ("POST", "/send_photo", _send_photo),
        ("POST", "/files", _add_file),
        ("POST", "/press_button", _press_button),
        ("POST", "/press_buttons", _press_buttons),
        ("POST", "/press_inline", _press_inline),
        ("POST", "/replay_press", _replay_press),
        ("POST", "/raw_update", _raw_update),
        ("GET", "/chats/{chat_id}/messages", _chat_messages),
        ("GET", "/messages", _all_messages),
        ("POST", "/wait_for_message", _wait_for_message),
        ("GET", "/callback_answers", _callback_answers),
        ("GET", "/commands", _commands),
        ("GET", "/faults", _faults),
        ("POST", "/faults", _faults),
        ("DELETE", "/faults", _faults),
        ("GET", "/limits", _limits),
        ("POST", "/limits", _limits),
        ("GET", "/stats", _stats),
        ("GET", "/requests", _requests),
        ("POST", "/clock/advance", _advance_clock),
        ("GET", "/files/{file_id}", _file),
    ]
    routes += group_routes()
    for verb, path, handler in routes:
        app.router.add_route(verb, "/_emulator" + path, _wrap(handler))
