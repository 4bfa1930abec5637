"""The error handler: expected refusals get their kind text; anything else is logged safely."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import TelegramError

from bot.services.errors import ServiceError
from handlers.callbacks import BadCallback
from handlers.common import ForumApp, ForumContext, send

logger = logging.getLogger(__name__)


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
        # exc_info gives the traceback (our code's lines), not the member's message.
        logger.error(
            "handler failed on update %s: %s", update_id, type(error).__name__, exc_info=error
        )
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
    """Add the error handler."""
    app.add_error_handler(on_error)
