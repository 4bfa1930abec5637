"""When a repeating meeting comes round again: every week, every two weeks, or the same
weekday of the month (the first Tuesday, say; a meeting made on a fifth weekday repeats on
the month's last one, as most calendars do, since many months have no fifth).

A series never drifts: its pattern (weekday, week of the month, local clock time) comes from
its first meeting, the anchor, not from the one before. So a fifth Thursday that became the
last (fourth) Thursday of February is the last Thursday again in April, not the fourth; and a
meeting that fell in the hour the clocks skip goes back to its usual time the next time.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKLY, FORTNIGHTLY, MONTHLY = "weekly", "fortnightly", "monthly"
RULES = (WEEKLY, FORTNIGHTLY, MONTHLY)
LAST = 5  # the week of the month of a meeting made on a fifth weekday: the month's last
_PERIOD_DAYS = {WEEKLY: 7, FORTNIGHTLY: 14}


def next_start(
    previous: datetime, rule: str, zone: ZoneInfo, anchor: datetime | None = None
) -> datetime:
    """The series' next start after ``previous`` (UTC in, UTC out), on the pattern of
    ``anchor`` (the series' first start; ``previous`` when not given) at its local clock time.

    The next one is the first date of the pattern more than half a turn after ``previous``,
    so a meeting moved a few days either way is followed by the usual next date, not by the
    date it was moved from."""
    first = (anchor or previous).astimezone(zone)
    after = previous.astimezone(zone).date()
    if rule in _PERIOD_DAYS:
        period = _PERIOD_DAYS[rule]
        # The first date anchor + k * period that is more than period // 2 days after.
        steps = (after - first.date()).days + period // 2
        day = first.date() + timedelta(days=(steps // period + 1) * period)
    elif rule == MONTHLY:
        weekday, week = first.weekday(), week_of_month(first.date())
        year, month = after.year, after.month
        while True:
            day = weekday_of_month(year, month, weekday, week)
            if day > after + timedelta(days=14):
                break
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    else:
        raise ValueError(f"unknown repeat rule {rule!r}")
    return local_start(day, first.time().replace(tzinfo=None), zone)


def local_start(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """``day`` at the local ``clock`` time, as UTC. When the clocks go back the time comes
    twice and the first (summer time) is taken; when they go forward a skipped time is read
    with the offset before the change (01:30 becomes 02:30 summer time), as calendars do."""
    # fold=0 whatever the clock carries: a series anchored on the second 01:00 of the night
    # the clocks go back keeps the rule above in spring too
    return datetime.combine(day, clock.replace(fold=0), tzinfo=zone).astimezone(UTC)


def week_of_month(day: date) -> int:
    """1 to 4 for the first to fourth of its weekday in the month; LAST for a fifth."""
    return (day.day - 1) // 7 + 1


def weekday_of_month(year: int, month: int, weekday: int, week: int) -> date:
    """The ``week``-th ``weekday`` (Monday 0) of a month; LAST (or any week the month does
    not have) gives the month's last one."""
    first_weekday, days_in_month = calendar.monthrange(year, month)
    wanted = 1 + (weekday - first_weekday) % 7 + 7 * (week - 1)
    while wanted > days_in_month:
        wanted -= 7
    return date(year, month, wanted)
