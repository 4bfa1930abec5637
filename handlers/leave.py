"""/leave: after a confirmation, erase everything stored about the person."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from handlers import awaiting
from handlers.callbacks import decode, pattern
from handlers.common import ForumApp, ForumContext, answer, button, say, show_key
from handlers.keyboards import back_to_menu, with_help


async def leave(update: Update, context: ForumContext) -> None:
    """Ask for confirmation before erasing."""
    awaiting.clear(context)
    markup = with_help(
        context,
        [
            [button(context, "buttons.leave_yes", "leave", "yes")],
            [button(context, "buttons.leave_no", "leave", "no")],
        ],
    )
    await say(update, context, "leave.confirm", markup)


async def on_leave(update: Update, context: ForumContext) -> None:
    """Erase on 'yes'; keep everything on 'no'."""
    await answer(update, context)
    choice = decode(update.callback_query.data, "leave").arg(0)
    if choice != "yes":
        await show_key(update, context, "leave.kept", back_to_menu(context))
        return
    await context.services.members.erase(update.effective_user.id)
    context.user_data.clear()
    await show_key(update, context, "leave.done")


def register(app: ForumApp) -> None:
    """Add /leave and its confirmation buttons."""
    app.add_handler(CommandHandler("leave", leave, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_leave, pattern("leave")))
