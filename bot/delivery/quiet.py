"""Quiet hours: no messages to many people at night, in local time, across clock changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    """A nightly window in local time, like 21:00 to 08:00; start == end means none."""

    start_hour: int
    end_hour: int
    zone: ZoneInfo

    def __post_init__(self) -> None:
        for hour in (self.start_hour, self.end_hour):
            if not 0 <= hour <= 23:
                raise ValueError("quiet hours use whole hours from 0 to 23")

    def is_quiet(self, moment: datetime) -> bool:
        """True when the moment falls inside the quiet window."""
        if self.start_hour == self.end_hour:
            return False
        hour = moment.astimezone(self.zone).hour
        if self.start_hour < self.end_hour:
            return self.start_hour <= hour < self.end_hour
        return hour >= self.start_hour or hour < self.end_hour

    def ends_at(self, moment: datetime) -> datetime:
        """When sending may go on: the moment itself outside quiet hours, else the window's end."""
        if not self.is_quiet(moment):
            return moment
        local_day = moment.astimezone(self.zone).date()
        for offset in range(3):
            end = self._local(local_day + timedelta(days=offset), self.end_hour)
            if end > moment and not self.is_quiet(end):
                return end
        raise AssertionError("a quiet window always ends within two days")

    def starts_before(self, moment: datetime, margin: timedelta) -> datetime:
        """``margin`` before the start of the quiet window that holds ``moment``."""
        local_day = moment.astimezone(self.zone).date()
        for offset in range(3):
            start = self._local(local_day - timedelta(days=offset), self.start_hour)
            if start <= moment:
                return start - margin
        raise AssertionError("a quiet window always starts within two days before")

    def before_quiet(self, moment: datetime, margin: timedelta) -> datetime:
        """``moment`` itself, or ``margin`` before quiet hours when it falls inside them (a
        reminder or nudge never arrives at night)."""
        return self.starts_before(moment, margin) if self.is_quiet(moment) else moment

    def _local(self, day: date, hour: int) -> datetime:
        """The UTC moment of a whole local hour (a skipped hour resolves to just after it)."""
        return datetime.combine(day, time(hour), tzinfo=self.zone).astimezone(UTC)
