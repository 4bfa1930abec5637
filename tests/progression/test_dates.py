"""Reading the day a contribution happened: UK forms, day first; property tests with hostile
text (read or refused with a reason, never a crash, never a day still to come)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.progression.dates import YEARS_BACK, DayRefused, read_day

TODAY = date(2026, 12, 10)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("today", TODAY),
        ("Yesterday", TODAY - timedelta(days=1)),
        ("12/6/2026", date(2026, 6, 12)),
        ("12-06-26", date(2026, 6, 12)),
        ("12.6.2026", date(2026, 6, 12)),
        ("12 June 2026", date(2026, 6, 12)),
        ("12th June", date(2026, 6, 12)),
        ("12 jun", date(2026, 6, 12)),
        ("25 December", date(2025, 12, 25)),  # still to come this year: last year's
        ("10/12", TODAY),
    ],
)
def test_uk_forms_are_read_day_first(typed: str, day: date) -> None:
    assert read_day(typed, TODAY) == day


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("31/02/2026", "progression.day_unclear"),
        ("June 12", "progression.day_unclear"),
        ("next week", "progression.day_unclear"),
        ("11/12/2026", "progression.day_future"),
        ("1/1/2001", "progression.day_too_old"),
        ("", "progression.day_unclear"),
    ],
)
def test_unclear_future_and_old_days_are_refused_with_a_reason(typed: str, key: str) -> None:
    with pytest.raises(DayRefused) as refused:
        read_day(typed, TODAY)
    assert refused.value.key == key


@given(st.text(max_size=60))
def test_any_text_is_a_past_day_or_a_reason(typed: str) -> None:
    try:
        day = read_day(typed, TODAY)
    except DayRefused as refused:
        assert refused.key.startswith("progression.day_")
        return
    assert TODAY.replace(year=TODAY.year - YEARS_BACK) <= day <= TODAY


@given(st.dates(min_value=date(2017, 1, 1), max_value=TODAY))
def test_a_day_written_out_reads_back_as_itself(day: date) -> None:
    assert read_day(f"{day.day}/{day.month}/{day.year}", TODAY) == day
    assert read_day(f"{day.day} {day:%B %Y}", TODAY) == day
