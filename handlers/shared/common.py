"""Shared handler plumbing: typed context, sending catalogue texts (split to fit, and patient
with Telegram's flood control), answering presses, presses that carry no message, and one
person's presses handled in order (a press delivered twice counts once)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import TypeVar

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseHandler,
    BaseUpdateProcessor,
    CallbackContext,
    ExtBot,
)

from bot.flood import retry_after_seconds
from bot.services.registry import Services
from bot.services.roles import COORDINATOR, READER
from bot.texts import Texts
from bot.textsplit import TELEGRAM_LIMIT, split_text, visible_units
from handlers.shared.callbacks import Callback, decode
from handlers.shared.redraw import REDRAWS, RedrawLane


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

T = TypeVar("T")

# A reply held back by Telegram's flood control (a 429 with retry_after) waits and tries again,
# for at most this long in all; then it gives up (RetryAfter reaches the error handler, which
# logs its type only).
MAX_REPLY_WAIT_SECONDS = 10.0
logger = logging.getLogger(__name__)


class Patience:
    """The waiting one reply has done for Telegram's flood control (shared by its parts)."""

    __slots__ = ("waited",)

    def __init__(self) -> None:
        self.waited = 0.0


async def patiently(call: Callable[[], Awaitable[T]], patience: Patience | None = None) -> T:
    """Make a call to Telegram; while it says 'slow down', wait as asked and try again, up to
    MAX_REPLY_WAIT_SECONDS of waiting in all (for the reply ``patience`` follows, when given),
    so a reply to one person is late rather than lost."""
    patience = patience or Patience()
    while True:
        try:
            return await call()
        except RetryAfter as exc:
            wait = retry_after_seconds(exc)
            if patience.waited + wait > MAX_REPLY_WAIT_SECONDS:
                logger.warning(
                    "a reply gave up after %.0f s: %s", patience.waited, type(exc).__name__
                )
                raise
            patience.waited += wait
            await asyncio.sleep(wait)


def role_words(texts: Texts, role: str) -> str:
    """A role in words: "coordinator", "decision-maker" or "reader"."""
    if role == READER:
        return texts.plain("roles.reader")
    return texts.plain("roles.coordinator" if role == COORDINATOR else "roles.decision_maker")


async def send(
    context: ForumContext,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    thread_id: int | None = None,
) -> Message:
    """Send HTML text, split if it is too long; the buttons go on the last part. In a group
    with topics, ``thread_id`` is the topic it goes in."""
    parts = split_text(text)
    message: Message | None = None
    patience = Patience()
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        message = await patiently(
            lambda part=part, last=last: context.bot.send_message(
                chat_id,
                part,
                parse_mode=ParseMode.HTML,
                reply_markup=markup if last else None,
                disable_web_page_preview=True,
                message_thread_id=thread_id,
            ),
            patience,
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
    """Send a catalogue text to the chat this update came from (in a group with topics, to
    the topic it came from)."""
    text = context.services.texts.get(key, **values)
    message = update.effective_message
    thread = message.message_thread_id if message and message.is_topic_message else None
    return await send(context, update.effective_chat.id, text, markup, thread_id=thread)


async def show(
    update: Update,
    context: ForumContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Replace the pressed message's text (for button presses), or send a new message (split
    if it is too long for one)."""
    query = update.callback_query
    if query is not None and query.message is not None and _fits(text):
        try:
            await patiently(
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


Card = tuple[str, InlineKeyboardMarkup | None]


@dataclass(frozen=True)
class Listing:
    """How a list sent as one message per item reads (catalogue keys): its header, what is
    said when it is empty (None: nothing), how many items at most, and the note when some
    were left out."""

    header: str
    empty: str | None = None
    limit: int | None = None
    more: str | None = None


async def send_each(
    update: Update,
    context: ForumContext,
    listing: Listing,
    items: Sequence[T],
    card: Callable[[T], Awaitable[Card]],
) -> None:
    """A list as ``listing`` says, each item as one message with its own buttons (``card``)."""
    if not items:
        if listing.empty is not None:
            await say(update, context, listing.empty)
        return
    await say(update, context, listing.header)
    for item in items[: listing.limit]:
        text, markup = await card(item)
        await send(context, update.effective_chat.id, text, markup)
    if listing.more is not None and len(items) > len(items[: listing.limit]):
        await say(update, context, listing.more)


def _fits(text: str) -> bool:
    """Whether a text fits in one message as Telegram counts it."""
    return len(text) <= TELEGRAM_LIMIT or visible_units(text) <= TELEGRAM_LIMIT


async def answer(update: Update, context: ForumContext, key: str | None = None) -> None:
    """Answer a button press at once (with a short catalogue note, or silently)."""
    query = update.callback_query
    if query is None:
        return
    text = context.services.texts.plain(key) if key else None
    # Too old to answer (or answered already, for a press delivered twice): the press is
    # still handled, the spinner just times out.
    with contextlib.suppress(BadRequest):
        await patiently(lambda: query.answer(text))


# A press on a message the bot never sees


async def coordinator_press(
    update: Update, context: ForumContext, action: str, permission: str
) -> Callback:
    """Answer a coordinator's button press, read its callback data and check the role again
    (NotAllowed for anyone else; BadCallback for data that is not this action's)."""
    await answer(update, context)
    callback = decode(update.callback_query.data, action)
    await context.services.roles.require_coordinator(update.effective_user.id, permission)
    return callback


def without_message(update: object) -> bool:
    """A button press that carries no message: one on a message sent in inline mode (through
    another chat), where ``callback_query.message`` is None. The bot sends no such messages, so
    the press is from a stale or forged button, and there is no chat to answer in."""
    return (
        isinstance(update, Update)
        and update.callback_query is not None
        and update.callback_query.message is None
    )


async def answer_stale(update: Update, context: ForumContext) -> None:
    """Answer a press with the stale-button text, on the press itself (no chat is needed)."""
    query = update.callback_query
    if query is None:
        return
    text = context.services.texts.plain("errors.stale_choice")
    with contextlib.suppress(TelegramError):
        await patiently(lambda: query.answer(text, show_alert=True))


class PressWithoutMessage(BaseHandler[Update, ForumContext, None]):
    """Catches every press without a message before any other handler (which all reply in the
    press's chat): it is answered as a stale button, and nothing else runs."""

    def __init__(self) -> None:
        super().__init__(self._stale)

    def check_update(self, update: object) -> bool:
        """Only presses without a message."""
        return without_message(update)

    @staticmethod
    async def _stale(update: Update, context: ForumContext) -> None:
        """Answer it kindly and stop."""
        await answer_stale(update, context)
        raise ApplicationHandlerStop


# One person's presses in order

SEEN_PRESSES = 4096  # callback query ids remembered, to leave a press delivered again alone
LEFT_ALONE = "a press delivered again was left alone (update %s)"


class PressesInOrder(BaseUpdateProcessor):
    """Updates are handled concurrently, except one person's button presses: those are handled
    one at a time, in the order they came. A second press (a double tap) then always finds the
    first one's work done and its draft taken, as a later press would, instead of racing it
    between two awaits. The same press delivered again (the same callback query id, as when an
    update is sent twice) is not handled again at all. Messages (and so the crisis watcher)
    never wait for presses."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._people: dict[int, tuple[asyncio.Lock, list[int]]] = {}
        self._seen: set[str] = set()
        self._seen_order: deque[str] = deque()

    def _again(self, query_id: str) -> bool:
        """Whether this press was seen already (remembering the last SEEN_PRESSES)."""
        if query_id in self._seen:
            return True
        self._seen.add(query_id)
        self._seen_order.append(query_id)
        if len(self._seen_order) > SEEN_PRESSES:
            self._seen.discard(self._seen_order.popleft())
        return False

    async def do_process_update(self, update: object, coroutine: Awaitable[object]) -> None:
        """Handle the update, after this person's earlier presses when it is a press."""
        query = update.callback_query if isinstance(update, Update) else None
        if query is None or query.from_user is None:
            await coroutine
            return
        if self._again(query.id):
            logger.info(LEFT_ALONE, update.update_id)
            if isinstance(coroutine, Coroutine):
                coroutine.close()  # never started: nothing of it runs
            return
        person = query.from_user.id
        entry = self._people.get(person)
        if entry is None:
            entry = self._people[person] = (asyncio.Lock(), [0])
        lock, waiting = entry
        waiting[0] += 1
        try:
            async with lock:
                await coroutine
        finally:
            waiting[0] -= 1
            if not waiting[0]:
                del self._people[person]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""
