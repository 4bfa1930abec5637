"""Reading a meeting's start: UK forms with the day first, and hostile, impossible, past and
ambiguous input refused with the right reason (property tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.errors import ServiceError
from bot.services.meetings.rules import MAX_DAYS_AHEAD, read_start
from bot.services.times import TimePassed, TimeSkipped, TimeTooFar, TimeTwice, TimeUnclear
from bot.timeparse import happens_twice

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)  # Thursday
REASONS = {TimePassed, TimeSkipped, TimeTooFar, TimeTwice, TimeUnclear}


def read(text: str, now: datetime = NOW) -> datetime:
    """Read with the London zone."""
    return read_start(text, now, LONDON)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25/12/2026 14:00", datetime(2026, 12, 25, 14, 0, tzinfo=UTC)),
        ("25 Dec 2pm", datetime(2026, 12, 25, 14, 0, tzinfo=UTC)),
        ("tomorrow 10:30", datetime(2026, 12, 11, 10, 30, tzinfo=UTC)),
        ("5/1 9am", datetime(2027, 1, 5, 9, 0, tzinfo=UTC)),  # 5 January, not 1 May
        ("1/5/2027 10:00", datetime(2027, 5, 1, 9, 0, tzinfo=UTC)),  # 1 May, in BST
    ],
)
def test_uk_forms_with_the_day_first(text: str, expected: datetime) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("12/25/2026 14:00", TimeUnclear),  # month first
        ("31/02/2027 10:00", TimeUnclear),
        ("25/12/2026", TimeUnclear),  # no time
        ("25 Dec", TimeUnclear),
        ("1/12/2026 10:00", TimePassed),
        ("today 9am", TimePassed),
        ("28/03/2027 01:30", TimeSkipped),
        ("31/10/2027 01:30", TimeTwice),
        ("25/12/2028 10:00", TimeTooFar),
    ],
)
def test_unusable_times_say_why(text: str, error: type[ServiceError]) -> None:
    with pytest.raises(error):
        read(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_hostile_text_is_read_or_refused_with_a_reason_never_crashes(text: str) -> None:
    try:
        moment = read(text)
    except ServiceError as error:
        assert type(error) in REASONS
        return
    assert NOW < moment <= NOW + timedelta(days=MAX_DAYS_AHEAD)
    assert not happens_twice(moment, LONDON)


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=date(2026, 12, 11), max_value=date(2027, 12, 1)),
    st.integers(0, 23),
    st.integers(0, 59),
    st.sampled_from(
        ["{d}/{m}/{y} {H}:{M:02d}", "{d} {b} {y} {H}:{M:02d}", "{y}-{m}-{d} {H}.{M:02d}"]
    ),
)
def test_any_written_date_comes_back_as_that_local_time_or_a_clear_refusal(
    day: date, hour: int, minute: int, form: str
) -> None:
    text = form.format(d=day.day, m=day.month, y=day.year, b=f"{day:%b}", H=hour, M=minute)
    try:
        moment = read(text)
    except (TimeSkipped, TimeTwice):
        return  # only on the nights the clocks change, between 1am and 2am
    except TimeTooFar:
        assert day > (NOW + timedelta(days=MAX_DAYS_AHEAD - 1)).date()
        return
    local = moment.astimezone(LONDON)
    assert (local.date(), local.hour, local.minute) == (day, hour, minute)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 28), st.integers(13, 99), st.integers(0, 23))
def test_a_month_over_twelve_is_never_swapped_with_the_day(day: int, month: int, hour: int) -> None:
    with pytest.raises(TimeUnclear):
        read(f"{day}/{month}/2027 {hour}:00")
