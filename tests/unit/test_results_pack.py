"""What decision-makers and members actually read: for any results, no count from 1 to 4 ever
appears as a number in the pack's words, the chart caption, the members' message or the CSV."""

from __future__ import annotations

import csv
import html
import io
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.results.csvfile import CsvHeaders, results_csv
from bot.results.suppression import AreaCounts, RawResults, national, protect
from storage.consultations import Consultation
from tests.unit.consultation_samples import CLOSED, a_consultation, renderer
from tests.unit.test_suppression import row_values

LABELS = ("Agree", "Disagree", "Not sure")
AREAS = ("north_west", "north_east", "midlands")
_TAG = re.compile(r"<[^>]+>")
_PERCENT = re.compile(r"\(\d+%\)")
_SMALL = re.compile(r"(?<![\d:])[1-4](?![\d:])")
EXPLAINED = 'Any number from 1 to 4 shows as "fewer than 5".'


@st.composite
def results(draw) -> RawResults:
    """Random results with a breakdown by real regions (structural rules kept)."""
    k = draw(st.integers(2, 3))
    multiple = draw(st.booleans())
    areas = tuple(
        AreaCounts(area, *draw(row_values(k, multiple)))
        for area in AREAS[: draw(st.integers(1, 3))]
    )
    return RawResults(
        LABELS[:k],
        multiple,
        sum(a.invited for a in areas),
        sum(a.answered for a in areas),
        tuple(sum(a.counts[o] for a in areas) for o in range(k)),
        areas,
    )


def closed_consultation(raw: RawResults) -> Consultation:
    """A closed national consultation with these answers."""
    return a_consultation(
        options=raw.options, multiple=raw.multiple, state="closed", closed_at=CLOSED
    )


def small_numbers(text_html: str) -> list[str]:
    """Standalone numbers 1 to 4 a person would read (percentages and the rule itself aside)."""
    plain = html.unescape(_TAG.sub("", text_html)).replace(EXPLAINED, "")
    return _SMALL.findall(_PERCENT.sub("", plain))


@settings(
    deadline=None,
    max_examples=120,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(results())
def test_no_small_count_is_ever_readable(raw: RawResults) -> None:
    messages = renderer()
    consultation = closed_consultation(raw)
    safe = protect(raw)
    full = messages.full_results(consultation, safe)
    assert not small_numbers(full), full
    caption = messages.summary(consultation, safe)
    assert not small_numbers(caption), caption
    members_text, _ = messages.member_results(consultation, national(safe))
    assert not small_numbers(members_text), members_text

    data = results_csv(
        safe,
        area_names=messages.area_names(consultation, safe),
        headers=CsvHeaders("Area", "Everyone", "Asked", "Answered", "Answered (%)"),
        status_words=messages.status_words(safe.threshold),
    )
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    for row in rows[1:]:
        counts = row[1:3] + row[4:]  # skip the response-rate column (a percentage)
        assert not {"1", "2", "3", "4"} & set(counts), row
