"""Replaceable clocks: the emulator reads all rule-relevant time through one of these."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """What the emulator needs from a clock: a monotonic reading and a wall-clock reading."""

    def monotonic(self) -> float:
        """Return seconds on a clock that never goes backwards."""
        ...

    def time(self) -> float:
        """Return the Unix time in seconds, used for message dates."""
        ...

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (both readings)."""
        ...


class SystemClock:
    """The real clocks plus an offset, so tests and the control API can skip time forward."""

    __slots__ = ("offset",)

    def __init__(self) -> None:
        """Start with no offset."""
        self.offset = 0.0

    def monotonic(self) -> float:
        """Return ``time.monotonic()`` plus the skipped seconds."""
        return time.monotonic() + self.offset

    def time(self) -> float:
        """Return ``time.time()`` plus the skipped seconds."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Skip ``seconds`` forward."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self.offset += seconds


class ManualClock:
    """A frozen clock that only moves when :meth:`advance` is called (for deterministic tests)."""

    __slots__ = ("_mono", "_wall")

    def __init__(self, start_monotonic: float = 1_000.0, start_time: float | None = None) -> None:
        """Freeze the clock at ``start_monotonic`` and ``start_time`` (default: now)."""
        self._mono = float(start_monotonic)
        self._wall = float(time.time() if start_time is None else start_time)

    def monotonic(self) -> float:
        """Return the frozen monotonic reading."""
        return self._mono

    def time(self) -> float:
        """Return the frozen wall-clock reading."""
        return self._wall

    def advance(self, seconds: float) -> None:
        """Move both readings forward by ``seconds``."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._mono += seconds
        self._wall += seconds
