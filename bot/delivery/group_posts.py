"""Posts to linked group chats: a notice for a hub's, a region's or the whole forum's group
goes to each group linked to exactly that audience, in its topic, with a button that opens a
private chat with the bot (a deep link). Nobody answers in a group.

Queued in the caller's transaction like any message (``Outbox.post_to_groups``), so a
meeting, a reminder or a question and its group posts are written together, once."""

from __future__ import annotations

from dataclasses import dataclass, field

from storage.db import Session
from storage.group_chats import GroupChatRepository

# /start payloads a group post's button carries (handlers/shared/deep_links.py reads them):
# never an id, so nothing in them needs checking.
JOIN, MEETINGS, SAY, HELP = "join", "meetings", "say", "help"


@dataclass
class GroupPost:
    """One post to queue: which group (and topic), the text, and the private-chat button."""

    chat_id: int
    thread_id: int | None
    text_html: str
    reply_markup: dict | None


@dataclass(eq=False)
class GroupPosts:
    """Which linked groups a notice goes to, and its button; the bot's username is learnt at
    start (``know_bot``), as only Telegram's getMe tells it."""

    groups: GroupChatRepository
    button_label: str
    username: str = field(default="")

    def know_bot(self, username: str) -> None:
        """The bot's username, for the deep links."""
        self.username = username

    def link(self, payload: str) -> str:
        """The deep link that opens a private chat with the bot with ``payload``."""
        return f"https://t.me/{self.username}?start={payload}"

    async def for_audience(
        self, scope: str, place: str | None, text_html: str, payload: str, tx: Session
    ) -> list[GroupPost]:
        """The posts of one notice: one per group linked to exactly this audience."""
        markup = None
        if self.username:
            button = {"text": self.button_label, "url": self.link(payload)}
            markup = {"inline_keyboard": [[button]]}
        return [
            GroupPost(group.chat_id, group.thread_id, text_html, markup)
            for group in await self.groups.linked_to(scope, place, tx)
        ]
