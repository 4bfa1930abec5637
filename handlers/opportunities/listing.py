"""/opportunities and the menu's Opportunities button: coordinators see the running ones
(handlers/opportunities/running.py), members the open ones (answering.py); the buttons of both
are registered here."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from handlers.opportunities.answering import (
    STEP_NOTE,
    ask_note_again,
    on_member_press,
    on_note,
    show_member_list,
)
from handlers.opportunities.codes import COORDINATOR, MEMBER
from handlers.opportunities.running import on_coordinator_press, show_coordinator_list
from handlers.shared import awaiting
from handlers.shared.callbacks import pattern
from handlers.shared.common import ForumApp, ForumContext, answer, say

MENU = "opl"  # the main menu's Opportunities button


async def opportunities_command(update: Update, context: ForumContext) -> None:
    """/opportunities: coordinators see the running ones with counts; members the open ones."""
    awaiting.clear(context)
    services, user_id = context.services, update.effective_user.id
    is_coordinator = await services.roles.is_coordinator(user_id)
    if is_coordinator:
        await show_coordinator_list(update, context)
    if await services.members.get(user_id) is not None:
        await show_member_list(update, context)
    elif not is_coordinator:
        await say(update, context, "errors.not_a_member")


async def on_menu_button(update: Update, context: ForumContext) -> None:
    """The menu's Opportunities button: as /opportunities."""
    await answer(update, context)
    await opportunities_command(update, context)


def register(app: ForumApp) -> None:
    """Add /opportunities, the menu button, the note step and the opportunity buttons."""
    awaiting.define(STEP_NOTE, on_note, ask_note_again)
    app.add_handler(
        CommandHandler("opportunities", opportunities_command, filters.ChatType.PRIVATE)
    )
    app.add_handler(CallbackQueryHandler(on_menu_button, pattern(MENU)))
    app.add_handler(CallbackQueryHandler(on_member_press, pattern(MEMBER)))
    app.add_handler(CallbackQueryHandler(on_coordinator_press, pattern(COORDINATOR)))
