"""The sandbox page's words about the bot's clock: plain, and in the bot's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sandbox.words import clock_words, duration_words, moved_on

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(hours=1), "1 hour"),
        (timedelta(days=1), "1 day"),
        (timedelta(weeks=1), "1 week"),
        (timedelta(days=15), "2 weeks and 1 day"),
        (timedelta(days=1, hours=2, minutes=5), "1 day, 2 hours and 5 minutes"),
        (timedelta(seconds=90), "90 seconds"),
        (timedelta(seconds=1), "1 second"),
    ],
)
def test_durations_in_words(delta: timedelta, words: str) -> None:
    assert duration_words(delta) == words


def test_the_clock_in_words_follows_uk_summer_time() -> None:
    winter = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)

    assert clock_words(winter, LONDON) == "Tuesday 8 December 2026, 10:00"
    assert clock_words(summer, LONDON, year=False) == "Wednesday 1 July, 10:00"


def test_the_note_after_a_fast_forward() -> None:
    now = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)

    assert moved_on(timedelta(days=1), now, LONDON).startswith(
        "Moved the bot's clock on by 1 day. It is now Tuesday 8 December, 10:00. "
    )
