"""What a meeting may hold: the limits, the coordinator's draft, the refusals, and reading
what coordinators type (a start time, a length, a place or link)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.delivery import Audience
from bot.services.errors import ServiceError
from bot.services.times import TimeLimits, read_future_time

MAX_TITLE, MAX_PLACE, MAX_NOTES = 100, 300, 600
MAX_MINUTES = 12 * 60
MAX_DAYS_AHEAD = 400
TIME_LIMITS = TimeLimits(max_days=MAX_DAYS_AHEAD, texts="meetings")


class MeetingGone(ServiceError):
    """The meeting was cancelled or does not exist."""

    reason = "meetings.gone"


class MeetingStarted(ServiceError):
    """The meeting has already started, so answers and changes are closed."""

    reason = "meetings.started"


class MeetingInvalid(ServiceError):
    """Something about a new meeting is missing or out of range."""

    reason = "meetings.invalid"


@dataclass(frozen=True)
class MeetingDraft:
    """A meeting a coordinator is setting up."""

    title: str
    starts_at: datetime
    duration_minutes: int
    audience: Audience
    place: str = ""
    link: str = ""
    notes: str = ""
    repeat: str | None = None  # 'weekly', 'fortnightly', 'monthly' or None
    feedback: str | None = None  # a survey file for those who came (feedback.py), or None


def check_where(place: str, link: str) -> None:
    """Refuse a meeting with neither a place nor a link, or either too long."""
    if not (place.strip() or link.strip()):
        raise MeetingInvalid
    if len(place) > MAX_PLACE or len(link) > MAX_PLACE:
        raise MeetingInvalid


def read_start(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """A typed UK date and time (day before month) as UTC, in the future and within
    MAX_DAYS_AHEAD; each kind of problem has its own refusal."""
    return read_future_time(text, now, zone, TIME_LIMITS)


class LengthUnclear(ServiceError):
    """The typed length could not be read."""

    reason = "meetings.new_length_unclear"


class LengthTooShort(ServiceError):
    """The typed length is no time at all, or less."""

    reason = "meetings.new_length_too_short"


class LengthTooLong(ServiceError):
    """The typed length is over MAX_MINUTES."""

    reason = "meetings.new_length_too_long"


_HOURS_WORD = r"(?:h|hr|hrs|hour|hours)"
_MINUTES_WORD = r"(?:m|min|mins|minute|minutes)"
_NUMBER = r"(-?\d+(?:[.,]\d{1,2})?)"  # "1.5" or "1,5"; "1,000" is not read
_LENGTHS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], float]], ...] = (
    (re.compile(rf"^{_NUMBER} ?(?:{_MINUTES_WORD})?$"), lambda m: _number(m[1])),
    (re.compile(rf"^{_NUMBER} ?{_HOURS_WORD}$"), lambda m: _number(m[1]) * 60),
    (
        re.compile(rf"^(\d+) ?{_HOURS_WORD}(?: and)? ?(\d+) ?(?:{_MINUTES_WORD})?$"),
        lambda m: int(m[1]) * 60 + int(m[2]),
    ),
    (re.compile(r"^(\d+):(\d\d)$"), lambda m: int(m[1]) * 60 + int(m[2])),
    (re.compile(r"^(?:an?|one) hour$"), lambda m: 60),
    (re.compile(r"^half an? hour$|^half hour$"), lambda m: 30),
    (
        re.compile(r"^(?:an?|one) hour and a half$|^(?:one|1) and a half hours$"),
        lambda m: 90,
    ),
)


def _number(text: str) -> float:
    """'90', '1.5' or '1,5' as a number."""
    return float(text.replace(",", "."))


def read_length(text: str) -> int:
    """A typed meeting length in minutes: '90', '90 minutes', '2 hours', '1.5h', '1 hour 30',
    '1:30', 'an hour', 'half an hour'. Each kind of problem has its own refusal: not
    understood ('forever'), no time at all ('0', '-5'), or over 12 hours ('99999')."""
    cleaned = " ".join(text.casefold().replace("-", " -").split()).replace("- ", "-")
    for pattern, minutes_of in _LENGTHS:
        match = pattern.match(cleaned)
        if match:
            value = minutes_of(match)
            break
    else:
        raise LengthUnclear
    if value > MAX_MINUTES:  # before rounding: a huge number may not round
        raise LengthTooLong
    minutes = round(value)
    if minutes < 1:
        raise LengthTooShort
    return minutes
