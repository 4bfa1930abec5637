"""A series' repeat rule, pure: "every month on the first Monday at 10:00, open for 7 days" or
"every week on Tuesday at 09:30, open for 3 days"; when its rounds open and close in local
time (Europe/London by default), and the reader of a rule a coordinator types.

Rounds keep their local clock time across the clock changes: 10:00 is 10:00 UK time in March
and in November. A time the clocks skip (01:30 on the March change day) is read as meetings
read it (`bot.recurrence.local_start`: with the offset before the change, so 02:30 summer
time); a time that comes twice is the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.recurrence import local_start, weekday_of_month
from bot.services.errors import ServiceError
from bot.timeparse import WEEKDAYS

WEEK, MONTH = "week", "month"
EVERY = (WEEK, MONTH)
LAST = 5  # the week of the month meaning "the last"
MIN_DAYS, MAX_DAYS = 1, 28
MAX_RULE_TEXT = 120

_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "last": LAST,
}
_FILLERS = frozenset(
    [
        "every",
        "each",
        "on",
        "at",
        "the",
        "of",
        "open",
        "opens",
        "opening",
        "for",
        "and",
        "from",
        "in",
        "a",
        "an",
        "it",
        "is",
        "day",
        "time",
        "round",
    ]
)
_DAYS = re.compile(r"\b(\d{1,3}|a|one|two|three|four)\s*(days?|weeks?)\b")
_TWELVE = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)\b")
_TWENTY_FOUR = re.compile(r"\b(\d{1,2})[:.](\d{2})\b")
_NOON = re.compile(r"\b(noon|midday)\b")
_SMALL_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4}


class RuleRefused(ServiceError):
    """A typed repeat rule that cannot be read; ``reason`` says what is missing or wrong."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what
        self.reason = f"series.rule_{what}"


@dataclass(frozen=True)
class RepeatRule:
    """When a series' rounds open and how long each stays open (local time)."""

    every: str  # WEEK or MONTH
    weekday: int  # Monday 0 .. Sunday 6
    week: int | None  # MONTH: 1 to 4, or LAST; WEEK: None
    clock: time  # the local opening time of day
    open_days: int  # 1 to 28

    def __post_init__(self) -> None:
        """Refuse a rule out of range (the reader and the database hold the same limits)."""
        if self.every not in EVERY or not 0 <= self.weekday <= 6:
            raise ValueError("unknown repeat")
        if (self.every == MONTH) != (self.week is not None):
            raise ValueError("a monthly rule needs its week, a weekly one none")
        if self.week is not None and not 1 <= self.week <= LAST:
            raise ValueError("week of the month out of range")
        if not MIN_DAYS <= self.open_days <= MAX_DAYS:
            raise ValueError("open for 1 to 28 days")

    @property
    def clock_text(self) -> str:
        """The opening time as stored and shown, 'HH:MM'."""
        return f"{self.clock:%H:%M}"

    def with_changes(self, **changes: object) -> RepeatRule:
        """A copy with some fields changed (checked again)."""
        values = {
            "every": self.every,
            "weekday": self.weekday,
            "week": self.week,
            "clock": self.clock,
            "open_days": self.open_days,
        }
        values.update(changes)
        return RepeatRule(**values)  # type: ignore[arg-type]


def opening_on(day: date, rule: RepeatRule, zone: ZoneInfo) -> datetime:
    """The round opening on a local day, as UTC (a skipped time as meetings read it)."""
    return local_start(day, rule.clock, zone)


def next_opening(rule: RepeatRule, after: datetime, zone: ZoneInfo) -> datetime:
    """The first round's opening strictly after ``after`` (UTC in, UTC out)."""
    start = after.astimezone(zone).date()
    if rule.every == WEEK:
        day = start + timedelta(days=(rule.weekday - start.weekday()) % 7)
        while True:
            opening = opening_on(day, rule, zone)
            if opening > after:
                return opening
            day += timedelta(days=7)
    assert rule.week is not None
    year, month = start.year, start.month
    while True:
        opening = opening_on(weekday_of_month(year, month, rule.weekday, rule.week), rule, zone)
        if opening > after:
            return opening
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def closing_of(opens_at: datetime, rule: RepeatRule, zone: ZoneInfo) -> datetime:
    """When a round opening at ``opens_at`` closes: ``open_days`` later at the rule's local
    time (so a week is a week on the clock, also across a clock change)."""
    day = opens_at.astimezone(zone).date() + timedelta(days=rule.open_days)
    return local_start(day, rule.clock, zone)


def read_rule(text: str) -> RepeatRule:
    """A rule typed in plain words, like "every month on the first Monday at 10:00 for 7 days"
    or "weekly, Tuesday 9.30am, 3 days"; RuleRefused says what is missing or unclear."""
    if len(text) > MAX_RULE_TEXT:
        raise RuleRefused("unclear")
    rest = " " + re.sub(r"[^a-z0-9:.]+", " ", text.casefold()) + " "
    days, rest = _take_days(rest)
    clock, rest = _take_clock(rest)
    every: str | None = None
    weekday: int | None = None
    week: int | None = None
    for word in rest.replace(".", " ").split():
        if word in ("month", "monthly", "months"):
            every = _only(every, MONTH)
        elif word in ("week", "weekly", "weeks"):
            every = _only(every, WEEK)
        elif word in _ORDINALS:
            week = _only(week, _ORDINALS[word])
        elif word.removesuffix("s") in WEEKDAYS:  # "mondays" too
            weekday = _only(weekday, WEEKDAYS[word.removesuffix("s")])
        elif word.isdigit() and clock is None:  # "at 10": a time without its minutes
            raise RuleRefused("no_time")
        elif word not in _FILLERS:
            raise RuleRefused("unclear")
    if weekday is None:
        raise RuleRefused("no_weekday")
    if every is None:
        every = WEEK if week is None else MONTH
    if every == MONTH and week is None:
        raise RuleRefused("which_week")
    if every == WEEK and week is not None:
        raise RuleRefused("unclear")
    if clock is None:
        raise RuleRefused("no_time")
    if days is None:
        raise RuleRefused("no_days")
    return RepeatRule(every, weekday, week, clock, days)


def _only(current: object, new: object) -> object:
    """One value per part: a second, different one makes the rule unclear."""
    if current is not None and current != new:
        raise RuleRefused("unclear")
    return new


def _take_days(text: str) -> tuple[int | None, str]:
    """How many days it stays open ("7 days", "a week", "2 weeks"), and the rest."""
    found = list(_DAYS.finditer(text))
    if not found:
        return None, text
    if len(found) > 1:
        raise RuleRefused("unclear")
    match = found[0]
    if text[: match.start()].rstrip().endswith("every"):  # "every 2 weeks" is not a length
        raise RuleRefused("unclear")
    count = _SMALL_NUMBERS.get(match[1])
    if count is None:
        count = int(match[1])
    if match[2].startswith("week"):
        count *= 7
    if not MIN_DAYS <= count <= MAX_DAYS:
        raise RuleRefused("days_range")
    return count, text[: match.start()] + " " + text[match.end() :]


def _take_clock(text: str) -> tuple[time | None, str]:
    """The opening time of day ("10:00", "9.30am", "2pm", "noon"), and the rest."""
    found: list[tuple[re.Match[str], time]] = []
    for match in _TWELVE.finditer(text):
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise RuleRefused("no_time")
        found.append((match, time(hour % 12 + (12 if match[3] == "pm" else 0), minute)))
    if not found:
        for match in _TWENTY_FOUR.finditer(text):
            hour, minute = int(match[1]), int(match[2])
            if hour > 23 or minute > 59:
                raise RuleRefused("no_time")
            found.append((match, time(hour, minute)))
    if not found:
        found = [(match, time(12, 0)) for match in _NOON.finditer(text)]
    if not found:
        return None, text
    if len(found) > 1:
        raise RuleRefused("unclear")
    match, clock = found[0]
    return clock, text[: match.start()] + " " + text[match.end() :]


def read_clock(text: str) -> time:
    """A typed opening time of day ("10:00", "9.30am", "2pm", "noon"), or RuleRefused."""
    if len(text) > MAX_RULE_TEXT:
        raise RuleRefused("no_time")
    clock, rest = _take_clock(" " + re.sub(r"[^a-z0-9:.]+", " ", text.casefold()) + " ")
    if clock is None or set(rest.replace(".", " ").split()) - {"at", "from", "opens", "open"}:
        raise RuleRefused("no_time")
    return clock


def code(rule: RepeatRule) -> str:
    """The rule in a few characters for a button ("m-0-1-1000-7"); `from_code` reads it."""
    return f"{rule.every[0]}-{rule.weekday}-{rule.week or 0}-{rule.clock:%H%M}-{rule.open_days}"


def from_code(text: str) -> RepeatRule:
    """A rule from `code`'s form; ValueError for anything else."""
    every, weekday, week, clock, days = text.split("-")
    if every not in ("m", "w") or len(clock) != 4 or not clock.isdigit():
        raise ValueError("not a rule code")
    return RepeatRule(
        MONTH if every == "m" else WEEK,
        int(weekday),
        int(week) or None,
        time(int(clock[:2]), int(clock[2:])),
        int(days),
    )


def stored(rule: RepeatRule) -> dict[str, object]:
    """The rule as the series table's columns."""
    return {
        "every": rule.every,
        "weekday": rule.weekday,
        "week": rule.week,
        "clock": rule.clock_text,
        "open_days": rule.open_days,
    }


def from_stored(
    every: str, weekday: int, week: int | None, clock: str, open_days: int
) -> RepeatRule:
    """The rule back from the series table's columns."""
    hour, minute = (int(part) for part in clock.split(":"))
    return RepeatRule(every, weekday, week, time(hour, minute), open_days)
