"""Reading a date and time a person typed ("tomorrow 18:30", "14 March 9am") in local time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_INPUT = 60
LONG_PAST_DAYS = 31  # a date without a year this far back means next year
_NO_DATE, _TODAY, _WEEKDAY, _DATED, _DATED_WITH_YEAR = "none", "today", "weekday", "dated", "year"

MONTHS = {  # month names and short names -> 1..12 (shared by the other date readers)
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
WEEKDAYS = {  # day names and short names -> 0 (Monday)..6
    name: number
    for number, names in enumerate(
        (
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        )
    )
    for name in names
}
_TWELVE_HOUR = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)\b")
_TWENTY_FOUR = re.compile(r"\b(\d{1,2})[:.](\d{2})\b")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?")
_DAY_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)(?:\s+(\d{4}))?")
_MONTH_DAY = re.compile(r"([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s+(\d{4}))?")
_FILLER = re.compile(r"\b(on|at|the|of)\b")
_NOON = re.compile(r"\b(noon|midday)\b")
# "next tuesday" and "this tuesday": people mean the coming one; the preview shows the date.
_NEAR_WEEKDAY = re.compile(r"(next|this|coming|this coming)\s+([a-z]+)")


class TimeNotUnderstood(ValueError):
    """The text is not a date and time this parser can read."""


class TimeDoesNotExist(ValueError):
    """A local time skipped when the clocks go forward (for example 01:30 on that night)."""


class TimeAmbiguous(ValueError):
    """A local time that happens twice: the hour the clocks go back (01:30 that night)."""


def happens_twice(moment: datetime, zone: ZoneInfo) -> bool:
    """True when the moment's local clock time is shown twice that night (clocks go back)."""
    local = moment.astimezone(zone)
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def parse_unambiguous_time(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """Like parse_local_time, but a clock time that happens twice raises TimeAmbiguous
    instead of taking the first (for meetings, where an hour out matters)."""
    moment = parse_local_time(text, now, zone)
    if happens_twice(moment, zone):
        raise TimeAmbiguous
    return moment


def parse_local_time(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """The UTC moment meant by ``text``, read in ``zone``; the time of day is required.

    A time alone means the next time that clock time comes round, and a weekday the next
    such day. A date without a year that is long past means next year. Other past moments
    are returned as they are, for the caller to refuse. Raises TimeNotUnderstood or
    TimeDoesNotExist.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    clock_time, rest = _take_time(_clean(text))
    today = now.astimezone(zone).date()
    day, kind = _read_date(_FILLER.sub(" ", rest), today)
    moment = _to_utc(day, clock_time, zone)
    if moment > now:
        return moment
    if kind == _NO_DATE:
        return _to_utc(day + timedelta(days=1), clock_time, zone)
    if kind == _WEEKDAY:
        return _to_utc(day + timedelta(days=7), clock_time, zone)
    if kind == _DATED and (today - day).days > LONG_PAST_DAYS:
        try:
            return _to_utc(day.replace(year=day.year + 1), clock_time, zone)
        except ValueError:
            raise TimeNotUnderstood from None
    return moment


def _clean(text: str) -> str:
    """Lower case, single spaces, no commas; refuse very long or empty input."""
    if not isinstance(text, str) or len(text) > MAX_INPUT:
        raise TimeNotUnderstood
    cleaned = " ".join(text.lower().replace(",", " ").split())
    if not cleaned or not cleaned.isascii():
        raise TimeNotUnderstood
    return cleaned


def _take_time(text: str) -> tuple[time, str]:
    """Find the time of day; return it and the text without it."""
    match = _NOON.search(text)
    if match:
        return time(12, 0), (text[: match.start()] + " " + text[match.end() :]).strip()
    match = _TWELVE_HOUR.search(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise TimeNotUnderstood
        hour = hour % 12 + (12 if match.group(3) == "pm" else 0)
    else:
        match = _TWENTY_FOUR.search(text)
        if not match:
            raise TimeNotUnderstood
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            raise TimeNotUnderstood
    rest = (text[: match.start()] + " " + text[match.end() :]).strip()
    return time(hour, minute), rest


def _read_date(text: str, today: date) -> tuple[date, str]:
    """The date named by the text (today if none), and what kind of date it was."""
    text = " ".join(text.split())
    if text == "":
        return today, _NO_DATE
    if text in ("today", "tonight"):
        return today, _TODAY
    if text == "tomorrow":
        return today + timedelta(days=1), _TODAY
    near = _NEAR_WEEKDAY.fullmatch(text)
    if near and near[2] in WEEKDAYS:
        ahead = (WEEKDAYS[near[2]] - today.weekday()) % 7
        if near[1] == "next" and ahead == 0:
            ahead = 7  # "next thursday" said on a Thursday is a week today
        return today + timedelta(days=ahead), _WEEKDAY
    if text in WEEKDAYS:
        return today + timedelta(days=(WEEKDAYS[text] - today.weekday()) % 7), _WEEKDAY
    match = _ISO.fullmatch(text)
    if match:
        return _date(int(match[1]), int(match[2]), int(match[3])), _DATED_WITH_YEAR
    for pattern, day_group, month_group in (
        (_SLASHED, 1, 2),
        (_DAY_MONTH, 1, 2),
        (_MONTH_DAY, 2, 1),
    ):
        match = pattern.fullmatch(text)
        if match:
            month_text = match[month_group]
            month = int(month_text) if month_text.isdigit() else _month(month_text)
            year_text = match[3]
            year = _year(year_text, today)
            kind = _DATED_WITH_YEAR if year_text else _DATED
            return _date(year, month, int(match[day_group])), kind
    raise TimeNotUnderstood


def _date(year: int, month: int, day: int) -> date:
    """A calendar date, or TimeNotUnderstood if there is no such day."""
    try:
        return date(year, month, day)
    except ValueError:
        raise TimeNotUnderstood from None


def _year(text: str | None, today: date) -> int:
    """A written year (two or four digits), or this year."""
    if not text:
        return today.year
    year = int(text)
    return 2000 + year if year < 100 else year


def _month(name: str) -> int:
    """A month's number from its name or short name."""
    if name not in MONTHS:
        raise TimeNotUnderstood
    return MONTHS[name]


def _to_utc(day: date, clock_time: time, zone: ZoneInfo) -> datetime:
    """A local date and time as UTC; a time skipped by the clocks going forward is refused."""
    local = datetime.combine(day, clock_time, tzinfo=zone)
    moment = local.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise TimeDoesNotExist
    return moment
