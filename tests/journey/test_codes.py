"""The short codes journey buttons carry for what a member hides: every stored name goes there
and back, fits callback data, and anything else is refused; a member's own words for a skill
are kept tidy or refused with a reason (property tests, hostile input)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.services.journey.items import (
    ITEM_KINDS,
    SECTIONS,
    code_of,
    item_name,
    item_of,
    read_item,
)
from bot.services.journey.skills import OwnWordsRefused, read_own_words
from handlers.shared.callbacks import decode, encode

stored = st.one_of(
    st.sampled_from(SECTIONS),
    st.builds(item_name, st.sampled_from(ITEM_KINDS), st.integers(1, 10**15 - 1)),
)


@given(stored)
def test_every_stored_name_goes_to_a_button_and_back(item: str) -> None:
    code = code_of(item)
    data = encode("jny", "h", code)

    assert len(data.encode()) <= 64
    assert item_of(decode(data, "jny").arg(1)) == item
    assert read_item(item) is not None


@given(st.text(max_size=40))
def test_any_other_code_is_refused_or_names_a_real_shape(code: str) -> None:
    item = item_of(code)

    if item is not None:  # only a well-formed code reads as an item, and it reads back the same
        assert code_of(item) == code
        assert read_item(item) is not None


@given(st.text(max_size=60))
def test_any_stored_text_that_is_not_a_name_is_refused(text: str) -> None:
    parsed = read_item(text)

    if parsed is not None:
        kind, item_id = parsed
        assert text in SECTIONS or text == item_name(kind, item_id)


def test_odd_codes_are_refused() -> None:
    for code in ("", "x", "m0", "m01", "o-1", "c1.5", "m" + "9" * 16, "meetings", "j1", None, 7):
        assert item_of(code) is None  # type: ignore[arg-type]
    for text in ("meeting:0", "meeting:01", "meeting: 1", "crisis", "opportunity:", "skills "):
        assert read_item(text) is None


@given(st.text(max_size=200))
def test_own_words_are_either_kept_tidy_or_refused_with_a_reason(typed: str) -> None:
    try:
        words = read_own_words(typed)
    except OwnWordsRefused as refused:
        assert refused.reason in {"journey.own_empty", "journey.own_too_long", "journey.own_odd"}
        return
    assert 1 <= len(words) <= 40
    assert words == words.strip() and "  " not in words and "\n" not in words
    assert all(char.isprintable() or char in "\u200d\ufe0f" for char in words)
