"""The bot's own place in groups (added, made admin, removed: Telegram's my_chat_member),
newcomers to a linked group (invited to join in private, or one welcome a day in the group),
and a group that became a supergroup (its link follows the new id). Nothing about the people
in a group is stored."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ChatMemberHandler, MessageHandler, filters

from bot.services.group_chats import IN_GROUP
from handlers.group_chats.words import invitation, join_markup
from handlers.shared.common import ForumApp, ForumContext
from storage.group_chats import REMOVED

logger = logging.getLogger(__name__)


async def on_bot_status(update: Update, context: ForumContext) -> None:
    """The bot was added to, promoted in, demoted in or removed from a group."""
    change = update.my_chat_member
    chat = change.chat
    if chat.type not in ("group", "supergroup"):
        return  # a private chat: someone blocked or unblocked the bot (the engine sees that)
    status = change.new_chat_member.status
    actor = change.from_user.id if change.from_user else None
    before = await context.services.group_chats.bot_status(
        chat.id, chat.title or "", chat.type, status, actor
    )
    newly_here = status in IN_GROUP and (before is None or before.state == REMOVED)
    if newly_here:
        # A hello saying what happens next; a group that does not let the bot post is fine.
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(
                chat.id, context.services.texts.get("group_chats.hello"), parse_mode=ParseMode.HTML
            )


async def on_newcomers(update: Update, context: ForumContext) -> None:
    """People joined a group: those not in the forum are invited (in private if they have
    opened the bot, else one welcome a day in a linked group)."""
    message = update.effective_message
    people = [user.id for user in message.new_chat_members if not user.is_bot]
    if not people:
        return
    services = context.services
    chat = update.effective_chat
    plan = await services.group_chats.newcomers(
        chat.id, people, invitation(context, chat.title or "")
    )
    if plan.welcome_in_group:
        group = await services.group_chats.get(update.effective_chat.id)
        thread = group.thread_id if group is not None else None
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(
                update.effective_chat.id,
                services.texts.get("group_chats.welcome"),
                parse_mode=ParseMode.HTML,
                reply_markup=join_markup(context),
                message_thread_id=thread,
            )


async def on_moved(update: Update, context: ForumContext) -> None:
    """A group became a supergroup: Telegram says so in the old group and in the new one."""
    message = update.effective_message
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    else:
        old, new = message.migrate_from_chat_id, message.chat.id
    if await context.services.group_chats.moved(old, new):
        logger.info("a linked group moved to a supergroup")


def register(app: ForumApp) -> None:
    """Add the bot-status, newcomer and moved handlers (groups only)."""
    groups = filters.ChatType.GROUPS
    app.add_handler(ChatMemberHandler(on_bot_status, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(groups & filters.StatusUpdate.NEW_CHAT_MEMBERS, on_newcomers))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_moved))
