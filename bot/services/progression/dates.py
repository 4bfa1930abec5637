"""Reading the day a contribution happened, as a coordinator types it (day first, UK style).

Accepted: "today", "yesterday", "12/6/2026", "12-06-26", "12.6.2026", "12 June 2026",
"12 Jun", "June 12" is not (day first only). Without a year: this year, or last year when
that day is still to come. Never a day still to come, never more than YEARS_BACK years ago.
A refusal is `DayRefused` with the catalogue key saying why.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.timeparse import MONTHS

YEARS_BACK = 10
_NUMBERS = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?$")
_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?(?:,?\s+(\d{4}))?$")


class DayRefused(ValueError):
    """A typed day that cannot be used; ``key`` is the catalogue text that says why."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def read_day(text: str, today: date) -> date:
    """The day typed, checked: not in the future, not more than YEARS_BACK years ago."""
    words = " ".join(str(text).strip().casefold().split())
    if len(words) > 40:
        raise DayRefused("progression.day_unclear")
    if words == "today":
        return today
    if words == "yesterday":
        return today - timedelta(days=1)
    match = _NUMBERS.match(words)
    if match:
        day, month, year = int(match[1]), int(match[2]), match[3]
    else:
        match = _WORDS.match(words)
        if not match or match[2] not in MONTHS:
            raise DayRefused("progression.day_unclear")
        day, month, year = int(match[1]), MONTHS[match[2]], match[3]
    if year is None:
        found = _day(today.year, month, day)
        if found > today:
            found = _day(today.year - 1, month, day)
    else:
        number = int(year)
        found = _day(number + 2000 if number < 100 else number, month, day)
    if found > today:
        raise DayRefused("progression.day_future")
    if found < _years_before(today, YEARS_BACK):
        raise DayRefused("progression.day_too_old")
    return found


def _day(year: int, month: int, day: int) -> date:
    """A real calendar day, or the refusal."""
    try:
        return date(year, month, day)
    except ValueError:
        raise DayRefused("progression.day_unclear") from None


def _years_before(today: date, years: int) -> date:
    """The same day ``years`` earlier (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)
