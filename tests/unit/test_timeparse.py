"""Reading a typed date and time in London time, including the nights the clocks change."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.timeparse import TimeDoesNotExist, TimeNotUnderstood, parse_local_time

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)  # Thursday, GMT


def read(text: str, now: datetime = NOW) -> datetime:
    """Parse with the London zone."""
    return parse_local_time(text, now, LONDON)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18:30", datetime(2026, 12, 10, 18, 30, tzinfo=UTC)),
        ("9:00", datetime(2026, 12, 11, 9, 0, tzinfo=UTC)),  # already past today: tomorrow
        ("tomorrow 9.30", datetime(2026, 12, 11, 9, 30, tzinfo=UTC)),
        ("Tomorrow at 9am", datetime(2026, 12, 11, 9, 0, tzinfo=UTC)),
        ("friday 6pm", datetime(2026, 12, 11, 18, 0, tzinfo=UTC)),
        ("thursday 12pm", datetime(2026, 12, 17, 12, 0, tzinfo=UTC)),  # next week's
        ("14 March 18:00", datetime(2027, 3, 14, 18, 0, tzinfo=UTC)),
        ("March 14th, 2027 6:05pm", datetime(2027, 3, 14, 18, 5, tzinfo=UTC)),
        ("1/7 10:00", datetime(2027, 7, 1, 9, 0, tzinfo=UTC)),  # 10:00 BST
        ("2026-12-24 12am", datetime(2026, 12, 24, 0, 0, tzinfo=UTC)),
        ("18:30 on 24 dec", datetime(2026, 12, 24, 18, 30, tzinfo=UTC)),
        ("next tuesday 2pm", datetime(2026, 12, 15, 14, 0, tzinfo=UTC)),
        ("this Saturday at 10am", datetime(2026, 12, 12, 10, 0, tzinfo=UTC)),
        ("next thursday 12pm", datetime(2026, 12, 17, 12, 0, tzinfo=UTC)),  # a week today
        ("next thursday 6pm", datetime(2026, 12, 17, 18, 0, tzinfo=UTC)),  # not this evening
        ("friday noon", datetime(2026, 12, 11, 12, 0, tzinfo=UTC)),
        ("midday tomorrow", datetime(2026, 12, 11, 12, 0, tzinfo=UTC)),
    ],
)
def test_everyday_ways_of_writing_a_time(text: str, expected: datetime) -> None:
    assert read(text) == expected


def test_a_recent_date_that_has_passed_is_returned_for_the_caller_to_refuse() -> None:
    assert read("today 10:00") == datetime(2026, 12, 10, 10, 0, tzinfo=UTC)
    assert read("3 december 10:00") == datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def test_clocks_going_forward_skip_an_hour() -> None:
    now = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)
    with pytest.raises(TimeDoesNotExist):
        read("28 march 01:30", now)
    assert read("28 march 02:00", now) == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)  # 02:00 BST


def test_clocks_going_back_repeat_an_hour_and_the_first_is_taken() -> None:
    now = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
    assert read("25 october 01:30", now) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["", "soon", "tomorrow", "25:00", "12:60", "13pm", "31 feb 10:00", "30/2 9:00", "next week"],
)
def test_what_it_cannot_read_is_refused(text: str) -> None:
    with pytest.raises(TimeNotUnderstood):
        read(text)


@given(st.text(max_size=80))
def test_hostile_text_is_read_or_refused_never_crashes(text: str) -> None:
    try:
        moment = read(text)
    except (TimeNotUnderstood, TimeDoesNotExist):
        return
    assert moment.tzinfo is not None
    assert moment.utcoffset().total_seconds() == 0
