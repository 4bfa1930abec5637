"""No wrong door: text for a waiting step goes there; a hello or a thank you gets a friendly
reply; anything else gets a kind reply. Each comes with the menu."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.small_talk import small_talk
from handlers.shared import awaiting
from handlers.shared.common import ForumApp, ForumContext, answer, say
from handlers.shared.keyboards import main_menu


async def on_anything(update: Update, context: ForumContext) -> None:
    """Give free text to a waiting step, answer a hello or a thank you, or say what the bot
    can do; each with the menu."""
    message = update.effective_message
    if (
        message.text
        and not message.text.startswith("/")
        and await awaiting.take_text(update, context, message.text)
    ):
        return
    if not message.text and await awaiting.take_other(update, context):
        return  # a photo or sticker where a button was expected: the question again
    member = await context.services.members.get(update.effective_user.id)
    is_member = member is not None and member.setup_done
    menu = main_menu(context, is_member)
    talk = small_talk(message.text) if message.text and not message.text.startswith("/") else None
    if talk is not None and member is not None and is_member:
        await say(update, context, f"fallback.{talk}_member", menu, name=member.first_name)
        return
    if talk is not None:
        await say(update, context, f"fallback.{talk}_visitor", menu)
        return
    key = "fallback.member" if is_member else "fallback.visitor"
    await say(update, context, key, menu)


async def on_unknown_button(update: Update, context: ForumContext) -> None:
    """A button no handler knows (old, or forged): answer it and say it is out of date."""
    await answer(update, context)
    await say(update, context, "errors.stale_choice")


async def in_group(update: Update, context: ForumContext) -> None:
    """Commands in a group: point people to a private chat, where the bot works."""
    await say(update, context, "fallback.group")


def register(app: ForumApp) -> None:
    """Add the catch-alls; registered last so every other handler goes first."""
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE, on_anything))
    app.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, in_group))
    app.add_handler(CallbackQueryHandler(on_unknown_button))
