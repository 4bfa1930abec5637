"""The sandbox's practice group chat, like a hub's Telegram group: people add the bot, join and
leave, make the bot an admin or remove it, and write and press buttons there, so a hub can see
what the bot does in a group (and what it never shows there) before it links its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from emulator.emulator import BotApiEmulator
from emulator.records import MessageRecord

GROUP_ID = -1001000000001
GROUP_TITLE = "Hub group (practice)"
ACTIONS = ("add", "join", "leave", "admin", "not_admin", "kick")

View = Callable[[MessageRecord], dict[str, Any]]


class PracticeGroup:
    """The practice group in the sandbox's emulator."""

    def __init__(self, emu: BotApiEmulator) -> None:
        self.emu = emu

    @property
    def chat(self):
        """The group's chat in the emulator, or None before the bot is first added."""
        return self.emu.state.chats.get(GROUP_ID)

    def act(self, action: str, user_id: int) -> None:
        """Someone adds the bot, joins, leaves, promotes or demotes the bot, or removes it;
        ValueError with a plain reason when that cannot happen now."""
        chat = self.chat
        if action == "add":
            if chat is not None and not chat.bot_removed:
                raise ValueError("the bot is in the group already")
            self.emu.add_bot_to_group(GROUP_ID, GROUP_TITLE, by_user=user_id, supergroup=True)
            return
        if chat is None or chat.bot_removed:
            raise ValueError("add the bot to the group first")
        if action == "join":
            if user_id in chat.members:
                raise ValueError("you are in the group already")
            self.emu.join_group(user_id, GROUP_ID)
        elif action == "leave":
            if user_id not in chat.members:
                raise ValueError("you are not in the group")
            self.emu.leave_group(user_id, GROUP_ID)
        elif action in ("admin", "not_admin"):
            self.emu.set_bot_admin(GROUP_ID, user_id, admin=action == "admin")
        elif action == "kick":
            self.emu.kick_bot(GROUP_ID, user_id)
        else:
            raise ValueError(f"unknown action; use one of {', '.join(ACTIONS)}")

    async def send_text(self, user_id: int, text: str) -> None:
        """Someone writes in the group (joining it, as Telegram would need)."""
        chat = self.chat
        if chat is None or chat.bot_removed:
            raise ValueError("add the bot to the group first")
        await self.emu.send_text(user_id, text, chat_id=GROUP_ID)

    async def press(self, user_id: int, message_id: int, data: str) -> str:
        """Someone presses a button on a message in the group; return the query id."""
        return await self.emu.press_button(user_id, message_id, data, chat_id=GROUP_ID)

    def view(self, zone: ZoneInfo, message_view: View, names: dict[int, str]) -> dict[str, Any]:
        """The group as the page shows it: whether the bot is in it (and an admin), who is
        in it, and every message with who wrote it; notices like "Sam joined" as notes."""
        chat = self.chat
        if chat is None:
            return {
                "exists": False,
                "bot_in": False,
                "admin": False,
                "members": [],
                "messages": [],
                "version": "0",
            }
        messages = []
        for message in chat.messages:
            if message.deleted:
                continue
            shown = message_view(message)
            sender = message.sender.get("id")
            shown["sender"] = None if message.from_bot else names.get(sender, "Someone")
            shown["note"] = _note(message, names)
            messages.append(shown)
        return {
            "exists": True,
            "bot_in": not chat.bot_removed,
            "admin": chat.bot_is_admin,
            "members": sorted(names.get(member, "Someone") for member in chat.members),
            "messages": messages,
            "version": f"{len(chat.messages)}.{len(chat.events)}.{int(chat.bot_is_admin)}",
        }


def _note(message: MessageRecord, names: dict[int, str]) -> str | None:
    """A service message in words ("Sam joined the group"), or None."""
    service = message.service or {}
    who = names.get(message.sender.get("id"), "Someone")
    if "new_chat_members" in service:
        joined = service["new_chat_members"]
        if any(person.get("is_bot") for person in joined):
            return f"{who} added the bot to the group"
        return f"{who} joined the group"
    if "left_chat_member" in service:
        return f"{who} left the group"
    return None
