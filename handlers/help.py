"""/help: what the bot does and its commands."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from handlers import awaiting
from handlers.common import ForumApp, ForumContext, say
from handlers.keyboards import back_to_menu


async def help_command(update: Update, context: ForumContext) -> None:
    """Explain the bot; coordinators also see their commands."""
    awaiting.clear(context)
    await say(update, context, "help.member", back_to_menu(context))
    if await context.services.roles.is_coordinator(update.effective_user.id):
        await say(update, context, "help.coordinator")


def register(app: ForumApp) -> None:
    """Add /help."""
    app.add_handler(CommandHandler("help", help_command, filters.ChatType.PRIVATE))
