"""The lane that redraws a pressed message after an answer button.

The press itself is answered at once (the "Saved" note). Redrawing the message is an edit, and
Telegram counts edits against the same limit as sends, about 30 a second for the whole bot, of
which the delivery engine takes most. So redraws wait here: one per message (a newer look
replaces one not yet drawn), paced at what is left of Telegram's limit, and drawn in the order
the messages were first pressed. A rush of answers is then answered as fast as the bot can
read it, and never trips Telegram's flood control with edits. While the engine has sent nothing
for a second (no broadcast going), the lane may use Telegram's whole limit: a survey's next
question then comes six times sooner in a rush.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import ExtBot

from bot.delivery.limiter import SendLimiter
from bot.flood import retry_after_seconds

logger = logging.getLogger(__name__)

REDRAWS = "redraws"  # the lane's key in bot_data
TELEGRAM_SENDS_PER_SECOND = 30.0  # Telegram's overall limit for one bot, edits included
MIN_REDRAWS_PER_SECOND = 5.0
NETWORK_TRIES = 3  # a redraw lost to the network is tried this many times in all
NETWORK_BACKOFF_SECONDS = 1.0

Markup = InlineKeyboardMarkup | None
Draw = Callable[[], tuple[str, Markup]]  # the message's newest look, rendered when drawn
Edit = Callable[[int, int, str, Markup], Awaitable[object]]
Send = Callable[[int, str, Markup], Awaitable[object]]


IDLE_ENGINE_SECONDS = 1.0  # the engine quiet this long: the lane may use its share


def redraw_rate(delivery_rate_per_second: float) -> float:
    """Redraws a second: what the delivery engine leaves of Telegram's limit, at least 5 (a
    429 from Telegram, should both be busy at once, pauses the lane and is retried)."""
    return max(MIN_REDRAWS_PER_SECOND, TELEGRAM_SENDS_PER_SECOND - delivery_rate_per_second)


class RedrawLane:
    """Pending redraws by (chat, message), drawn one at a time under a send limiter."""

    def __init__(
        self,
        edit: Edit,
        send: Send,
        limiter: SendLimiter,
        backoff_seconds: float = NETWORK_BACKOFF_SECONDS,
        *,
        spare: SendLimiter | None = None,
        engine_idle: Callable[[], bool] | None = None,
    ) -> None:
        """``edit`` changes a message; ``send`` posts the look afresh when it cannot be edited;
        a redraw lost to the network is tried again after ``backoff_seconds`` (then twice it).
        While ``engine_idle()`` says the delivery engine is sending nothing, draws are paced by
        ``spare`` (Telegram's whole limit) instead of ``limiter`` (what the engine leaves)."""
        self._backoff = backoff_seconds
        self._edit = edit
        self._send = send
        self._limiter = limiter
        self._spare = spare
        self._engine_idle = engine_idle
        self._latest: dict[tuple[int, int], Draw] = {}
        self._order: deque[tuple[int, int]] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        """How many messages wait to be redrawn."""
        return len(self._order)

    def redraw(self, chat_id: int, message_id: int, draw: Draw) -> None:
        """Redraw this message soon with ``draw()``; a newer call replaces one not yet drawn."""
        key = (chat_id, message_id)
        if key not in self._latest:
            self._order.append(key)
        self._latest[key] = draw
        self._wake.set()

    def start(self) -> None:
        """Start drawing (in the running event loop)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="redraw-lane")

    async def stop(self) -> None:
        """Stop drawing; redraws still waiting are dropped (the answers are already saved)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._order:
            logger.info("redraw lane stopped with %d redraws waiting", len(self._order))

    async def _run(self) -> None:
        """Draw pending messages in order, as fast as the limiter allows."""
        while True:
            if not self._order:
                self._wake.clear()
                await self._wake.wait()
                continue
            pace = self._pace()
            wait = max(self._limiter.paused_for(), pace.overall_wait())
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            key = self._order.popleft()
            draw = self._latest.pop(key)
            pace.take(key[0])
            try:
                await self._draw(key, draw)
            except Exception as exc:  # the lane must outlive any one message
                logger.warning("a redraw failed: %s", type(exc).__name__)

    def _pace(self) -> SendLimiter:
        """The limiter for the next draw: the whole limit while the engine is idle."""
        if self._spare is not None and self._engine_idle is not None and self._engine_idle():
            return self._spare
        return self._limiter

    async def _draw(self, key: tuple[int, int], draw: Draw) -> None:
        """Edit one message; on 'slow down' put it back (unless a newer look replaced it)."""
        chat_id, message_id = key
        text, markup = draw()
        for attempt in range(1, NETWORK_TRIES + 1):
            try:
                await self._edit(chat_id, message_id, text, markup)
                return
            except RetryAfter as exc:
                self._limiter.pause(retry_after_seconds(exc))
                if key not in self._latest:
                    self._latest[key] = draw
                    self._order.appendleft(key)
                return
            except BadRequest as exc:
                if "not modified" in str(exc).lower():
                    return
                # Too old to edit, or gone: post the look afresh so the member still sees it.
                await self._send(chat_id, text, markup)
                return
            except Forbidden:
                return  # the member blocked the bot; nothing to show
            except NetworkError:
                if attempt == NETWORK_TRIES:
                    raise
                await asyncio.sleep(self._backoff * attempt)


def build_redraw_lane(
    bot: ExtBot, delivery_rate_per_second: float, engine_idle_for: Callable[[], float]
) -> RedrawLane:
    """The lane for this bot: edits and fresh sends in HTML, paced by ``redraw_rate``, or by
    Telegram's whole limit once ``engine_idle_for()`` (seconds since the engine last sent, 0
    while it sends) reaches IDLE_ENGINE_SECONDS."""

    async def edit(chat_id: int, message_id: int, text: str, markup: Markup) -> object:
        """Change the pressed message."""
        return await bot.edit_message_text(
            text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            disable_web_page_preview=True,
        )

    async def send(chat_id: int, text: str, markup: Markup) -> object:
        """Post the look as a new message."""
        return await bot.send_message(
            chat_id,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            disable_web_page_preview=True,
        )

    # Each message is redrawn at most once at a time, so no pace per chat is needed here.
    limiter = SendLimiter(redraw_rate(delivery_rate_per_second), chat_interval=0.0)
    spare = SendLimiter(TELEGRAM_SENDS_PER_SECOND, chat_interval=0.0)
    return RedrawLane(
        edit,
        send,
        limiter,
        spare=spare,
        engine_idle=lambda: engine_idle_for() >= IDLE_ENGINE_SECONDS,
    )
