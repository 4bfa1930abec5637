"""/help: what the bot does and its commands."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.services.roles import COORDINATOR, DECISION_MAKER, READER
from handlers.shared import awaiting
from handlers.shared.common import ForumApp, ForumContext, say
from handlers.shared.keyboards import back_to_menu


async def help_command(update: Update, context: ForumContext) -> None:
    """Explain the bot; coordinators and decision-makers also see their commands."""
    awaiting.clear(context)
    await say(update, context, "help.member", back_to_menu(context))
    roles = await context.services.roles.roles_of(update.effective_user.id)
    if COORDINATOR in roles:
        await say(update, context, "help.coordinator")
    elif DECISION_MAKER in roles:
        await say(update, context, "help.decision_maker")
    if READER in roles and COORDINATOR not in roles:
        await say(update, context, "progression.help_reader")


def register(app: ForumApp) -> None:
    """Add /help."""
    app.add_handler(CommandHandler("help", help_command, filters.ChatType.PRIVATE))
