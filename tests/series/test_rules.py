"""The repeat rule, pure: when rounds open and close in UK time (across both clock changes and
years), and reading a rule a coordinator types (hostile input too)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.series.rules import (
    LAST,
    MONTH,
    WEEK,
    RepeatRule,
    RuleRefused,
    closing_of,
    code,
    from_code,
    next_opening,
    read_clock,
    read_rule,
)

LONDON = ZoneInfo("Europe/London")
FIRST_MONDAY_10 = RepeatRule(MONTH, 0, 1, time(10, 0), 7)


def local(moment: datetime) -> datetime:
    """A UTC moment in London."""
    return moment.astimezone(LONDON)


def test_first_monday_of_the_month_at_ten_uk_time_in_winter_and_summer() -> None:
    """From 10 December 2026: Monday 4 January 2027 at 10:00 GMT, then the first Monday of
    each month, at 10:00 UK time whether summer time is on or not."""
    after = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)
    seen = []
    for _ in range(12):
        after = next_opening(FIRST_MONDAY_10, after, LONDON)
        seen.append(local(after))
    assert [d.date().isoformat() for d in seen[:4]] == [
        "2027-01-04",
        "2027-02-01",
        "2027-03-01",
        "2027-04-05",
    ]
    assert all(d.weekday() == 0 and d.day <= 7 for d in seen)
    assert {(d.hour, d.minute) for d in seen} == {(10, 0)}
    # 10:00 in April is 09:00 UTC (summer time); in January it is 10:00 UTC.
    assert seen[0].astimezone(UTC).hour == 10
    assert seen[3].astimezone(UTC).hour == 9


def test_a_week_open_across_the_march_and_october_changes_closes_at_the_same_clock_time() -> None:
    """A round opening the Monday before a clock change closes seven days later at 10:00 UK
    time, which is 167 or 169 hours on the clock."""
    march = datetime(2027, 3, 22, 10, 0, tzinfo=LONDON).astimezone(UTC)  # change on the 28th
    closes = closing_of(march, FIRST_MONDAY_10, LONDON)
    assert local(closes) == datetime(2027, 3, 29, 10, 0, tzinfo=LONDON)
    assert closes - march == timedelta(hours=167)
    october = datetime(2027, 10, 25, 10, 0, tzinfo=LONDON).astimezone(UTC)  # change on the 31st
    closes = closing_of(october, FIRST_MONDAY_10, LONDON)
    assert local(closes).hour == 10
    assert closes - october == timedelta(hours=169)


def test_a_time_the_clocks_skip_is_read_as_meetings_read_it() -> None:
    """Every Sunday at 01:30: on the March change day 01:30 does not exist; the round opens at
    02:30 summer time (as a meeting would), and the next Sunday is back at 01:30."""
    rule = RepeatRule(WEEK, 6, None, time(1, 30), 1)
    after = datetime(2027, 3, 27, 12, 0, tzinfo=UTC)
    change_day = next_opening(rule, after, LONDON)
    assert local(change_day).date().isoformat() == "2027-03-28"
    assert (local(change_day).hour, local(change_day).minute) == (2, 30)
    following = next_opening(rule, change_day, LONDON)
    assert (local(following).hour, local(following).minute) == (1, 30)
    assert following - change_day == timedelta(days=7, hours=-1)


def test_a_time_that_comes_twice_is_the_first() -> None:
    """Every Sunday at 01:30 on the October change day: the first 01:30 (summer time)."""
    rule = RepeatRule(WEEK, 6, None, time(1, 30), 2)
    opening = next_opening(rule, datetime(2027, 10, 30, 12, 0, tzinfo=UTC), LONDON)
    assert opening == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_the_last_friday_and_the_fourth() -> None:
    """The last Friday of a month with five is the fifth; the fourth is the fourth."""
    last = RepeatRule(MONTH, 4, LAST, time(14, 0), 5)
    fourth = RepeatRule(MONTH, 4, 4, time(14, 0), 5)
    after = datetime(2027, 1, 1, tzinfo=UTC)  # January 2027 has five Fridays
    assert local(next_opening(last, after, LONDON)).day == 29
    assert local(next_opening(fourth, after, LONDON)).day == 22


def test_a_round_opening_exactly_now_is_not_next() -> None:
    """Strictly after: the round opening at this very moment is the current one."""
    now = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
    assert local(next_opening(FIRST_MONDAY_10, now, LONDON)).date().isoformat() == "2027-02-01"


rules = st.builds(
    lambda every, weekday, week, hour, minute, days: RepeatRule(
        every, weekday, week if every == MONTH else None, time(hour, minute), days
    ),
    st.sampled_from([WEEK, MONTH]),
    st.integers(0, 6),
    st.integers(1, LAST),
    st.integers(0, 23),
    st.sampled_from([0, 15, 30, 45]),
    st.integers(1, 28),
)


@settings(max_examples=300, deadline=None)
@given(
    rule=rules,
    start=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)
    ),
)
def test_each_next_round_is_later_on_the_right_weekday_and_week(
    rule: RepeatRule, start: datetime
) -> None:
    """Across years and clock changes: each next round is after the one before, on the rule's
    weekday in local time, in the right week of the month, at the rule's local time (or an hour
    later when the clocks skip it), and closes after it opens, on the day the rule says."""
    previous = start
    for _ in range(6):
        opening = next_opening(rule, previous, LONDON)
        assert opening > previous
        here = local(opening)
        assert here.weekday() == rule.weekday
        if rule.every == WEEK:
            assert opening - previous <= timedelta(days=7, hours=2)
        elif rule.week == LAST:
            assert (here + timedelta(days=7)).month != here.month
        else:
            assert (here.day - 1) // 7 + 1 == rule.week
        shift = (here.hour * 60 + here.minute) - (rule.clock.hour * 60 + rule.clock.minute)
        assert shift in (0, 60)
        closes = closing_of(opening, rule, LONDON)
        assert closes > opening
        assert (local(closes).date() - here.date()).days == rule.open_days
        previous = opening


@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("every month on the first Monday at 10:00 for 7 days", FIRST_MONDAY_10),
        ("Every month on the first Monday at 10:00, open for 7 days.", FIRST_MONDAY_10),
        ("monthly, 1st mon, 10am, 1 week", FIRST_MONDAY_10),
        ("every week on Tuesday at 9:30 for 3 days", RepeatRule(WEEK, 1, None, time(9, 30), 3)),
        ("weekly wed 2.15pm 2 days", RepeatRule(WEEK, 2, None, time(14, 15), 2)),
        ("Fridays at noon for a day", RepeatRule(WEEK, 4, None, time(12, 0), 1)),
        (
            "every month on the last Friday at 2pm for 5 days",
            RepeatRule(MONTH, 4, LAST, time(14, 0), 5),
        ),
        ("the third thursday 18:00 for 4 weeks", RepeatRule(MONTH, 3, 3, time(18, 0), 28)),
    ],
)
def test_typed_rules_are_read(typed: str, rule: RepeatRule) -> None:
    """The ways people write a rule."""
    assert read_rule(typed) == rule


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("every month at 10:00 for 7 days", "no_weekday"),
        ("every month on Monday at 10:00 for 7 days", "which_week"),
        ("every week on Monday for 7 days", "no_time"),
        ("every week on Monday at 10 for 7 days", "no_time"),
        ("every week on Monday at 25:00 for 7 days", "no_time"),
        ("every week on Monday at 10:00", "no_days"),
        ("every week on Monday at 10:00 for 30 days", "days_range"),
        ("every week on Monday at 10:00 for 0 days", "days_range"),
        ("every 2 weeks on Monday at 10:00", "unclear"),
        ("every other Monday at 10:00 for 3 days", "unclear"),
        ("every week on Monday and Friday at 10:00 for 3 days", "unclear"),
        ("every week on the first Monday at 10:00 for 3 days", "unclear"),
        ("x" * 500, "unclear"),
    ],
)
def test_rules_that_cannot_be_read_say_what_is_missing(typed: str, why: str) -> None:
    """Each refusal names its catalogue text."""
    with pytest.raises(RuleRefused) as refused:
        read_rule(typed)
    assert refused.value.reason == f"series.rule_{why}"


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=150))
def test_any_typed_text_is_a_rule_or_a_refusal(text: str) -> None:
    """Hostile input never crashes: a rule within its limits, or RuleRefused."""
    try:
        rule = read_rule(text)
    except RuleRefused:
        return
    assert 1 <= rule.open_days <= 28


@settings(max_examples=200, deadline=None)
@given(rule=rules)
def test_a_rule_read_back_from_its_words_and_its_button_code(rule: RepeatRule) -> None:
    """A rule written the way the ask suggests reads back the same, and so does its short
    code for a button."""
    weekday = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    day = weekday[rule.weekday]
    if rule.every == MONTH:
        week = {1: "first", 2: "second", 3: "third", 4: "fourth", LAST: "last"}[rule.week]
        text = f"every month on the {week} {day} at {rule.clock:%H:%M} for {rule.open_days} days"
    else:
        text = f"every week on {day} at {rule.clock:%H:%M} for {rule.open_days} days"
    assert read_rule(text) == rule
    assert from_code(code(rule)) == rule


@pytest.mark.parametrize(
    "bad", ["", "x-0-1-1000-7", "m-9-1-1000-7", "m-0-0-1000-7", "w-0-0-2500-7"]
)
def test_a_bad_button_code_is_refused(bad: str) -> None:
    """A forged code is a ValueError (the handler answers it as a stale button)."""
    with pytest.raises(ValueError):
        from_code(bad)


def test_a_typed_time_alone() -> None:
    """The opening time typed on its own for /series."""
    assert read_clock("10:30") == time(10, 30)
    assert read_clock("at 2pm") == time(14, 0)
    for bad in ("soon", "10", "10:00 tomorrow", "99:00"):
        with pytest.raises(RuleRefused):
            read_clock(bad)
