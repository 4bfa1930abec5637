"""Survey buttons' callback data: every button the bot makes fits Telegram's 64 bytes and reads
back as it was made; anything else (hostile, cut, too long, odd) is refused as a stale button,
never read as some other press."""

from __future__ import annotations

import contextlib
import secrets

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.shared.callbacks import MAX_BYTES, BadCallback
from handlers.surveys.codes import (
    AGREE,
    BACK,
    DONE,
    MANAGE,
    MANAGE_STEPS,
    PRESS,
    SKIP,
    START,
    STOP,
    TICK,
    WITHDRAW,
    WITHDRAW_ASK,
    WITHDRAW_KEEP,
    WITHDRAW_YES,
    SurveyPress,
    read_manage,
    read_press,
    read_scale,
    read_withdraw,
    scale_value,
    survey_data,
)

ids = st.from_regex(r"[a-z0-9_]{1,16}", fullmatch=True)  # as survey files allow them
survey_ids = st.integers(min_value=1, max_value=10**12)


@given(survey_ids, ids, ids)
def test_every_member_button_fits_and_reads_back(survey: int, question: str, option: str) -> None:
    made = {
        survey_data(START, survey): SurveyPress(START, survey),
        survey_data(AGREE, survey): SurveyPress(AGREE, survey),
        survey_data(BACK, survey): SurveyPress(BACK, survey),
        survey_data(STOP, survey): SurveyPress(STOP, survey),
        survey_data(PRESS, survey, question, option): SurveyPress(PRESS, survey, question, option),
        survey_data(TICK, survey, question, option): SurveyPress(TICK, survey, question, option),
        survey_data(DONE, survey, question): SurveyPress(DONE, survey, question),
        survey_data(SKIP, survey, question): SurveyPress(SKIP, survey, question),
    }
    for data, press in made.items():
        assert len(data.encode()) <= MAX_BYTES
        assert read_press(data) == press


@given(survey_ids, ids, st.sampled_from([1, 2, 3, 4, 5]))
def test_a_scale_value_is_never_taken_for_an_option(survey: int, question: str, value: int) -> None:
    data = survey_data(PRESS, survey, question, scale_value(value))
    press = read_press(data)
    assert read_scale(press.value) == value
    # An option called "3" (lower case ids may be digits) stays an option, not a scale value.
    assert read_scale(read_press(survey_data(PRESS, survey, question, str(value))).value) is None


@given(st.one_of(st.text(max_size=80), st.binary(max_size=80), st.none(), st.integers()))
def test_any_data_is_read_or_refused_never_crashes(data: object) -> None:
    for read in (read_press, read_withdraw, read_manage):
        with contextlib.suppress(BadCallback):
            read(data)


@pytest.mark.parametrize(
    "data",
    [
        "svs",  # no survey
        "svs:",
        "svs:x",
        "svs:-1",
        "svs:1:2",  # too many parts
        "svp:1:q",  # no value
        "svp:1:Q:a",  # a question id in capitals is never one of ours
        "svp:1:q:S9",  # not on the scale, and not an option id either
        "svp:1:q:a:b",
        "svt:1:q",
        "svd:1",
        "svk:1:q:x",
        "svb:1:q",
        "svq:1",  # not a survey action
        "cv:1:0",  # a consultation's
        "svp:1:" + "q" * 17 + ":a",  # longer than any id a file may have
        "svs:1\n",
        "svs:１",  # a full-width digit
        "svs:" + "9" * 19,
    ],
)
def test_malformed_presses_are_refused(data: str) -> None:
    with pytest.raises(BadCallback):
        read_press(data)


def test_withdraw_buttons_carry_the_token_and_a_step() -> None:
    token = secrets.token_urlsafe(16)
    assert read_withdraw(f"{WITHDRAW}:{token}") == (token, WITHDRAW_ASK)
    assert read_withdraw(f"{WITHDRAW}:{token}:y") == (token, WITHDRAW_YES)
    assert read_withdraw(f"{WITHDRAW}:{token}:n") == (token, WITHDRAW_KEEP)
    assert len(f"{WITHDRAW}:{token}:y".encode()) <= MAX_BYTES
    for bad in (f"{WITHDRAW}:{token}:", f"{WITHDRAW}:{token}:x", f"{WITHDRAW}:short", WITHDRAW):
        with pytest.raises(BadCallback):
            read_withdraw(bad)


@given(survey_ids, st.sampled_from(MANAGE_STEPS))
def test_coordinator_buttons_read_back(survey: int, step: str) -> None:
    assert read_manage(survey_data(MANAGE, survey, step)) == (survey, step)


@pytest.mark.parametrize("data", ["svc:1", "svc:1:z", "svc:x:c", "svc:1:c:2", "svs:1"])
def test_odd_coordinator_buttons_are_refused(data: str) -> None:
    with pytest.raises(BadCallback):
        read_manage(data)
