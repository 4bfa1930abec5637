"""The crisis net in a group where the bot is an admin (so it sees every message): on crisis
words it writes to that person in private if it can, and posts in the group only a short line
that names nobody and points to "Help now" in private, at most once every few minutes per
group. Nothing of the message is stored or counted."""

from __future__ import annotations

import contextlib
import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import MessageHandler, filters

from bot.delivery.group_posts import HELP
from handlers.crisis import crisis_keyboard
from handlers.crisis_messages import crisis_text
from handlers.shared import deep_links, groups
from handlers.shared.common import ForumApp, ForumContext

GROUP_LINE_GAP = 10 * 60.0  # seconds between the group's "help is here" lines
_LAST_LINE = "group_crisis_lines"  # bot_data: group chat id -> monotonic time of the last line


async def watch_group(update: Update, context: ForumContext) -> None:
    """Crisis words in a group: the full reply in private (if the person has opened the bot),
    and one short line in the group that names nobody."""
    message = update.effective_message
    text = message.text or message.caption or ""
    if not text or text.startswith("/"):
        return
    services = context.services
    verdict = await services.safety.assess(text)
    if verdict is None or not verdict.is_crisis:
        return
    reply = (
        services.texts.get("group_chats.crisis_private")
        + "\n\n"
        + crisis_text(services.texts, verdict)
    )
    with contextlib.suppress(TelegramError):  # someone who never opened the bot: 403
        await context.bot.send_message(
            update.effective_user.id,
            reply,
            parse_mode=ParseMode.HTML,
            reply_markup=crisis_keyboard(context, carry_on=False),
        )
    if not _line_due(context, update.effective_chat.id):
        return
    label = services.texts.plain("buttons.help_now")
    url = deep_links.link(context.bot.username, HELP)
    with contextlib.suppress(TelegramError):
        await context.bot.send_message(
            update.effective_chat.id,
            services.texts.get("group_chats.crisis_line"),
            parse_mode=ParseMode.HTML,
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton(label, url=url)]]),
            message_thread_id=message.message_thread_id if message.is_topic_message else None,
        )


def _line_due(context: ForumContext, chat_id: int) -> bool:
    """Whether the group may have its line now (not within GROUP_LINE_GAP of the last)."""
    last = context.application.bot_data.setdefault(_LAST_LINE, {})
    now = time.monotonic()
    if now - last.get(chat_id, -GROUP_LINE_GAP) < GROUP_LINE_GAP:
        return False
    last[chat_id] = now
    return True


def register(app: ForumApp) -> None:
    """Watch group text before any other handler (it never stops an update)."""
    group_text = filters.ChatType.GROUPS & (filters.TEXT | filters.CAPTION)
    app.add_handler(MessageHandler(group_text, watch_group), group=groups.CRISIS)
