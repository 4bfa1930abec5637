"""How group chats read: where a group is linked, the renderer of the messages the group
service queues, and replies posted in the group's own topic."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery.audience import EVERYONE, Audience
from bot.services.group_chats import GroupChat
from bot.services.registry import Services
from bot.texts import Texts
from handlers.shared import deep_links
from handlers.shared.common import ForumContext


def place_words(services: Services, scope: str | None, place: str | None) -> str:
    """Where a group is linked: "the whole forum", a region or a hub, by name."""
    if scope in (None, EVERYONE):
        return services.texts.plain("group_chats.place_everyone")
    return services.group_chats.place_words(scope, place) or place or ""


def join_link(bot_username: str) -> str:
    """The deep link that opens a private chat with the bot, ready to join."""
    return deep_links.link(bot_username, deep_links.JOIN)


class GroupChatTexts:
    """The messages the group service queues, from the catalogue."""

    def __init__(self, texts: Texts) -> None:
        self._texts = texts

    def removed(self, group: GroupChat) -> str:
        """To coordinators: a linked group removed the bot."""
        return self._texts.get("group_chats.removed", group=group.title)


def invitation(context: ForumContext, group_title: str) -> tuple[str, dict]:
    """To someone who joined a linked group and has opened the bot: a private invitation to
    join, with a button that opens the bot ready to join."""
    texts = context.services.texts
    label = texts.plain("group_chats.invite_button")
    markup = {"inline_keyboard": [[{"text": label, "url": join_link(context.bot.username)}]]}
    return texts.get("group_chats.invite", group=group_title), markup


def join_markup(context: ForumContext) -> InlineKeyboardMarkup:
    """The "Join the forum" button that opens a private chat with the bot."""
    label = context.services.texts.plain("group_chats.join_button")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, url=join_link(context.bot.username))]]
    )


async def preview_line(context: ForumContext, audience: Audience) -> str:
    """For a check before sending: " It will also be posted in 2 group chats…" when groups
    are linked to this audience, else nothing."""
    linked = await context.services.group_chats.linked_to(audience.scope, audience.place_id)
    if not linked:
        return ""
    return " " + context.services.texts.plain("group_chats.preview_line", groups=linked)
