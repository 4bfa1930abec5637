"""Attendance reports never show a count of 1 to 4 people, in the text or in the CSV file, and
no small count can be worked out from the figures shown (property tests, hypothesis).

The forum here has hub names without digits and the dates are fixed, so any 1, 2, 3 or 4 in a
report could only be a count. How many meetings were held is not a count of people and is shown
as it is; the tests draw it as 0 or at least 5 so it never looks like one.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.forum import Forum, Hub, Region
from bot.results.attendance_csv import attendance_csv
from bot.results.breakdown import protect_breakdown
from bot.results.suppression import FEWER_THAN_5, FEWER_THAN_THRESHOLD, HIDDEN, SHOWN, Figure
from bot.services.attendance import (
    OTHERS,
    build_meeting_report,
    build_period_report,
    months_before,
)
from bot.texts import load_texts
from config.settings import CONFIG_DIR
from handlers.meetings.attendance_messages import AttendanceMessages
from storage.attendance import MeetingFigures, PastMeeting, PeriodFigures

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 6, 20, 11, 0, tzinfo=UTC)  # no 1 to 4 in any date shown
STARTS = datetime(2026, 6, 15, 13, 0, tzinfo=UTC)
FORUM = Forum(
    regions=(
        Region(
            "north", "North", (Hub("bolton", "Bolton", "north"), Hub("wigan", "Wigan", "north"))
        ),
        Region("east", "East", (Hub("leeds", "Leeds", "east"), Hub("hull", "Hull", "east"))),
        Region("south", "South", (Hub("bath", "Bath", "south"),)),
    ),
    target_members=200,
    target_hubs_per_region=2,
)
PLACES = [
    ("north", "bolton"),
    ("north", "wigan"),
    ("north", ""),
    ("east", "leeds"),
    ("east", "hull"),
    ("east", ""),
    ("south", "bath"),
    ("south", ""),
    ("", ""),
    ("gone", "old_hub"),  # a place the forum file no longer has
]
SMALL = re.compile(r"(?<!\d)[1-4](?!\d)")
MESSAGES = AttendanceMessages(load_texts(CONFIG_DIR / "texts"), LONDON, FORUM)
EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,  # a fixed sequence: steady in CI (each example solves small programs)
    suppress_health_check=[HealthCheck.too_slow],
)

counts = st.dictionaries(st.sampled_from(PLACES), st.integers(0, 12), max_size=len(PLACES))
meeting_counts = st.sampled_from([0, *range(5, 40)])


def small_numbers_in_text(text: str) -> list[str]:
    return SMALL.findall(text)


def small_numbers_in_csv(data: bytes) -> list[str]:
    assert data.startswith(b"\xef\xbb\xbf")
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    return [cell for row in rows for cell in row if cell.strip() in {"1", "2", "3", "4"}]


@EXAMPLES
@given(
    came=counts,
    invited=st.integers(0, 60),
    going=st.integers(0, 30),
    scope=st.sampled_from([("everyone", None), ("region", "north"), ("hub", "leeds")]),
    saved=st.booleans(),
)
def test_a_meeting_report_never_shows_one_to_four(came, invited, going, scope, saved) -> None:
    meeting = PastMeeting(7, "Forum day", STARTS, scope[0], scope[1], saved)
    report = build_meeting_report(MeetingFigures(meeting, invited, going, came), FORUM)
    text = MESSAGES.meeting(report)
    assert small_numbers_in_text(text) == [], text


@EXAMPLES
@given(
    attendances=counts,
    members=counts,
    people=st.integers(0, 40),
    held=meeting_counts,
    saved=meeting_counts,
    months=st.sampled_from([3, 12]),
)
def test_a_period_summary_never_shows_one_to_four(
    attendances, members, people, held, saved, months
) -> None:
    since = months_before(NOW, months, LONDON)
    figures = PeriodFigures(held, saved, attendances, people)
    report = build_period_report(figures, members, FORUM, months, since, NOW)
    text = MESSAGES.period(report)
    assert small_numbers_in_text(text) == [], text
    data = MESSAGES.period_csv(report)
    assert small_numbers_in_csv(data) == []
    assert b"Whole forum" in data
    if members.get(("north", "bolton"), 0) >= report.threshold and report.regions:
        assert b"Bolton" in data


# --- no place under the threshold stands alone (SMALL_GROUP_THRESHOLD) -------------------------


def _lines(report) -> list:
    """Every line of a period summary: regions, "other places", hubs."""
    return [line for region in report.regions for line in (region.area, *region.hubs)]


@EXAMPLES
@given(
    came=counts,
    invited=st.integers(0, 60),
    going=st.integers(0, 30),
    scope=st.sampled_from([("everyone", None), ("region", "north"), ("hub", "leeds")]),
    threshold=st.sampled_from([5, 10, 12]),
)
def test_a_meeting_report_shows_no_place_under_the_threshold(
    came, invited, going, scope, threshold
) -> None:
    """Each place shown, and "other places", had at least the threshold's people come; with
    fewer than the threshold invited, going and came read "fewer than 10", no places."""
    meeting = PastMeeting(7, "Forum day", STARTS, scope[0], scope[1], True)
    report = build_meeting_report(MeetingFigures(meeting, invited, going, came), FORUM, threshold)
    if 0 < invited < threshold:
        # "fewer than 10" (or "hidden" for data where more came than were invited)
        assert {report.going.status, report.came.status} <= {FEWER_THAN_THRESHOLD, HIDDEN}
        if sum(came.values()) < invited:
            assert report.came.status == FEWER_THAN_THRESHOLD
        assert report.places == ()
        return
    for place in report.places:
        assert place.came.status == SHOWN and place.came.value >= threshold, (place, came)
        if place.kind == OTHERS:
            assert len(place.parts) >= 2
    if report.places:
        assert report.came == Figure(sum(came.values()), SHOWN)
        assert sum(place.came.value for place in report.places) == report.came.value
    text = MESSAGES.meeting(report)
    assert f"A place with fewer than {threshold} people is not shown on its own." in text


@EXAMPLES
@given(
    attendances=counts,
    members=counts,
    people=st.integers(0, 40),
    threshold=st.sampled_from([5, 10, 12]),
)
def test_a_period_summary_shows_no_place_under_the_threshold(
    attendances, members, people, threshold
) -> None:
    """Each region, hub and "other places" line has at least the threshold's members now (or
    nobody at all behind it); with fewer in the whole forum, no line and no exact count."""
    since = months_before(NOW, 3, LONDON)
    figures = PeriodFigures(7, 6, attendances, people)
    report = build_period_report(figures, members, FORUM, 3, since, NOW, threshold)
    whole = sum(members.values())
    if 0 < whole < threshold:
        assert report.regions == ()
        assert report.members.status == FEWER_THAN_THRESHOLD
        assert report.people.status in (FEWER_THAN_THRESHOLD, HIDDEN)  # never its value
        assert report.attendances.status == HIDDEN
        return
    for line in _lines(report):
        empty = line.members == Figure(0, SHOWN) and line.attendances == Figure(0, SHOWN)
        assert empty or (line.members.status == SHOWN and line.members.value >= threshold), line
        if line.kind == OTHERS:
            assert len(line.parts) >= 2
    for region in report.regions:
        if region.hubs:  # the hub lines (with "other places") make up the region exactly
            assert sum(h.members.value for h in region.hubs) == region.area.members.value
    if report.regions:
        shown = sum(region.area.members.value for region in report.regions)
        assert shown == report.members.value == whole


def test_one_member_in_a_hub_is_never_shown_on_its_own() -> None:
    """The issue, for attendance: Wigan's one member came to both meetings. Alone, "came: fewer
    than 5, members: fewer than 5" beside zeros elsewhere would say so."""
    members = {("north", "bolton"): 14, ("north", "wigan"): 1, ("east", "leeds"): 12}
    attendances = {("north", "bolton"): 9, ("north", "wigan"): 2, ("east", "leeds"): 6}
    since = months_before(NOW, 3, LONDON)
    report = build_period_report(
        PeriodFigures(2, 2, attendances, 12), members, FORUM, 3, since, NOW
    )
    north = next(r for r in report.regions if r.area.place_id == "north")
    assert north.hubs == ()  # Wigan alone would be given away by North less Bolton
    names = [MESSAGES.place_name(line.kind, line.place_id, line.parts) for line in _lines(report)]
    assert not any(name == "Wigan" for name in names)
    text = MESSAGES.period(report)
    assert "Wigan" not in text and "Bolton" not in text
    assert "<b>North</b>: came 11. Members: 15." in text  # the region, no hub lines
    assert "• Leeds: came 6. Members: 12." in text  # East's hubs: Leeds, and empty Hull


def test_a_meeting_with_few_invited_shows_fewer_than_ten() -> None:
    meeting = PastMeeting(7, "Forum day", STARTS, "hub", "leeds", True)
    report = build_meeting_report(MeetingFigures(meeting, 6, 6, {("east", "leeds"): 0}), FORUM)
    text = MESSAGES.meeting(report)
    assert "Invited: 6. Said going: fewer than 10." in text
    assert "Came: fewer than 10." in text
    assert "No one came" not in text and "Came, by hub" not in text


def test_the_scan_would_find_a_small_count() -> None:
    assert small_numbers_in_text("Came: 3.") == ["3"]
    assert small_numbers_in_text("• Bath: came 4. Members: 12.") == ["4"]
    assert small_numbers_in_text("15 Jun 2026, 14:00. Came: 12. fewer than 5") == []
    rows = attendance_csv([("Came", 3)], ["Place"], [["Bath", Figure(2, SHOWN)]], {})
    assert small_numbers_in_csv(rows) == ["3", "2"]


def test_csv_text_cells_cannot_start_a_formula() -> None:
    data = attendance_csv(
        [("=cmd()", 7)],
        ["+Place", "@Region"],
        [["-Bath", "North", Figure(None, FEWER_THAN_5), Figure(None, HIDDEN)]],
        {FEWER_THAN_5: "fewer than 5", HIDDEN: "hidden"},
    )
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["'=cmd()", "7"]
    assert rows[2] == ["'+Place", "'@Region"]
    assert rows[3] == ["'-Bath", "North", "fewer than 5", "hidden"]


# --- no small count can be worked out --------------------------------------------------------


def _possible(figure: Figure, bound: int) -> range | tuple[int, ...]:
    """What an attacker knows a figure can be."""
    if figure.status == SHOWN:
        return (figure.value,)
    if figure.status == FEWER_THAN_5:
        return range(1, 5)
    return (0, *range(5, bound + 1))


def _add(a: set[int], b: set[int], bound: int) -> set[int]:
    """Every sum of one value from each set, up to bound."""
    return {x + y for x in a for y in b if x + y <= bound}


def _totals(
    safe,
    groups: list[list[int]],
    bound: int,
    part: tuple[int, int, int] | None = None,
    group: tuple[int, int] | None = None,
) -> set[int]:
    """Totals an attacker finds possible, with one part (group, index, value) or one group
    (group, value) pinned."""
    totals = {0}
    for g, figures in enumerate(safe.parts):
        sums = {0}
        for p, figure in enumerate(figures):
            values = set(_possible(figure, bound))
            if part is not None and part[:2] == (g, p):
                values &= {part[2]}
            sums = _add(sums, values, bound)
        sums &= set(_possible(safe.groups[g], bound))
        if group is not None and group[0] == g:
            sums &= {group[1]}
        totals = _add(totals, sums, bound)
    return totals & set(_possible(safe.total, bound))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.integers(0, 9), min_size=1, max_size=3), min_size=1, max_size=5))
def test_no_small_count_can_be_worked_out(groups: list[list[int]]) -> None:
    """An attacker who knows every figure shown, that a group is the sum of its parts and the
    total the sum of the groups, that "fewer than 5" is 1 to 4 and "hidden" is 0 or 5 and more,
    still finds two or more values for every small figure."""
    safe = protect_breakdown(groups)
    bound = sum(map(sum, groups)) + 30  # room enough for any hidden figure to move
    for g, figures in enumerate(safe.parts):
        for p, figure in enumerate(figures):
            if figure.status == FEWER_THAN_5:
                possible = [v for v in range(1, 5) if _totals(safe, groups, bound, part=(g, p, v))]
                assert len(possible) >= 2, (groups, safe, (g, p))
        if safe.groups[g].status == FEWER_THAN_5:
            possible = [v for v in range(1, 5) if _totals(safe, groups, bound, group=(g, v))]
            assert len(possible) >= 2, (groups, safe, g)
    if safe.total.status == FEWER_THAN_5:
        assert len(_totals(safe, groups, bound) & set(range(1, 5))) >= 2, (groups, safe)
