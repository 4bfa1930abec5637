"""/leave: after a confirmation, erase everything stored about the person. The confirmation
is a button step (handlers/shared/awaiting.py): "Carry on" or typed text asks it again."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from handlers.shared import awaiting
from handlers.shared.callbacks import decode, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, say, show_key
from handlers.shared.keyboards import back_to_menu, button, with_help

STEP_CONFIRM = "leave_confirm"


async def leave(update: Update, context: ForumContext) -> None:
    """/leave: ask for confirmation before erasing."""
    await ask_confirm(update, context)


async def ask_confirm(update: Update, context: ForumContext) -> None:
    """Do you want to leave? Yes, delete / No, keep me in (as a new message)."""
    awaiting.expect(context, STEP_CONFIRM)
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
        awaiting.leave_button_step(context, STEP_CONFIRM)
        await show_key(update, context, "leave.kept", back_to_menu(context))
        return
    await context.services.members.erase(update.effective_user.id)
    context.user_data.clear()  # drafts and steps too
    await show_key(update, context, "leave.done")


def register(app: ForumApp) -> None:
    """Add /leave, its confirmation step and its buttons."""
    awaiting.define_buttons(STEP_CONFIRM, ask_confirm, "setup.use_buttons")
    app.add_handler(CommandHandler("leave", leave, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_leave, pattern("leave")))
