"""The engine's own send limiter: an overall rate, a pace per chat and per group, and pauses.

It never waits by itself: the worker asks how long until a send may start and sleeps on its
own, so a chat that must wait never holds back sends to other chats. Replies to members use
the Application's bot, which this limiter does not touch.

The overall rate is a GCRA (generic cell rate algorithm) schedule: sends are spaced 1/rate
apart; a send that starts late lets the next ones catch up by at most ``slack`` sends, so the
long-run rate is exactly the configured one and any burst is at most 1 + slack sends.
"""

from __future__ import annotations

import time
from collections.abc import Callable

PRIVATE_CHAT_INTERVAL = 1.0  # Telegram: about one message a second to one chat
GROUP_INTERVAL = 60.0 / 20  # Telegram: at most 20 messages a minute to one group
FORGET_AFTER = 60.0  # chats quiet this long are dropped from memory


class SendLimiter:
    """Decides when the next send may start; all times are monotonic seconds."""

    def __init__(
        self,
        rate_per_second: float | None,
        *,
        slack: int = 2,
        chat_interval: float = PRIVATE_CHAT_INTERVAL,
        group_interval: float = GROUP_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_per_second is not None and rate_per_second <= 0:
            raise ValueError("the rate must be above 0 (or None for no overall limit)")
        self._interval = 1.0 / rate_per_second if rate_per_second else 0.0
        self._slack = self._interval * slack
        self._chat_interval = chat_interval
        self._group_interval = group_interval
        self._clock = clock
        self._next_overall = 0.0
        self._next_chat: dict[int, float] = {}
        self._paused_until = 0.0
        self._last_sweep = 0.0

    @property
    def rate_per_second(self) -> float | None:
        """The overall rate, or None when there is no overall limit."""
        return 1.0 / self._interval if self._interval else None

    def now(self) -> float:
        """The limiter's clock."""
        return self._clock()

    def pause(self, seconds: float) -> None:
        """Hold every send for this long (Telegram's retry_after, or a backoff)."""
        self._paused_until = max(self._paused_until, self._clock() + max(0.0, seconds))

    def paused_for(self) -> float:
        """Seconds left of a pause (0 when not paused)."""
        return max(0.0, self._paused_until - self._clock())

    def overall_wait(self) -> float:
        """Seconds until the overall rate allows another send."""
        if not self._interval:
            return 0.0
        return max(0.0, self._next_overall - self._clock())

    def available(self) -> int:
        """How many sends the overall rate allows to start right now."""
        if not self._interval:
            return 1_000_000
        now = self._clock()
        if self._next_overall > now:
            return 0
        base = max(self._next_overall, now - self._slack)
        return 1 + int((now - base + 1e-9) // self._interval)

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until this chat may get another message."""
        return max(0.0, self._next_chat.get(chat_id, 0.0) - self._clock())

    def take(self, chat_id: int) -> None:
        """Record a send starting now to this chat."""
        now = self._clock()
        if self._interval:
            self._next_overall = max(self._next_overall, now - self._slack) + self._interval
        gap = self._group_interval if chat_id < 0 else self._chat_interval
        self._next_chat[chat_id] = now + gap
        if now - self._last_sweep > FORGET_AFTER:
            self._sweep(now)

    def _sweep(self, now: float) -> None:
        """Forget chats whose wait is long over, so memory stays small."""
        self._last_sweep = now
        self._next_chat = {chat: at for chat, at in self._next_chat.items() if at > now}
