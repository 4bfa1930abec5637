"""Splitting long texts: nothing lost or reordered, every part fits, short texts untouched."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.textsplit import TELEGRAM_LIMIT, split_text, units

WHITESPACE = re.compile(r"\s+")

words = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30)
paragraphs = st.lists(words, max_size=60).map(" ".join)
texts = st.one_of(
    st.text(max_size=400),
    st.lists(paragraphs, max_size=8).map("\n\n".join),
    st.lists(st.sampled_from(["<b>bold</b>", "word", " ", "\n", "<a href='x'>", "</a>"])).map(
        "".join
    ),
    st.builds(lambda n: "x" * n, st.integers(0, 300)),
)


def _ink(text: str) -> str:
    """The text without whitespace: what must survive splitting, in order."""
    return WHITESPACE.sub("", text)


@given(texts, st.integers(min_value=16, max_value=120))
@example("a" * 1000, 16)
@example(("word " * 50) + ("<b>bold text</b> " * 20), 16)
@example("\n\n\n" + "b" * 40 + "\n\n\n", 16)
@example("\u2028" * 30 + "c" * 30, 16)
def test_nothing_is_lost_or_reordered_and_every_part_fits(text: str, limit: int) -> None:
    parts = split_text(text, limit)

    assert parts
    assert all(units(part) <= limit for part in parts)
    assert _ink("".join(parts)) == _ink(text)


@given(texts, st.integers(min_value=16, max_value=120))
@example("\n", 16)
@example("\nHello\n", 16)
@example("", 16)
def test_short_text_comes_back_unchanged_as_one_part(text: str, limit: int) -> None:
    while units(text) > limit:
        text = text[:-1]

    assert split_text(text, limit) == [text]


@given(st.lists(st.text(alphabet="abc <>/", min_size=1, max_size=15), min_size=1, max_size=200))
def test_long_text_splits_into_several_parts(chunks: list[str]) -> None:
    text = " ".join(chunks) + " end"
    parts = split_text(text, 32)

    assert (len(parts) > 1) == (len(text) > 32)


def test_paragraphs_are_kept_whole_when_they_fit() -> None:
    first = "First paragraph. " * 150
    second = "Second paragraph. " * 150
    text = f"{first.strip()}\n\n{second.strip()}"

    parts = split_text(text)

    assert parts == [first.strip(), second.strip()]


def test_words_are_not_cut() -> None:
    text = " ".join(["lovely"] * 1000)

    parts = split_text(text, 100)

    assert all(set(part.split()) == {"lovely"} for part in parts)


def test_a_tag_is_not_cut_in_half() -> None:
    text = "x" * 20 + '<a href="https://example.org/a/long/path">link</a>'

    parts = split_text(text, 60)

    assert len(parts) == 2
    assert all(part.count("<") == part.count(">") for part in parts)
    assert "".join(parts) == text


def test_telegram_limit_is_the_default() -> None:
    text = "a " * TELEGRAM_LIMIT

    parts = split_text(text)

    assert len(parts) > 1
    assert all(units(part) <= TELEGRAM_LIMIT for part in parts)


def test_a_tiny_limit_is_refused() -> None:
    with pytest.raises(ValueError):
        split_text("hello", 15)
