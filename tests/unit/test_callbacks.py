"""Callback data: hostile button data never crashes decoding; encoding keeps Telegram's limit."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from handlers.shared.callbacks import MAX_BYTES, BadCallback, Callback, decode, encode, pattern

ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
valid_part = st.text(alphabet=ALPHABET, min_size=1, max_size=40)

hostile_text = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec=None), max_size=200),
    st.text(alphabet=":_-aZ09\n\r\t\x00\x7f\u200b\u202e\ufeff:", max_size=80),
    st.text(alphabet=st.characters(categories=["Cs", "Cc", "Zs", "Nd"]), max_size=80),
    st.lists(valid_part, max_size=8).map(":".join),
    st.lists(valid_part, max_size=4).map(lambda parts: "\n".join(parts) + "\n"),
    st.builds(lambda size: "a" * size, st.integers(min_value=60, max_value=200_000)),
)


@given(hostile_text, st.one_of(st.none(), valid_part))
@example("", None)
@example(":", None)
@example("a::b", None)
@example("set:\n", None)
@example("set\n", "set")
@example("\ud800", None)
@example("a" * 64, None)
@example("é" * 40, None)
@example("١٢٣", None)
def test_decode_raises_only_bad_callback(data: str, expected: str | None) -> None:
    try:
        callback = decode(data, expected)
    except BadCallback:
        return
    # Whatever is accepted is plain, short and of the expected shape.
    assert len(data.encode()) <= MAX_BYTES
    assert re.fullmatch(r"[A-Za-z0-9_\-:]+", data)
    assert ":".join((callback.action, *callback.args)) == data
    if expected is not None:
        assert callback.action == expected


@given(st.one_of(st.none(), st.integers(), st.binary(), st.lists(st.text()), st.floats()))
def test_decode_of_something_not_text_raises_bad_callback(data: object) -> None:
    with pytest.raises(BadCallback):
        decode(data)


@given(valid_part, st.lists(valid_part, max_size=6))
def test_encode_round_trips_or_refuses_with_value_error(action: str, args: list[str]) -> None:
    try:
        data = encode(action, *args)
    except ValueError:
        assert len(":".join([action, *args]).encode()) > MAX_BYTES
        return
    assert len(data.encode()) <= MAX_BYTES
    assert decode(data) == Callback(action, tuple(args))
    assert decode(data, action).args == tuple(args)
    assert re.match(pattern(action), data)


@given(st.text(max_size=100), st.lists(st.one_of(st.text(max_size=100), st.integers())))
@example("set", [":"])
@example("set", ["a\nb"])
@example("a:b", [])
@example("", [])
@example("x" * 41, [])
def test_encode_never_produces_more_than_64_bytes(action: str, args: list[object]) -> None:
    try:
        data = encode(action, *args)
    except ValueError:
        return
    assert len(data.encode()) <= MAX_BYTES
    assert decode(data).action == action


def test_a_negative_number_is_not_read_as_a_number() -> None:
    with pytest.raises(BadCallback):
        decode(encode("vote", -1)).int_arg(0)


def test_encoded_numbers_come_back_as_numbers() -> None:
    callback = decode(encode("vote", 12, 345))

    assert (callback.int_arg(0), callback.int_arg(1)) == (12, 345)


@given(st.lists(valid_part, min_size=1, max_size=4).map(":".join), st.integers(0, 6))
def test_arguments_never_crash_when_read(data: str, index: int) -> None:
    try:
        value = decode(data).int_arg(index)
    except BadCallback:
        return
    assert 0 <= value < 10**18


def test_the_pattern_picks_only_its_own_action() -> None:
    assert re.match(pattern("set"), "set:1")
    assert re.match(pattern("set"), "set")
    assert not re.match(pattern("set"), "settings:1")
    assert not re.match(pattern("a-b"), "a_b")
