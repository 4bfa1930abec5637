"""The error handler: expected refusals get their kind text; anything else is logged safely.

Also the first handler of all: a button press that carries no message (one on a message sent
in inline mode) is answered as a stale button before any handler looks for its chat.
"""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import RetryAfter, TelegramError

from bot.services.errors import ServiceError
from handlers.shared import groups
from handlers.shared.callbacks import BadCallback
from handlers.shared.common import (
    ForumApp,
    ForumContext,
    PressWithoutMessage,
    answer_stale,
    send,
    without_message,
)

logger = logging.getLogger(__name__)
# Before every other group (the crisis watcher's -100, the draft keepers' -101 and -102).
NO_MESSAGE_GROUP = groups.NO_MESSAGE


async def on_error(update: object, context: ForumContext) -> None:
    """Reply kindly; log the error's type and place, never what the person wrote."""
    error = context.error
    if isinstance(error, ServiceError):
        key = error.reason
    elif isinstance(error, BadCallback):
        key = "errors.stale_choice"
    else:
        key = "errors.generic"
        update_id = update.update_id if isinstance(update, Update) else None
        if isinstance(error, RetryAfter):
            # A reply waited out Telegram's flood control as long as it may: another reply
            # now would only be held back too. The press (if any) is still answered.
            logger.warning("a reply to update %s was given up: RetryAfter", update_id)
            if isinstance(update, Update) and update.callback_query is not None:
                with contextlib.suppress(TelegramError):
                    await update.callback_query.answer()
            return
        # exc_info gives the traceback (our code's lines), not the member's message.
        logger.error(
            "handler failed on update %s: %s", update_id, type(error).__name__, exc_info=error
        )
    if without_message(update):
        assert isinstance(update, Update)
        await answer_stale(update, context)  # no chat to write in: the press is answered
        return
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    try:
        await send(context, update.effective_chat.id, context.services.texts.get(key))
    except TelegramError as exc:
        logger.warning("could not send the error reply: %s", type(exc).__name__)


def register(app: ForumApp) -> None:
    """Add the error handler, and the catcher of presses without a message."""
    app.add_handler(PressWithoutMessage(), group=NO_MESSAGE_GROUP)
    app.add_error_handler(on_error)
