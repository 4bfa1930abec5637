"""Repeating meetings never drift (property tests with hypothesis).

A monthly series is on the same weekday, in the same week of every month; one made on a
fifth weekday is on the month's last one. Every date is checked against one worked out on its
own for that month, so an error cannot carry from one month to the next. Clock changes in
Europe/London keep the local clock time, and a time the clocks skip comes back the next time.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.delivery import Audience
from bot.delivery.audience import HUB
from bot.recurrence import FORTNIGHTLY, MONTHLY, WEEKLY, local_start, next_start
from bot.services.meetings import MeetingDraft
from bot.texts import load_texts
from config.settings import CONFIG_DIR
from handlers.meetings.messages import MeetingMessages
from tests.meetings.conftest import CASEY, LONDON, World

MONTHS = 150  # more than twelve years: every kind of month, many clock changes
DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2045, 12, 31))
CLOCK = st.times().map(lambda t: t.replace(second=0, microsecond=0))


def start_of(day: date, clock: time) -> datetime:
    """A series' first start, as a coordinator would type it (UTC)."""
    return local_start(day, clock, LONDON)


def exists(day: date, clock: time) -> bool:
    """False for a local time the clocks skip that day."""
    wall = datetime.combine(day, clock)
    return start_of(day, clock).astimezone(LONDON).replace(tzinfo=None) == wall


def expected_day(year: int, month: int, weekday: int, week: int) -> date:
    """The week-th weekday of a month, or its last for a fifth, counted out by hand."""
    days = [
        date(year, month, d)
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if date(year, month, d).weekday() == weekday
    ]
    return days[-1] if week == 5 else days[week - 1]


def series(first: datetime, rule: str, count: int) -> list[datetime]:
    """The first start and the next ``count`` the service would make, each from the one before."""
    starts = [first]
    for _ in range(count):
        starts.append(next_start(starts[-1], rule, LONDON, first))
    return starts


def assert_clock_kept(start: datetime, clock: time) -> None:
    """Local time as typed; on the night the clocks skip it, the same instant an hour on."""
    local = start.astimezone(LONDON)
    if exists(local.date(), clock):
        assert local.time() == clock
    else:
        assert start == start_of(local.date(), clock)
        assert local.time() == (datetime.combine(local.date(), clock) + timedelta(hours=1)).time()


@settings(max_examples=300, deadline=None)
@given(DAYS, CLOCK)
@example(date(2026, 1, 29), time(18, 30))  # a fifth Thursday
@example(date(2026, 11, 29), time(1, 30))  # a fifth Sunday at 01:30: in March that is skipped
@example(date(2026, 10, 25), time(1, 30))  # 01:30 happens twice that night
@example(date(2027, 3, 28), time(1, 30))  # typed on the night itself: read as 02:30
@example(date(2024, 10, 27), time(1, 0, fold=1))  # the second 01:00: March's is still 02:00
def test_a_monthly_series_never_drifts(day: date, clock: time) -> None:
    first = start_of(day, clock)
    anchor = first.astimezone(LONDON)
    week = (anchor.day - 1) // 7 + 1
    starts = series(first, MONTHLY, MONTHS)

    assert all(a < b for a, b in pairwise(starts))  # strictly later
    year, month = anchor.year, anchor.month
    for start in starts[1:]:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        local = start.astimezone(LONDON)
        assert (local.year, local.month) == (year, month)  # exactly one a month, none skipped
        assert local.date() == expected_day(year, month, anchor.weekday(), week)
        assert local.weekday() == anchor.weekday()
        assert_clock_kept(start, anchor.time())


@settings(max_examples=200, deadline=None)
@given(DAYS, CLOCK, st.sampled_from([WEEKLY, FORTNIGHTLY]))
@example(date(2026, 3, 22), time(1, 30), WEEKLY)  # next Sunday's 01:30 is skipped
def test_weekly_and_fortnightly_series_never_drift(day: date, clock: time, rule: str) -> None:
    first = start_of(day, clock)
    anchor = first.astimezone(LONDON)
    period = 7 if rule == WEEKLY else 14
    starts = series(first, rule, 120)
    assert all(a < b for a, b in pairwise(starts))
    for index, start in enumerate(starts):
        assert start.astimezone(LONDON).date() == anchor.date() + timedelta(days=period * index)
        assert_clock_kept(start, anchor.time())


@settings(max_examples=200, deadline=None)
@given(
    DAYS,
    CLOCK,
    st.integers(1, 40),
    st.sampled_from([(WEEKLY, 3), (FORTNIGHTLY, 6), (MONTHLY, 10)]),
    st.data(),
)
def test_a_meeting_moved_a_few_days_is_followed_by_the_usual_next_date(
    day: date, clock: time, turns: int, rule_and_most: tuple[str, int], data: st.DataObject
) -> None:
    rule, most = rule_and_most
    moved_by = data.draw(st.integers(-most, most), label="days moved")
    first = start_of(day, clock)
    usual = series(first, rule, turns + 1)
    # A coordinator moves it by whole days on the UK calendar, at the same clock time. (Moving
    # it by days of 24 hours across a clock change turned "3 days earlier at midnight" into
    # 23:00 four days earlier: 2035-09-03 00:00 weekly, 30 turns on, 3 days back.)
    moved = start_of(usual[turns].astimezone(LONDON).date() + timedelta(days=moved_by), clock)
    assert next_start(moved, rule, LONDON, first) == usual[turns + 1]


async def test_a_fifth_thursday_series_is_on_the_last_thursday_every_month(world: World) -> None:
    # Thursday 31 December 2026 at 18:30 is the month's fifth Thursday.
    first_start = datetime(2026, 12, 31, 18, 30, tzinfo=UTC)
    messages = MeetingMessages(load_texts(CONFIG_DIR / "texts"), LONDON)
    assert messages.repeats(MONTHLY, first_start) == (
        "It repeats every month, on the last Thursday."
    )
    draft = MeetingDraft(
        title="Evening forum",
        starts_at=first_start,
        duration_minutes=60,
        audience=Audience(HUB, "nw_hub_1"),
        place="Hub room",
        repeat=MONTHLY,
    )
    latest = (await world.meetings.create(CASEY, draft)).meeting
    made = []
    for _ in range(12):
        world.clock.set(latest.starts_at + timedelta(minutes=1))
        [created] = await world.meetings.extend_series()
        latest = created.meeting
        made.append(latest.starts_at.astimezone(LONDON))
    assert [m.strftime("%d %b %H:%M") for m in made] == [
        "28 Jan 18:30",
        "25 Feb 18:30",
        "25 Mar 18:30",
        "29 Apr 18:30",  # a fifth Thursday again: the last, not the fourth
        "27 May 18:30",
        "24 Jun 18:30",
        "29 Jul 18:30",
        "26 Aug 18:30",
        "30 Sep 18:30",
        "28 Oct 18:30",
        "25 Nov 18:30",
        "30 Dec 18:30",
    ]


def test_the_preview_names_the_week_and_the_weekday() -> None:
    messages = MeetingMessages(load_texts(CONFIG_DIR / "texts"), LONDON)
    first_tuesday = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    assert messages.repeats(MONTHLY, first_tuesday) == (
        "It repeats every month, on the first Tuesday."
    )
    assert messages.repeats(MONTHLY, datetime(2027, 2, 25, 18, 0, tzinfo=UTC)) == (
        "It repeats every month, on the fourth Thursday."
    )
    assert messages.repeats(WEEKLY, first_tuesday) == "It repeats every week."
