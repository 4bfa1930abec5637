"""The control API's group routes: add, kick or promote the bot; people join and leave; a group
becomes a supergroup; topics; privacy mode (see emulator/groups.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .control import ControlError, ControlHandler, _body, _flag, _int

if TYPE_CHECKING:
    from .emulator import BotApiEmulator


async def _group_request(request: web.Request) -> tuple[int, dict[str, Any]]:
    """The group's id from the path, and the body."""
    return _int(request.match_info["chat_id"], "chat_id"), await _body(request)


async def _bot(emu: BotApiEmulator, request: web.Request) -> Any:
    """Add, kick, promote or demote the bot in a group."""
    chat_id, body = await _group_request(request)
    by_user = _int(body.get("by_user"), "by_user")
    action = body.get("action")
    if action == "add":
        chat = emu.add_bot_to_group(
            chat_id,
            str(body.get("title") or "Group"),
            by_user,
            supergroup=_flag(body.get("supergroup", False)),
            forum=_flag(body.get("forum", False)),
            admin=_flag(body.get("admin", False)),
        )
        return chat.to_api()
    if action == "kick":
        emu.kick_bot(chat_id, by_user)
    elif action in ("admin", "unadmin"):
        emu.set_bot_admin(chat_id, by_user, admin=action == "admin")
    else:
        raise ControlError(400, "action must be add, kick, admin or unadmin")
    return True


async def _members(emu: BotApiEmulator, request: web.Request) -> Any:
    """A user joins or leaves a group."""
    chat_id, body = await _group_request(request)
    user_id = _int(body.get("user_id"), "user_id")
    action = body.get("action")
    if action == "join":
        return emu.join_group(user_id, chat_id).as_dict()
    if action == "leave":
        return emu.leave_group(user_id, chat_id).as_dict()
    raise ControlError(400, "action must be join or leave")


async def _migrate(emu: BotApiEmulator, request: web.Request) -> Any:
    """A group becomes a supergroup."""
    chat_id, body = await _group_request(request)
    chat = emu.migrate_to_supergroup(
        chat_id,
        _int(body.get("new_chat_id"), "new_chat_id"),
        _int(body.get("by_user"), "by_user"),
        updates_lost=_flag(body.get("updates_lost", False)),
    )
    return chat.to_api()


async def _topics(emu: BotApiEmulator, request: web.Request) -> Any:
    """Open a topic in a supergroup with topics."""
    chat_id, body = await _group_request(request)
    thread_id = emu.add_topic(
        chat_id, str(body.get("name") or ""), _int(body.get("by_user"), "by_user")
    )
    return {"thread_id": thread_id}


async def _privacy(emu: BotApiEmulator, request: web.Request) -> Any:
    """Switch privacy mode on or off."""
    body = await _body(request)
    emu.set_privacy_mode(_flag(body.get("on", True)))
    return {"privacy_mode": emu.state.privacy_mode}


def group_routes() -> list[tuple[str, str, ControlHandler]]:
    """The group routes, under /_emulator."""
    return [
        ("POST", "/groups/{chat_id}/bot", _bot),
        ("POST", "/groups/{chat_id}/members", _members),
        ("POST", "/groups/{chat_id}/migrate", _migrate),
        ("POST", "/groups/{chat_id}/topics", _topics),
        ("POST", "/privacy", _privacy),
    ]
