"""The sandbox's practice group chats, like a hub's Telegram group: people add the bot, join and
leave, make the bot an admin or remove it, and write and press buttons there, so a hub can see
what the bot does in a group (and what it never shows there) before it links its own.

There are two: the hub group (already a supergroup) and a basic group, which someone can make a
supergroup ("supergroup"), as Telegram does when a group grows or an admin changes a setting:
the group gets a new id, Telegram's two notices go out, and the page follows it to the new
chat, showing the old group's messages first as history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from emulator.emulator import BotApiEmulator
from emulator.records import MessageRecord

GROUP_ID = -1001000000001
GROUP_TITLE = "Hub group (practice)"
BASIC_ID = -5000000001  # a basic group's id has no -100 in front
BASIC_TITLE = "Basic group (practice)"
BASIC_SUPERGROUP_ID = -1001000000002  # the id it gets once it is a supergroup
ACTIONS = ("add", "join", "leave", "admin", "not_admin", "kick", "supergroup")
WHICH = ("hub", "basic")  # the practice groups, as the page and the API name them

View = Callable[[MessageRecord], dict[str, Any]]


class PracticeGroup:
    """A practice group in the sandbox's emulator (by default the hub group, a supergroup)."""

    def __init__(
        self,
        emu: BotApiEmulator,
        chat_id: int = GROUP_ID,
        title: str = GROUP_TITLE,
        *,
        supergroup: bool = True,
        supergroup_id: int | None = None,
    ) -> None:
        self.emu = emu
        self.chat_id = chat_id
        self.title = title
        self.supergroup = supergroup
        self.supergroup_id = supergroup_id  # for a basic group: its id once a supergroup

    @property
    def chat(self):
        """The group's chat in the emulator now (the supergroup it became, if it moved), or
        None before the bot is first added."""
        chat = self.emu.state.chats.get(self.chat_id)
        while chat is not None and chat.migrated_to is not None:
            chat = self.emu.state.chats.get(chat.migrated_to)
        return chat

    def _history(self) -> list:
        """The chats the group has been, oldest first (one, until it is made a supergroup)."""
        chats = []
        chat = self.emu.state.chats.get(self.chat_id)
        while chat is not None:
            chats.append(chat)
            chat = self.emu.state.chats.get(chat.migrated_to) if chat.migrated_to else None
        return chats

    def act(self, action: str, user_id: int) -> None:
        """Someone adds the bot, joins, leaves, promotes or demotes the bot, or removes it;
        ValueError with a plain reason when that cannot happen now."""
        chat = self.chat
        if action == "add":
            if chat is not None and not chat.bot_removed:
                raise ValueError("the bot is in the group already")
            where = chat.chat_id if chat is not None else self.chat_id
            self.emu.add_bot_to_group(
                where, self.title, by_user=user_id, supergroup=self.supergroup
            )
            return
        if chat is None or chat.bot_removed:
            raise ValueError("add the bot to the group first")
        if action == "supergroup":
            if chat.type != "group" or self.supergroup_id is None:
                raise ValueError("this group is a supergroup already")
            if user_id not in chat.members:
                raise ValueError("only someone in the group can change it")
            self.emu.migrate_to_supergroup(chat.chat_id, self.supergroup_id, by_user=user_id)
            return
        if action == "join":
            if user_id in chat.members:
                raise ValueError("you are in the group already")
            self.emu.join_group(user_id, chat.chat_id)
        elif action == "leave":
            if user_id not in chat.members:
                raise ValueError("you are not in the group")
            self.emu.leave_group(user_id, chat.chat_id)
        elif action in ("admin", "not_admin"):
            self.emu.set_bot_admin(chat.chat_id, user_id, admin=action == "admin")
        elif action == "kick":
            self.emu.kick_bot(chat.chat_id, user_id)
        else:
            raise ValueError(f"unknown action; use one of {', '.join(ACTIONS)}")

    async def send_text(self, user_id: int, text: str) -> None:
        """Someone writes in the group (joining it, as Telegram would need)."""
        chat = self.chat
        if chat is None or chat.bot_removed:
            raise ValueError("add the bot to the group first")
        await self.emu.send_text(user_id, text, chat_id=chat.chat_id)

    async def press(self, user_id: int, message_id: int, data: str) -> str:
        """Someone presses a button on a message in the group (as it is now); return the
        query id."""
        chat = self.chat
        if chat is None or message_id not in chat.by_id:
            raise ValueError("that message is not in the group")
        return await self.emu.press_button(user_id, message_id, data, chat_id=chat.chat_id)

    def view(self, zone: ZoneInfo, message_view: View, names: dict[int, str]) -> dict[str, Any]:
        """The group as the page shows it: whether the bot is in it (and an admin), who is
        in it, and every message with who wrote it; notices like "Sam joined" as notes. A
        group made a supergroup shows the old group's messages first, as history (their
        buttons belong to the old chat, so they are not offered)."""
        chat = self.chat
        if chat is None:
            return {
                "exists": False,
                "bot_in": False,
                "admin": False,
                "supergroup": self.supergroup,
                "chat_id": self.chat_id,
                "members": [],
                "messages": [],
                "version": "0",
            }
        messages = []
        for seen in self._history():
            for message in seen.messages:
                if message.deleted or "migrate_from_chat_id" in (message.service or {}):
                    continue  # the second of Telegram's two notices says the same again
                shown = message_view(message)
                sender = message.sender.get("id")
                shown["sender"] = None if message.from_bot else names.get(sender, "Someone")
                shown["note"] = _note(message, names)
                if seen is not chat:
                    shown["buttons"], shown["earlier"] = [], True
                messages.append(shown)
        version = f"{chat.chat_id}.{len(chat.messages)}.{len(chat.events)}.{int(chat.bot_is_admin)}"
        return {
            "exists": True,
            "bot_in": not chat.bot_removed,
            "admin": chat.bot_is_admin,
            "supergroup": chat.type == "supergroup",
            "chat_id": chat.chat_id,
            "members": sorted(names.get(member, "Someone") for member in chat.members),
            "messages": messages,
            "version": version,
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
    if "migrate_to_chat_id" in service:
        return f"{who} made the group a supergroup (Telegram gives it a new id)"
    return None
