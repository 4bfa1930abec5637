"""Shared handler plumbing: typed context, sending catalogue texts, buttons and splitting."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter
from telegram.ext import Application, CallbackContext, ExtBot

from bot.flood import retry_after_seconds
from bot.services.registry import Services
from bot.textsplit import split_text
from handlers.callbacks import encode
from handlers.redraw import REDRAWS, RedrawLane


class ForumContext(CallbackContext[ExtBot, dict, dict, dict]):
    """PTB's context with typed access to the services."""

    @property
    def services(self) -> Services:
        """The services built by the composition root."""
        return self.application.bot_data["services"]

    @property
    def redraws(self) -> RedrawLane:
        """The lane that redraws pressed messages after an answer."""
        return self.application.bot_data[REDRAWS]


ForumApp = Application[ExtBot, ForumContext, dict, dict, dict, object]

Row = Sequence[InlineKeyboardButton]
T = TypeVar("T")

# A reply held back by Telegram's flood control waits this long at most before one retry.
MAX_REPLY_WAIT_SECONDS = 5.0


async def _patiently(call: Callable[[], Awaitable[T]]) -> T:
    """Make a call; if Telegram says 'slow down' briefly, wait and try once more."""
    try:
        return await call()
    except RetryAfter as exc:
        wait = retry_after_seconds(exc)
        if wait > MAX_REPLY_WAIT_SECONDS:
            raise
        await asyncio.sleep(wait)
        return await call()


def button(context: ForumContext, key: str, action: str, *args: object) -> InlineKeyboardButton:
    """A button whose label comes from the catalogue and whose data is encoded."""
    label = context.services.texts.plain(key)
    return InlineKeyboardButton(label, callback_data=encode(action, *args))


def labelled(label: str, action: str, *args: object) -> InlineKeyboardButton:
    """A button with a label made from data (a region or hub name, a need)."""
    return InlineKeyboardButton(label, callback_data=encode(action, *args))


def keyboard(rows: Sequence[Row]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of buttons."""
    return InlineKeyboardMarkup([list(row) for row in rows])


async def send(
    context: ForumContext,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> Message:
    """Send HTML text, split if it is too long; the buttons go on the last part."""
    parts = split_text(text)
    message: Message | None = None
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        message = await _patiently(
            lambda part=part, last=last: context.bot.send_message(
                chat_id,
                part,
                parse_mode=ParseMode.HTML,
                reply_markup=markup if last else None,
                disable_web_page_preview=True,
            )
        )
    assert message is not None
    return message


async def say(
    update: Update,
    context: ForumContext,
    key: str,
    markup: InlineKeyboardMarkup | None = None,
    /,
    **values: object,
) -> Message:
    """Send a catalogue text to the chat this update came from."""
    text = context.services.texts.get(key, **values)
    return await send(context, update.effective_chat.id, text, markup)


async def show(
    update: Update,
    context: ForumContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Replace the pressed message's text (for button presses), or send a new message."""
    query = update.callback_query
    if query is not None and query.message is not None and len(text) <= 4096:
        try:
            await _patiently(
                lambda: query.edit_message_text(
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    disable_web_page_preview=True,
                )
            )
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            # The message may be too old to edit or gone; send a fresh one instead.
    await send(context, update.effective_chat.id, text, markup)


async def show_key(
    update: Update,
    context: ForumContext,
    key: str,
    markup: InlineKeyboardMarkup | None = None,
    /,
    **values: object,
) -> None:
    """Like show, for one catalogue text."""
    await show(update, context, context.services.texts.get(key, **values), markup)


async def answer(update: Update, context: ForumContext, key: str | None = None) -> None:
    """Answer a button press at once (with a short catalogue note, or silently)."""
    query = update.callback_query
    if query is None:
        return
    text = context.services.texts.plain(key) if key else None
    # Too old to answer: the press is still handled, the spinner just times out.
    with contextlib.suppress(BadRequest):
        await query.answer(text)
