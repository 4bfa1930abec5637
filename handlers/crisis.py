"""The crisis safety net: answers risk words at once, in any state, by tier and kind; and the
'Help now' button."""

from __future__ import annotations

import contextlib
import re

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, MessageHandler, filters

from handlers.crisis_messages import concern_text, crisis_text
from handlers.menu import show_menu
from handlers.shared import awaiting, groups
from handlers.shared.callbacks import decode, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, send
from handlers.shared.keyboards import button, help_now, keyboard

# Runs before every other handler group, so no conversation or queue can hold it back.
CRISIS_GROUP = groups.CRISIS
# A command and nothing else ("/help", "/start@forum_bot"), or /start with a deep link's one
# word ("/start help" from a group's Help now button): never a member's words. Anything else
# written after a command is checked.
BARE_COMMAND = re.compile(
    r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{1,64})?"
    r"|/start(?:@[A-Za-z0-9_]{1,64})? [A-Za-z0-9_-]{1,64}"
)


def _ask_coordinator(context: ForumContext):
    """Ask a coordinator to get in touch: urgent, as from a crisis reply."""
    return [button(context, "buttons.ask_coordinator", "contact", "crisis")]


def _carry_on(context: ForumContext):
    """Back to the step the person was on."""
    return [button(context, "buttons.carry_on", "crisis", "back")]


def crisis_keyboard(context: ForumContext, carry_on: bool):
    """Ask a coordinator to get in touch, and carry on (or see other support)."""
    if carry_on:
        return keyboard([_ask_coordinator(context), _carry_on(context)])
    return keyboard(
        [
            _ask_coordinator(context),
            [button(context, "buttons.other_support", "menu", "support")],
            [button(context, "buttons.menu", "menu", "home")],
        ]
    )


def concern_keyboard(context: ForumContext):
    """Help now, ask a coordinator (urgent, as from a crisis reply), and carry on."""
    return keyboard([[help_now(context)], _ask_coordinator(context), _carry_on(context)])


async def watch_text(update: Update, context: ForumContext) -> None:
    """Answer free text that shows risk at once (the full reply for a crisis, the gentle one
    for distress); count the reply by tier and kind; never store or log the text."""
    message = update.effective_message
    text = message.text or message.caption or ""
    if BARE_COMMAND.fullmatch(text.strip()):
        return  # "/help", "/menu": the bot's own commands, never words of risk
    services = context.services
    verdict = await services.safety.assess(text)
    if verdict is None:
        return
    chat_id = update.effective_chat.id
    if verdict.is_crisis:
        reply = crisis_text(services.texts, verdict)
        await send(context, chat_id, reply, crisis_keyboard(context, carry_on=True))
    else:
        await send(context, chat_id, concern_text(services.texts), concern_keyboard(context))
    await services.safety.count_reply(verdict)
    raise ApplicationHandlerStop


async def on_help_now(update: Update, context: ForumContext) -> None:
    """The 'Help now' button on every menu."""
    await answer(update, context)
    decode(update.callback_query.data, "help")
    reply = crisis_text(context.services.texts)
    in_a_step = await awaiting.find(update, context) is not None
    await send(
        context, update.effective_chat.id, reply, crisis_keyboard(context, carry_on=in_a_step)
    )


async def on_carry_on(update: Update, context: ForumContext) -> None:
    """Go back to what the person was doing: ask again for the step, or show the menu."""
    await answer(update, context)
    decode(update.callback_query.data, "crisis")
    # Taking the buttons off is tidy, not needed: a refusal (flood control, an old message)
    # must never stop the person getting their question back.
    with contextlib.suppress(TelegramError):
        await update.callback_query.edit_message_reply_markup(None)
    if not await awaiting.prompt_again(update, context):
        await show_menu(update, context, edit=False)


def register(app: ForumApp) -> None:
    """Add the crisis watcher first of all, and its buttons."""
    private_text = filters.ChatType.PRIVATE & (filters.TEXT | filters.CAPTION)
    app.add_handler(MessageHandler(private_text, watch_text), group=CRISIS_GROUP)
    app.add_handler(CallbackQueryHandler(on_help_now, pattern("help")))
    app.add_handler(CallbackQueryHandler(on_carry_on, pattern("crisis")))
