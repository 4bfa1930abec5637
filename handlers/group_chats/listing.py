"""/groups: the coordinators' list of group chats the bot is or was in, and where each is
linked (private chat only)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from handlers.group_chats.words import place_words
from handlers.shared.common import ForumApp, ForumContext, send
from storage.group_chats import LINKED, PRESENT


async def groups_command(update: Update, context: ForumContext) -> None:
    """List the groups for a coordinator (the service checks the role)."""
    services = context.services
    texts = services.texts
    groups = await services.group_chats.listing(update.effective_user.id)
    if not groups:
        await send(context, update.effective_chat.id, texts.get("group_chats.list_none"))
        return
    lines = [texts.get("group_chats.list_title")]
    for group in groups:
        if group.state == LINKED:
            lines.append(
                texts.get(
                    "group_chats.list_linked",
                    group=group.title,
                    place=place_words(services, group.scope, group.place),
                    topic=texts.plain("group_chats.list_topic") if group.thread_id else "",
                    admin=texts.plain("group_chats.list_admin") if group.bot_is_admin else "",
                )
            )
        elif group.state == PRESENT:
            lines.append(texts.get("group_chats.list_present", group=group.title))
        else:
            lines.append(texts.get("group_chats.list_removed", group=group.title))
    lines.append(texts.get("group_chats.list_help"))
    await send(context, update.effective_chat.id, "\n".join(lines))


def register(app: ForumApp) -> None:
    """Add /groups (private chat)."""
    app.add_handler(CommandHandler("groups", groups_command, filters.ChatType.PRIVATE))
