"""Showing UTC times in the forum's local time zone, in plain words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.texts import Texts


def local_date(moment: datetime, zone: ZoneInfo) -> str:
    """Like 'Thursday 10 December 2026'."""
    local = moment.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y}"


def local_datetime(moment: datetime, zone: ZoneInfo) -> str:
    """Like '10 Dec 2026, 14:05'."""
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b %Y, %H:%M}"


def local_when(moment: datetime, zone: ZoneInfo, texts: Texts) -> str:
    """Like 'Thursday 10 December 2026 at 14:30': the catalogue's ``time.when``."""
    local = moment.astimezone(zone)
    return texts.plain("time.when", day=local_date(moment, zone), time=f"{local:%H:%M}")
