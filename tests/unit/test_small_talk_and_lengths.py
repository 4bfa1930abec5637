"""Parsers for issue 12, with hostile input: hello and thanks (handlers/fallback.py) and a
meeting's typed length (bot/services/meetings.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.meetings.rules import (
    MAX_MINUTES,
    LengthTooLong,
    LengthTooShort,
    LengthUnclear,
    read_length,
)
from bot.small_talk import HELLO, THANKS, small_talk


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "Hi!",
        "hiya",
        "hiiii",
        "HEY there",
        "Good morning",
        "morning all",
        "hello?",
        "hey up",
    ],
)
def test_hellos(text: str) -> None:
    assert small_talk(text) == HELLO


@pytest.mark.parametrize(
    "text",
    [
        "thanks",
        "cheers!",
        "Thank you",
        "thank u",
        "ta",
        "thx",
        "Thank you so much for your help x",
        "hi, thanks",
        "ok thanks",
        "cheers mate",
    ],
)
def test_thanks(text: str) -> None:
    assert small_talk(text) == THANKS


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ok",
        "good",
        "bye",
        "goodbye",
        "thanks for everything",  # can be a goodbye: the usual reply, never "you are welcome"
        "hi, I need help with my benefits",
        "hello I want to die",
        "what's the weather like",
        "hi " * 9,  # too long to be just a hello
        "/start",
    ],
)
def test_anything_more_is_not_small_talk(text: str) -> None:
    assert small_talk(text) is None


@given(st.text(max_size=300))
def test_small_talk_never_fails(text: str) -> None:
    assert small_talk(text) in (None, HELLO, THANKS)


@given(st.text(max_size=100))
def test_a_typed_length_is_a_usable_length_or_a_refusal_that_says_why(text: str) -> None:
    try:
        minutes = read_length(text)
    except (LengthUnclear, LengthTooShort, LengthTooLong) as refusal:
        assert refusal.reason.startswith("meetings.new_length_")
    else:
        assert 1 <= minutes <= MAX_MINUTES


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_any_number_of_minutes_is_read_or_refused_by_its_size(number: int) -> None:
    if number < 1:
        with pytest.raises(LengthTooShort):
            read_length(str(number))
    elif number > MAX_MINUTES:
        with pytest.raises(LengthTooLong):
            read_length(f"{number} minutes")
    else:
        assert read_length(f" {number} mins ") == number
