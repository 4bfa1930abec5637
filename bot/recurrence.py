"""When a repeating meeting comes round again, keeping its local clock time across clock
changes: every week, every two weeks, or the same weekday of the month (the first Tuesday,
say; a fifth weekday becomes the month's last)."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

WEEKLY, FORTNIGHTLY, MONTHLY = "weekly", "fortnightly", "monthly"
RULES = (WEEKLY, FORTNIGHTLY, MONTHLY)


def next_start(previous: datetime, rule: str, zone: ZoneInfo) -> datetime:
    """The next start after ``previous`` (UTC in, UTC out) at the same local clock time."""
    local = previous.astimezone(zone)
    if rule == WEEKLY:
        day = local.date() + timedelta(days=7)
    elif rule == FORTNIGHTLY:
        day = local.date() + timedelta(days=14)
    elif rule == MONTHLY:
        day = same_weekday_next_month(local.date())
    else:
        raise ValueError(f"unknown repeat rule {rule!r}")
    wall = datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=zone)
    return wall.astimezone(UTC)


def same_weekday_next_month(day: date) -> date:
    """The same weekday in the same week of next month (a fifth one becomes the last)."""
    nth = (day.day - 1) // 7 + 1
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    first_weekday, days_in_month = calendar.monthrange(year, month)
    first = 1 + (day.weekday() - first_weekday) % 7
    wanted = first + 7 * (nth - 1)
    while wanted > days_in_month:
        wanted -= 7
    return date(year, month, wanted)
