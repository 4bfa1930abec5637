"""The response table behind the CSV file, and the rule for what of it is published: no cross-tab
of two published columns has a cell of 1 to threshold - 1, every row's whole combination of
answers is shared by at least threshold rows, and no column is left out that could have stayed."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.surveys.definition import NUMBER, Question
from bot.services.surveys.table import (
    SurveyColumn,
    band_of,
    column_value,
    disclosed,
    number_bands,
    response_table,
    survey_columns,
)
from tests.surveys.result_samples import SURVEY, answered_surveys, property_settings, response

# Property tests run many examples; on a busy machine they take several times longer.
pytestmark = pytest.mark.timeout(600)

PROPERTY = property_settings(100)


def groups(rows: list[tuple]) -> Counter:
    """How many rows share each whole combination."""
    return Counter(rows)


@PROPERTY
@given(answered_surveys(), st.integers(5, 12))
def test_published_table_never_singles_anyone_out(answered, threshold) -> None:
    survey, responses = answered
    table = response_table(survey, responses, threshold)
    if len(responses) < threshold:
        assert table is None
        return
    assert table is not None
    assert len(table.rows) == (len(responses) if table.columns else 0)
    # Every row's whole combination is shared by at least threshold rows.
    assert all(size >= threshold for size in groups(list(table.rows)).values())
    # So no cross-tab of two published columns has a cell of 1 to threshold - 1.
    for a, b in itertools.combinations(range(len(table.columns)), 2):
        cells = Counter((row[a], row[b]) for row in table.rows)
        assert all(size >= threshold for size in cells.values()), (a, b, cells)
    # Every column was either published or left out, in question order.
    every = survey_columns(survey)
    assert set(table.columns) | set(table.left_out) == set(every)
    assert list(table.columns) == [c for c in every if c in table.columns]
    # A column left out really had to be: with it, some combination would be too small.
    for column in table.left_out:
        trial = [
            tuple(column_value(survey, c, answers) for c in (*table.columns, column))
            for answers in responses
        ]
        assert min(groups(trial).values()) < threshold, column
    # The rows are the real answers, in an order that says nothing of who finished when.
    real = Counter(tuple(column_value(survey, c, a) for c in table.columns) for a in responses)
    assert groups(list(table.rows)) == real if table.columns else True
    shuffled = list(responses)
    random.Random(7).shuffle(shuffled)
    assert response_table(survey, shuffled, threshold) == table


def test_a_rare_answer_takes_its_whole_column_out() -> None:
    # 12 went to their GP, 2 to A&E: the "where" column would single out the two; the scale
    # column, where everyone answered 4 or 5 in groups of 7, stays.
    responses = [response(where="gp", easy=4 if i < 7 else 5) for i in range(12)]
    responses += [response(where="ae", why_ae="open", easy=4), response(where="ae", easy=5)]
    table = response_table(SURVEY, responses, 5)
    assert table is not None
    assert SurveyColumn("where") in table.left_out
    assert SurveyColumn("why_ae") in table.left_out
    assert table.columns == (
        SurveyColumn("which", "friend"),
        SurveyColumn("which", "peer"),
        SurveyColumn("which", "app"),
        SurveyColumn("easy"),
        SurveyColumn("times"),
    )
    assert Counter(row[3] for row in table.rows) == {4: 8, 5: 6}
    # Nobody answered "which" nor "times": blank for all, which singles nobody out.
    assert {row[:3] for row in table.rows} == {(None, None, None)}


def test_a_later_column_is_judged_with_the_ones_kept_before_it() -> None:
    # "where" alone splits 10/10; "easy" alone splits 10/10; together the groups are 9+1 and
    # 1+9, so "easy" goes while "where" stays.
    responses = [response(where="gp", easy=2) for _ in range(9)] + [response(where="gp", easy=5)]
    responses += [response(where="ae", why_ae="told", easy=5) for _ in range(9)]
    responses += [response(where="ae", why_ae="told", easy=2)]
    table = response_table(SURVEY, responses, 5)
    assert table is not None
    assert SurveyColumn("where") in table.columns
    assert SurveyColumn("easy") in table.left_out
    assert Counter(row[table.columns.index(SurveyColumn("where"))] for row in table.rows) == {
        "gp": 10,
        "ae": 10,
    }


def test_too_few_finished_means_no_table() -> None:
    responses = [response(where="gp", easy=3) for _ in range(9)]
    assert response_table(SURVEY, responses, 10) is None
    assert response_table(SURVEY, [], 5) is None
    assert disclosed([], 5) == []


def test_only_the_questions_allowed_get_columns() -> None:
    responses = [response(where="gp", easy=3) for _ in range(10)]
    table = response_table(SURVEY, responses, 5, only={"easy"})
    assert table is not None
    assert table.columns == (SurveyColumn("easy"),)
    assert SurveyColumn("where") in table.left_out


def test_choices_get_one_yes_no_column_per_option() -> None:
    answers = response(which=("friend", "app"))
    cells = [column_value(SURVEY, SurveyColumn("which", o), answers) for o in ("friend", "peer")]
    assert cells == [True, False]
    assert column_value(SURVEY, SurveyColumn("which", "app"), response(which=None)) is None
    assert column_value(SURVEY, SurveyColumn("which", "app"), response()) is None


def test_answers_that_do_not_fit_are_left_blank() -> None:
    # A kept survey never holds these; if one did, it is no answer rather than a crash.
    assert column_value(SURVEY, SurveyColumn("where"), response(where="mars")) is None
    assert column_value(SURVEY, SurveyColumn("easy"), response(easy=9)) is None
    assert column_value(SURVEY, SurveyColumn("easy"), response(easy=True)) is None
    assert column_value(SURVEY, SurveyColumn("times"), response(times="3")) is None
    assert column_value(SURVEY, SurveyColumn("which", "app"), response(which="app")) is None
    assert column_value(SURVEY, SurveyColumn("gone"), response(gone=1)) is None


def test_number_bands_come_from_the_file_not_the_answers() -> None:
    bands = number_bands(Question("n", NUMBER, "How many?", minimum=0, maximum=12))
    assert [(b.low, b.high, b.top) for b in bands] == [(0, 5, None), (5, 10, None), (10, 15, 12)]
    assert [band_of(bands, v) for v in (0, 4, 5, 9, 10, 12)] == [0, 0, 1, 1, 2, 2]
    assert band_of(bands, 13) is None
    # One to five: one band each.
    bands = number_bands(Question("n", NUMBER, "How many?", minimum=1, maximum=5))
    assert [band_of(bands, v) for v in range(1, 6)] == [0, 1, 2, 3, 4]
    # A last band holding only the top joins the one before it.
    bands = number_bands(Question("n", NUMBER, "Score?", minimum=0, maximum=10, decimals=True))
    assert len(bands) == 5 and band_of(bands, 10) == 4 and band_of(bands, 9.99) == 4
    # Without both bounds: 0, 1, 2-4, 5-9, ... 1000 or more.
    bands = number_bands(Question("n", NUMBER, "How many?", minimum=0))
    assert [band_of(bands, v) for v in (0, 1, 3, 7, 15, 2000)] == [0, 1, 2, 3, 4, 8]
    bands = number_bands(Question("n", NUMBER, "Change?"))
    assert band_of(bands, -4) == 0 and bands[0].low is None
    # A minimum below zero starts the first band at the minimum.
    bands = number_bands(Question("n", NUMBER, "Change?", minimum=-3, maximum=7))
    assert bands[0].low == -3


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.integers(-1000, 1000),
    st.integers(0, 5000),
    st.booleans(),
    st.data(),
)
def test_every_allowed_number_falls_in_exactly_one_band(low, width, decimals, data) -> None:
    question = Question(
        "n", NUMBER, "How many?", minimum=low, maximum=low + width, decimals=decimals
    )
    bands = number_bands(question)
    assert 1 <= len(bands) <= 5 or width == 0
    value = data.draw(
        st.floats(low, low + width, allow_nan=False) if decimals else st.integers(low, low + width)
    )
    assert sum(band.holds(value) for band in bands) == 1
