"""The bot's clock: real UTC time, optionally moved on (tests and the sandbox's fast-forward)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """UTC 'now' for every service; `advance` moves it forward for tests and the sandbox."""

    def __init__(self, start: datetime | None = None) -> None:
        if start is not None and start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._fixed = start
        self._offset = timedelta()

    def now(self) -> datetime:
        """The current time in UTC."""
        base = self._fixed if self._fixed is not None else datetime.now(UTC)
        return (base + self._offset).astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by delta (never backwards)."""
        if delta < timedelta():
            raise ValueError("the clock only moves forward")
        self._offset += delta

    def set(self, when: datetime) -> None:
        """Fix the clock at a moment (tests only)."""
        if when.tzinfo is None:
            raise ValueError("when must be timezone-aware")
        self._fixed = when
        self._offset = timedelta()
