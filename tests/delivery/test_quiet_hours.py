"""Quiet hours in local time: the window, its end, and both clock changes in Europe/London."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.quiet import QuietHours

LONDON = ZoneInfo("Europe/London")
NIGHT = QuietHours(21, 8, LONDON)


def utc(*parts: int) -> datetime:
    """A UTC moment."""
    return datetime(*parts, tzinfo=UTC)


def test_winter_window_is_21_to_8_gmt() -> None:
    assert not NIGHT.is_quiet(utc(2026, 12, 10, 20, 59))
    assert NIGHT.is_quiet(utc(2026, 12, 10, 21, 0))
    assert NIGHT.is_quiet(utc(2026, 12, 11, 7, 59))
    assert not NIGHT.is_quiet(utc(2026, 12, 11, 8, 0))
    assert NIGHT.ends_at(utc(2026, 12, 10, 23, 0)) == utc(2026, 12, 11, 8, 0)


def test_summer_window_is_an_hour_earlier_in_utc() -> None:
    assert NIGHT.is_quiet(utc(2026, 7, 1, 20, 0))  # 21:00 BST
    assert not NIGHT.is_quiet(utc(2026, 7, 1, 19, 59))
    assert NIGHT.ends_at(utc(2026, 7, 1, 22, 0)) == utc(2026, 7, 2, 7, 0)  # 08:00 BST


def test_clocks_going_forward_shortens_the_night() -> None:
    # Sunday 29 March 2026: 01:00 GMT becomes 02:00 BST.
    start = utc(2026, 3, 28, 21, 0)  # 21:00 GMT on Saturday
    assert NIGHT.is_quiet(start)
    end = NIGHT.ends_at(start)
    assert end == utc(2026, 3, 29, 7, 0)  # 08:00 BST
    assert end - start == timedelta(hours=10)
    assert NIGHT.is_quiet(utc(2026, 3, 29, 1, 30))  # 02:30 BST, just after the jump


def test_clocks_going_back_lengthens_the_night() -> None:
    # Sunday 25 October 2026: 02:00 BST becomes 01:00 GMT.
    start = utc(2026, 10, 24, 20, 0)  # 21:00 BST on Saturday
    assert NIGHT.is_quiet(start)
    end = NIGHT.ends_at(start)
    assert end == utc(2026, 10, 25, 8, 0)  # 08:00 GMT
    assert end - start == timedelta(hours=12)
    assert NIGHT.is_quiet(utc(2026, 10, 25, 0, 30))  # 01:30 BST, the first time round
    assert NIGHT.is_quiet(utc(2026, 10, 25, 1, 30))  # 01:30 GMT, the second time round


def test_an_end_hour_skipped_by_the_clock_change_still_ends() -> None:
    quiet = QuietHours(23, 1, LONDON)
    end = quiet.ends_at(utc(2026, 3, 28, 23, 30))
    assert end == utc(2026, 3, 29, 1, 0)  # 01:00 GMT is 02:00 BST: the first moment after
    assert not quiet.is_quiet(end)


def test_a_daytime_window_and_no_window() -> None:
    lunch = QuietHours(12, 14, LONDON)
    assert lunch.is_quiet(utc(2026, 12, 10, 13, 0))
    assert not lunch.is_quiet(utc(2026, 12, 10, 14, 0))
    assert lunch.ends_at(utc(2026, 12, 10, 12, 15)) == utc(2026, 12, 10, 14, 0)
    never = QuietHours(8, 8, LONDON)
    assert not never.is_quiet(utc(2026, 12, 10, 3, 0))


def test_bad_hours_are_refused() -> None:
    with pytest.raises(ValueError):
        QuietHours(24, 8, LONDON)


@given(
    moment=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    start=st.integers(0, 23),
    end=st.integers(0, 23),
)
def test_the_end_is_never_quiet_and_never_before_the_moment(
    moment: datetime, start: int, end: int
) -> None:
    quiet = QuietHours(start, end, LONDON)
    after = quiet.ends_at(moment)
    assert after >= moment
    assert not quiet.is_quiet(after)
    assert after - moment <= timedelta(hours=25)
    if not quiet.is_quiet(moment):
        assert after == moment
