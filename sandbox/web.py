"""The sandbox's web app: the chat page and a small JSON API that drives the emulator in-process."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from config.errors import ConfigError
from sandbox.group import ACTIONS as GROUP_ACTIONS
from sandbox.group import WHICH as GROUPS
from sandbox.runtime import MAX_FILE_BYTES, Sandbox
from sandbox.surveys import survey_list, survey_preview
from sandbox.words import clock_words, moved_on

STATIC = Path(__file__).resolve().parent / "static"
SANDBOX_KEY = web.AppKey("sandbox", Sandbox)
LOOPBACK_HOSTS = {"127.0.0.1", "localhost"}
MAX_ADVANCE = timedelta(days=60)
MAX_TEXT = 4096
MAX_NAME = 40
MAX_FILE_NAME = 200
# A file travels as base64 inside JSON (so every POST stays JSON): 4/3 of its size, plus room.
MAX_BODY = MAX_FILE_BYTES * 4 // 3 + 64 * 1024


# Every page and API route, declared on its handler below.
ROUTES = web.RouteTableDef()


@web.middleware
async def loopback_only(request: web.Request, handler):
    """Refuse other Host names (DNS rebinding) and non-JSON POSTs (cross-site forms)."""
    host = (request.host or "").rsplit(":", 1)[0].strip("[]")
    if host not in LOOPBACK_HOSTS:
        raise web.HTTPForbidden(text="The sandbox only answers on 127.0.0.1.")
    if request.method == "POST" and request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="Send JSON.")
    return await handler(request)


def build_web_app(sandbox: Sandbox) -> web.Application:
    """The page, its static files and the JSON API, all bound to one sandbox."""
    app = web.Application(middlewares=[loopback_only], client_max_size=MAX_BODY)
    app[SANDBOX_KEY] = sandbox
    app.add_routes(ROUTES)
    app.router.add_static("/static/", STATIC)
    return app


def _sandbox(request: web.Request) -> Sandbox:
    """The sandbox behind this web app."""
    return request.app[SANDBOX_KEY]


def _bad(message: str) -> web.HTTPBadRequest:
    """A 400 answer with a JSON error."""
    return web.HTTPBadRequest(
        text=json.dumps({"ok": False, "error": message}), content_type="application/json"
    )


async def _body(request: web.Request) -> dict[str, Any]:
    """The JSON object in the request body."""
    try:
        body = await request.json()
    except ValueError:
        raise _bad("the body is not JSON") from None
    if not isinstance(body, dict):
        raise _bad("the body must be a JSON object")
    return body


def _user_id(sandbox: Sandbox, value: object) -> int:
    """A known person's id from the request."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value not in sandbox.personas:
        raise _bad("unknown person")
    return value


async def _written(request: web.Request, sandbox: Sandbox) -> tuple[int, str]:
    """Who writes, and the text (1 to MAX_TEXT characters)."""
    body = await _body(request)
    user_id = _user_id(sandbox, body.get("user_id"))
    text = body.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise _bad(f"write 1 to {MAX_TEXT} characters")
    return user_id, text


async def _pressed(request: web.Request, sandbox: Sandbox) -> tuple[int, int, str]:
    """Who presses, on which message, and the button's data."""
    body = await _body(request)
    user_id = _user_id(sandbox, body.get("user_id"))
    message_id, data = body.get("message_id"), body.get("data")
    if not isinstance(message_id, int) or not isinstance(data, str):
        raise _bad("give message_id and data")
    return user_id, message_id, data


def _state(sandbox: Sandbox) -> dict[str, Any]:
    """What the page needs to draw its controls."""
    return {
        "ok": True,
        "people": [p.as_dict() for p in sandbox.personas.values()],
        "show_keys": sandbox.show_keys,
        "clock": clock_words(sandbox.clock.now(), sandbox.zone),
        "bot_name": sandbox.emu.state.bot_first_name,
        "database": str(sandbox.database_path),
    }


@ROUTES.get("/")
async def index(request: web.Request) -> web.FileResponse:
    """The chat page."""
    return web.FileResponse(STATIC / "index.html")


@ROUTES.get("/favicon.ico")
async def favicon(request: web.Request) -> web.FileResponse:
    """The page's icon, also where browsers look for it by default."""
    return web.FileResponse(STATIC / "favicon.svg")


@ROUTES.get("/api/state")
async def state(request: web.Request) -> web.Response:
    """People, the clock and the toggles."""
    return web.json_response(_state(_sandbox(request)))


@ROUTES.post("/api/people")
async def add_person(request: web.Request) -> web.Response:
    """Add a person by first name."""
    body = await _body(request)
    name = body.get("first_name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
        raise _bad(f"give a first name of 1 to {MAX_NAME} characters")
    persona = _sandbox(request).add_person(name.strip())
    return web.json_response({"ok": True, "person": persona.as_dict()})


@ROUTES.get("/api/chat/{user_id}")
async def chat(request: web.Request) -> web.Response:
    """A person's chat with the bot."""
    sandbox = _sandbox(request)
    user_id = _user_id(sandbox, request.match_info["user_id"])
    return web.json_response({"ok": True, **sandbox.chat(user_id)})


@ROUTES.post("/api/send")
async def send(request: web.Request) -> web.Response:
    """A person sends text to the bot."""
    sandbox = _sandbox(request)
    user_id, text = await _written(request, sandbox)
    async with sandbox.lock:
        await sandbox.send_text(user_id, text)
    return web.json_response({"ok": True})


@ROUTES.post("/api/send_file")
async def send_file(request: web.Request) -> web.Response:
    """A person sends a picture or a file (base64 in ``data``), with an optional caption."""
    sandbox = _sandbox(request)
    body = await _body(request)
    user_id = _user_id(sandbox, body.get("user_id"))
    name, mime = body.get("name", ""), body.get("mime_type", "")
    caption, photo = body.get("caption", ""), body.get("photo", False)
    if not isinstance(name, str) or len(name) > MAX_FILE_NAME or not isinstance(mime, str):
        raise _bad(f"give a file name of at most {MAX_FILE_NAME} characters")
    if not isinstance(caption, str) or len(caption) > 1024:
        raise _bad("a caption can have at most 1024 characters")
    try:
        data = base64.b64decode(str(body.get("data", "")), validate=True)
    except (binascii.Error, ValueError):
        raise _bad("the file did not arrive whole: try again") from None
    try:
        async with sandbox.lock:
            sent = await sandbox.send_file(
                user_id, name, data, mime, caption.strip(), photo=photo is True
            )
    except ValueError as exc:
        raise _bad(str(exc)) from None
    return web.json_response({"ok": True, "sent_as": sent})


@ROUTES.post("/api/press")
async def press(request: web.Request) -> web.Response:
    """A person presses an inline button."""
    sandbox = _sandbox(request)
    user_id, message_id, data = await _pressed(request, sandbox)
    try:
        async with sandbox.lock:
            answer = await sandbox.press(user_id, message_id, data)
    except ValueError as exc:
        raise _bad(str(exc)) from None
    keys = sandbox.label_keys(answer) if answer else []
    return web.json_response({"ok": True, "answer": answer, "answer_keys": keys})


@ROUTES.get("/api/files/{file_id}")
async def file(request: web.Request) -> web.Response:
    """A document or picture the bot sent, as a download."""
    found = _sandbox(request).file(request.match_info["file_id"])
    if found is None:
        raise web.HTTPNotFound()
    data, name, mime = found
    headers = {}
    if name:
        safe = "".join(c for c in name if c.isalnum() or c in "._- ") or "file"
        headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    return web.Response(body=data, content_type=mime or "application/octet-stream", headers=headers)


@ROUTES.post("/api/clock")
async def advance(request: web.Request) -> web.Response:
    """Move the bot's clock on by ``seconds`` and run what became due."""
    sandbox = _sandbox(request)
    body = await _body(request)
    seconds = body.get("seconds")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds <= 0:
        raise _bad("give a positive number of seconds")
    delta = timedelta(seconds=seconds)
    if delta > MAX_ADVANCE:
        raise _bad("move on at most 60 days at a time")
    async with sandbox.lock:
        ran = await sandbox.advance(delta)
    note = moved_on(delta, sandbox.clock.now(), sandbox.zone)
    return web.json_response({**_state(sandbox), "ran": ran, "note": note})


@ROUTES.post("/api/show_keys")
async def show_keys(request: web.Request) -> web.Response:
    """Turn the catalogue keys beside each message on or off."""
    sandbox = _sandbox(request)
    body = await _body(request)
    sandbox.set_show_keys(bool(body.get("on")))
    return web.json_response(_state(sandbox))


@ROUTES.get("/api/surveys")
async def surveys(request: web.Request) -> web.Response:
    """The survey files in SURVEYS_DIR, each with its title or what is wrong with it."""
    folder = _sandbox(request).services.settings.surveys_dir
    try:
        found = await asyncio.to_thread(survey_list, folder)
    except ConfigError as exc:
        raise _bad(str(exc)) from None
    return web.json_response({"ok": True, "folder": str(folder), "surveys": found})


@ROUTES.get("/api/surveys/{key}")
async def survey(request: web.Request) -> web.Response:
    """One survey file as a member would see it: consent and every question, or its error."""
    services = _sandbox(request).services
    key = request.match_info["key"]
    try:
        shown = await asyncio.to_thread(
            survey_preview,
            services.settings.surveys_dir,
            key,
            services.texts,
            services.settings.zone,
            services.surveys.answers_kept,
        )
    except ConfigError as exc:  # the folder itself is missing
        raise _bad(str(exc)) from None
    except KeyError:
        raise web.HTTPNotFound(
            text=json.dumps({"ok": False, "error": "no such survey file"}),
            content_type="application/json",
        ) from None
    return web.json_response({"ok": True, **shown})


def _which(value: object) -> str:
    """Which practice group: "hub" (the default, a supergroup) or "basic"."""
    if value is None:
        return "hub"
    if value not in GROUPS:
        raise _bad(f"group must be one of {', '.join(GROUPS)}")
    return str(value)


@ROUTES.get("/api/group")
async def group(request: web.Request) -> web.Response:
    """A practice group (``?group=basic`` for the basic one): the bot, who is in it, and its
    messages."""
    which = _which(request.query.get("group"))
    return web.json_response({"ok": True, **_sandbox(request).group_view(which)})


@ROUTES.post("/api/group")
async def group_act(request: web.Request) -> web.Response:
    """Someone acts on a practice group (``group``: "hub", the default, or "basic"): add the
    bot, join, leave, make the bot an admin or not, remove the bot, or make a basic group a
    supergroup ("supergroup": Telegram's two notices, and the group's new id)."""
    sandbox = _sandbox(request)
    body = await _body(request)
    user_id = _user_id(sandbox, body.get("user_id"))
    which = _which(body.get("group"))
    action = body.get("action")
    if action not in GROUP_ACTIONS:
        raise _bad(f"action must be one of {', '.join(GROUP_ACTIONS)}")
    try:
        async with sandbox.lock:
            sandbox.practice(which).act(action, user_id)
    except ValueError as exc:
        raise _bad(str(exc)) from None
    return web.json_response({"ok": True, **sandbox.group_view(which)})


@ROUTES.post("/api/group/send")
async def group_send(request: web.Request) -> web.Response:
    """Someone writes in a practice group (``group`` as above)."""
    sandbox = _sandbox(request)
    user_id, text = await _written(request, sandbox)
    which = _which((await _body(request)).get("group"))
    try:
        async with sandbox.lock:
            await sandbox.practice(which).send_text(user_id, text)
    except ValueError as exc:
        raise _bad(str(exc)) from None
    return web.json_response({"ok": True})


@ROUTES.post("/api/group/press")
async def group_press(request: web.Request) -> web.Response:
    """Someone presses a button on a message in a practice group (``group`` as above)."""
    sandbox = _sandbox(request)
    user_id, message_id, data = await _pressed(request, sandbox)
    which = _which((await _body(request)).get("group"))
    try:
        async with sandbox.lock:
            answer = await sandbox.group_press(user_id, message_id, data, which)
    except ValueError as exc:
        raise _bad(str(exc)) from None
    return web.json_response({"ok": True, "answer": answer})


@ROUTES.post("/api/reset")
async def reset(request: web.Request) -> web.Response:
    """Delete the sandbox database and start again."""
    sandbox = _sandbox(request)
    async with sandbox.lock:
        await sandbox.reset()
    return web.json_response(_state(sandbox))
