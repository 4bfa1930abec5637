"""The crisis safety net: answers risk words at once, in any state, and the 'Help now' button."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, MessageHandler, filters

from handlers import awaiting
from handlers.callbacks import decode, pattern
from handlers.common import ForumApp, ForumContext, answer, button, keyboard, say
from handlers.menu import show_menu

# Runs before every other handler group, so no conversation or queue can hold it back.
CRISIS_GROUP = -100


def crisis_keyboard(context: ForumContext, carry_on: bool):
    """Ask a coordinator to get in touch, and carry on (or see other support)."""
    rows = [[button(context, "buttons.ask_coordinator", "contact", "crisis")]]
    if carry_on:
        rows.append([button(context, "buttons.carry_on", "crisis", "back")])
    else:
        rows.append([button(context, "buttons.other_support", "menu", "support")])
        rows.append([button(context, "buttons.menu", "menu", "home")])
    return keyboard(rows)


async def watch_text(update: Update, context: ForumContext) -> None:
    """Reply with crisis lines when free text shows risk; never store or log the text."""
    message = update.effective_message
    text = message.text or message.caption or ""
    if context.services.safety.check(text) is None:
        return
    await say(update, context, "crisis.reply", crisis_keyboard(context, carry_on=True))
    await context.services.safety.count_reply()
    raise ApplicationHandlerStop


async def on_help_now(update: Update, context: ForumContext) -> None:
    """The 'Help now' button on every menu."""
    await answer(update, context)
    decode(update.callback_query.data, "help")
    await say(update, context, "crisis.reply", crisis_keyboard(context, carry_on=False))


async def on_carry_on(update: Update, context: ForumContext) -> None:
    """Go back to what the person was doing: ask again for the step, or show the menu."""
    await answer(update, context)
    decode(update.callback_query.data, "crisis")
    await update.callback_query.edit_message_reply_markup(None)
    if not await awaiting.prompt_again(update, context):
        await show_menu(update, context, edit=False)


def register(app: ForumApp) -> None:
    """Add the crisis watcher first of all, and its buttons."""
    private_text = filters.ChatType.PRIVATE & (filters.TEXT | filters.CAPTION)
    app.add_handler(MessageHandler(private_text, watch_text), group=CRISIS_GROUP)
    app.add_handler(CallbackQueryHandler(on_help_now, pattern("help")))
    app.add_handler(CallbackQueryHandler(on_carry_on, pattern("crisis")))
