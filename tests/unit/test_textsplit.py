"""Splitting long texts: every part is HTML Telegram reads and fits its limit as Telegram counts
it, nothing is lost, reordered or loses its formatting, and short texts come back untouched.

The emulator's HTML parser (tdlib's rules) is the judge of what Telegram would accept.
"""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.textsplit import TELEGRAM_LIMIT, split_text, units, visible_units
from emulator.entities import utf16_len
from emulator.html_parser import parse_html

WHITESPACE = re.compile(r"\s+")
# What people type: any character but lone surrogates and control characters (a line break
# aside), with plenty of what HTML escapes, emoji (two UTF-16 units) and joined characters.
ODD = "&<>\"' \n\u00e9e\u0301\U0001f44d\U0001f3fd\u200d\U0001f469\ufe0f"
typed = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=["Cs", "Cc"]),
        st.sampled_from(list(ODD)),
    ),
    max_size=60,
)
TAGS = (
    ("<b>", "</b>"),
    ("<i>", "</i>"),
    ("<u>", "</u>"),
    ("<s>", "</s>"),
    ("<code>", "</code>"),
    ("<tg-spoiler>", "</tg-spoiler>"),
    ('<span class="tg-spoiler">', "</span>"),
    ('<a href="https://example.org/a?b=1&amp;c=2">', "</a>"),
    ("<blockquote>", "</blockquote>"),
)


def _wrapped(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Some HTML inside one more tag."""
    return st.tuples(st.sampled_from(TAGS), st.lists(children, max_size=4)).map(
        lambda pair: pair[0][0] + "".join(pair[1]) + pair[0][1]
    )


escaped = typed.map(html.escape)
markup = st.recursive(escaped, _wrapped, max_leaves=12)
documents = st.lists(st.tuples(markup, st.sampled_from(["", " ", "\n", "\n\n"])), max_size=12).map(
    lambda items: "".join(text + gap for text, gap in items)
)


def _ink(text: str) -> str:
    """The text without whitespace: what must survive splitting, in order."""
    return WHITESPACE.sub("", text)


def _styled(source: str) -> list[tuple[str, frozenset[str]]]:
    """Each visible, non-space character of an HTML text with the formatting it is shown in."""
    text, entities = parse_html(source)
    out = []
    offset = 0
    for char in text:
        styles = frozenset(
            entity["type"] + entity.get("url", "")
            for entity in entities
            if entity["offset"] <= offset < entity["offset"] + entity["length"]
        )
        if not char.isspace():
            out.append((char, styles))
        offset += utf16_len(char)
    return out


@settings(max_examples=150, deadline=None)
@given(documents, st.integers(min_value=16, max_value=120))
@example("<i>" + "&amp;" * 40 + "</i>", 16)
@example("<b>" + html.escape("&\"'" * 50) + "</b> tail", 16)
@example("<b>bold <i>both</i></b>\n\n" * 10, 16)
@example("\U0001f44d\U0001f3fd" * 40, 16)
@example("\n\n\n" + "b" * 40 + "\n\n\n", 16)
def test_every_part_is_read_by_telegram_and_nothing_loses_its_place_or_look(
    text: str, limit: int
) -> None:
    parts = split_text(text, limit)

    assert parts
    for part in parts:
        shown, _ = parse_html(part)  # raises if Telegram could not read it
        assert utf16_len(shown) <= limit
        assert shown.strip() or parts == [text]  # a part with nothing to read is left out
    assert [item for part in parts for item in _styled(part)] == _styled(text)


# Plain text: no "<" or "&", which split_text (whose input is HTML) reads as markup, so
# "0000<A>" is 5 units to it (a link tag) and would be 8 to a reader of the raw string.
@given(
    st.text(
        alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="<&"), max_size=400
    )
)
@example("\u2028" * 30 + "c" * 30)
def test_plain_text_keeps_every_character_in_order(text: str) -> None:
    parts = split_text(text, 16)

    assert all(units(part) <= 16 for part in parts)
    assert _ink("".join(parts)) == _ink(text)


@given(documents, st.integers(min_value=16, max_value=120))
@example("\n", 16)
@example("\nHello\n", 16)
@example("", 16)
def test_a_text_that_fits_comes_back_unchanged_as_one_part(text: str, limit: int) -> None:
    while visible_units(text) > limit:
        text = text[: len(text) // 2]

    assert split_text(text, limit) == [text]


def test_a_members_note_of_escaped_characters_fits_where_its_html_would_not() -> None:
    note = html.escape('&"' * 500)  # 1,000 characters a member typed, 5,500 of HTML
    text = f"<b>Please get in touch</b>\n\nTheir note: <i>{note}</i>"

    assert len(text) > TELEGRAM_LIMIT
    assert split_text(text) == [text]


def test_a_long_note_is_split_outside_entities_and_keeps_its_italics() -> None:
    note = html.escape("&\"'" * 3000)
    text = f"<b>Please get in touch</b>\n\nTheir note: <i>{note}</i>"

    parts = split_text(text)

    assert len(parts) == 3
    assert [part.count("<i>") for part in parts] == [1, 1, 1]
    assert all(part.endswith("</i>") for part in parts)
    read = [parse_html(part)[0] for part in parts]
    assert all(utf16_len(shown) <= TELEGRAM_LIMIT for shown in read)
    assert "".join(read).endswith("&\"'" * 3000)


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


def test_an_emoji_keeps_its_skin_tone() -> None:
    text = "x" + "\U0001f44d\U0001f3fd" * 20  # 1 + 80 units

    parts = split_text(text, 16)

    assert all(not part.startswith("\U0001f3fd") for part in parts)
    assert "".join(parts) == text


def test_a_link_is_opened_again_in_the_next_part() -> None:
    text = '<a href="https://example.org/x">' + "word " * 10 + "</a>"

    parts = split_text(text, 20)

    assert len(parts) > 1
    for part in parts:
        _, entities = parse_html(part)
        assert [e["url"] for e in entities] == ["https://example.org/x"]


def test_telegram_limit_is_the_default() -> None:
    text = "a " * TELEGRAM_LIMIT

    parts = split_text(text)

    assert len(parts) > 1
    assert all(units(part) <= TELEGRAM_LIMIT for part in parts)


def test_visible_units_count_what_telegram_shows() -> None:
    assert visible_units("<b>a&amp;b</b> &#x27;\U0001f44d") == 7
    assert visible_units("&nbsp;") == 6  # not an entity Telegram reads: counted as written


def test_a_tiny_limit_is_refused() -> None:
    with pytest.raises(ValueError):
        split_text("hello", 15)
