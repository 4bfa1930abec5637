"""Showing UTC times in the forum's local time zone, in plain words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.texts import Texts


def local_date(moment: datetime, zone: ZoneInfo) -> str:
    """Like 'Thursday 10 December 2026'."""
    local = moment.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y}"


def local_clock(moment: datetime, zone: ZoneInfo) -> str:
    """The local time of day, like '14:05'."""
    return f"{moment.astimezone(zone):%H:%M}"


def local_datetime(moment: datetime, zone: ZoneInfo) -> str:
    """Like '10 Dec 2026, 14:05'."""
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b %Y, %H:%M}"


def local_when(moment: datetime, zone: ZoneInfo, texts: Texts) -> str:
    """Like 'Thursday 10 December 2026 at 14:30': the catalogue's ``time.when``."""
    return texts.plain("time.when", day=local_date(moment, zone), time=local_clock(moment, zone))


def same_local_day(first: datetime, second: datetime, zone: ZoneInfo) -> bool:
    """True when two moments fall on the same local calendar day."""
    return first.astimezone(zone).date() == second.astimezone(zone).date()


def parse_stored(text: str | None) -> datetime | None:
    """A time kept as ISO text (as in /mydata's file) back as a moment; None stays None."""
    return datetime.fromisoformat(text) if text else None
