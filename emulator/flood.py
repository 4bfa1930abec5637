"""Telegram-style flood control: token buckets overall, per private chat and per group."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

from .clock import Clock


@dataclass(frozen=True, slots=True)
class FloodLimits:
    """The limits in force; ``enabled=False`` switches flood control off entirely."""

    enabled: bool = True
    global_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 3
    per_group_per_minute: float = 20.0

    def as_dict(self) -> dict[str, Any]:
        """Return the limits as a JSON-ready dict."""
        return asdict(self)


class _Bucket:
    """A token bucket holding at most ``capacity`` tokens, refilled at ``rate`` per second."""

    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, capacity: float, rate: float, now: float) -> None:
        """Create a full bucket."""
        self.capacity = capacity
        self.rate = rate
        self.tokens = capacity
        self.stamp = now

    def wait(self, now: float) -> float:
        """Refill, then return how long until a token is available (0 if one is)."""
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
        if self.tokens >= 1.0:
            return 0.0
        return (1.0 - self.tokens) / self.rate


class FloodControl:
    """Decides whether a send to a chat may go through now, or how long the bot must wait."""

    def __init__(self, clock: Clock, limits: FloodLimits | None = None) -> None:
        """Start with full buckets under ``limits`` (Telegram's defaults if omitted)."""
        self.clock = clock
        self.limits = limits or FloodLimits()
        self._global: _Bucket | None = None
        self._chats: dict[int, _Bucket] = {}

    def set_limits(self, **changes: Any) -> FloodLimits:
        """Change some limits (fields of :class:`FloodLimits`) and start from full buckets."""
        self.limits = replace(self.limits, **changes)
        self.reset()
        return self.limits

    def reset(self) -> None:
        """Forget all usage so every bucket is full again."""
        self._global = None
        self._chats.clear()

    def check(self, chat_id: int, is_group: bool) -> int | None:
        """Consume one send for ``chat_id``; return None if allowed, else retry_after seconds."""
        limits = self.limits
        if not limits.enabled:
            return None
        now = self.clock.monotonic()
        overall = self._global
        if overall is None:
            rate = limits.global_per_second
            overall = self._global = _Bucket(max(1.0, rate), rate, now)
        chat = self._chats.get(chat_id)
        if chat is None:
            if is_group:
                rate = limits.per_group_per_minute / 60.0
                chat = _Bucket(max(1.0, limits.per_group_per_minute), rate, now)
            else:
                rate = limits.per_chat_per_second
                chat = _Bucket(max(1.0, float(limits.per_chat_burst)), rate, now)
            self._chats[chat_id] = chat
        wait = max(chat.wait(now), overall.wait(now))
        if wait > 0.0:
            return max(1, math.ceil(wait))
        chat.tokens -= 1.0
        overall.tokens -= 1.0
        return None
