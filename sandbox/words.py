"""The sandbox page's own words about time: the bot's clock and fast-forward notes.

These are for the people reviewing the bot, not for forum members, so they live here and not in
the bot's text catalogue.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

_UNITS = (("week", 7 * 24 * 3600), ("day", 24 * 3600), ("hour", 3600), ("minute", 60))


def day_words(moment: datetime, zone: ZoneInfo) -> str:
    """Like 'Tuesday 8 December 2026', in the bot's time zone."""
    local = moment.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y}"


def clock_words(moment: datetime, zone: ZoneInfo, *, year: bool = True) -> str:
    """Like 'Tuesday 8 December 2026, 10:00' (or without the year), in the bot's time zone."""
    local = moment.astimezone(zone)
    day = f"{local:%A} {local.day} {local:%B}" + (f" {local.year}" if year else "")
    return f"{day}, {local:%H:%M}"


def time_words(moment: datetime, zone: ZoneInfo) -> str:
    """Like '10:00', in the bot's time zone."""
    return f"{moment.astimezone(zone):%H:%M}"


def duration_words(delta: timedelta) -> str:
    """Like '1 day', '2 weeks and 3 hours' or '90 seconds'."""
    seconds = round(delta.total_seconds())
    if seconds < 60 or seconds % 60:
        return _count(seconds, "second")
    parts = []
    for name, size in _UNITS:
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(_count(amount, name))
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def moved_on(delta: timedelta, now: datetime, zone: ZoneInfo) -> str:
    """The note after a fast-forward: what happened, and what time it is now for the bot."""
    return (
        f"Moved the bot's clock on by {duration_words(delta)}. "
        f"It is now {clock_words(now, zone, year=False)}. "
        "Anything the bot was due to do by then, like reminders, is being done now."
    )


def _count(amount: int, name: str) -> str:
    """'1 day', '2 days'."""
    return f"{amount} {name}" if amount == 1 else f"{amount} {name}s"
