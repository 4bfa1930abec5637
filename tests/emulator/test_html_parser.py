"""The Telegram HTML parser: entities, UTF-16 offsets, Telegram's errors, and properties."""

from __future__ import annotations

import contextlib
import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.entities import bot_command_entities, trim_text, utf16_len, utf16_slice
from emulator.html_parser import HtmlParseError, parse_html


def test_plain_text_has_no_entities() -> None:
    assert parse_html("just words") == ("just words", [])


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("<b>x</b>", "bold"),
        ("<strong>x</strong>", "bold"),
        ("<i>x</i>", "italic"),
        ("<em>x</em>", "italic"),
        ("<u>x</u>", "underline"),
        ("<ins>x</ins>", "underline"),
        ("<s>x</s>", "strikethrough"),
        ("<strike>x</strike>", "strikethrough"),
        ("<del>x</del>", "strikethrough"),
        ('<span class="tg-spoiler">x</span>', "spoiler"),
        ("<tg-spoiler>x</tg-spoiler>", "spoiler"),
        ("<code>x</code>", "code"),
        ("<pre>x</pre>", "pre"),
        ("<blockquote>x</blockquote>", "blockquote"),
        ("<blockquote expandable>x</blockquote>", "expandable_blockquote"),
        ("<B>x</B>", "bold"),
    ],
)
def test_each_supported_tag(source: str, kind: str) -> None:
    assert parse_html(source) == ("x", [{"type": kind, "offset": 0, "length": 1}])


def test_offsets_are_utf16_code_units() -> None:
    text, entities = parse_html("😀 <b>é😀z</b>")
    assert text == "😀 é😀z"
    assert entities == [{"type": "bold", "offset": 3, "length": 4}]
    assert utf16_slice(text, 3, 4) == "é😀z"


def test_nested_entities() -> None:
    text, entities = parse_html("<b>bold <i>both</i></b> plain")
    assert text == "bold both plain"
    assert {"type": "bold", "offset": 0, "length": 9} in entities
    assert {"type": "italic", "offset": 5, "length": 4} in entities


def test_links_and_mentions() -> None:
    text, entities = parse_html(
        '<a href="https://example.org/a?b=1&amp;c=2">site</a> <a href="tg://user?id=7">Bo</a>',
        user_lookup=lambda uid: {"id": uid, "is_bot": False, "first_name": "Bo"},
    )
    assert text == "site Bo"
    assert entities[0] == {
        "type": "text_link",
        "offset": 0,
        "length": 4,
        "url": "https://example.org/a?b=1&c=2",
    }
    assert entities[1]["type"] == "text_mention"
    assert entities[1]["user"]["id"] == 7


def test_pre_with_language() -> None:
    text, entities = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert text == "x = 1"
    assert entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]


def test_custom_emoji() -> None:
    _text, entities = parse_html('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>')
    assert entities == [
        {"type": "custom_emoji", "offset": 0, "length": 2, "custom_emoji_id": "5368324170671202286"}
    ]


def test_html_entities_are_decoded() -> None:
    assert parse_html("&lt;a&gt; &amp; &quot;q&quot; &#39; &#x1F600; &#128512;")[0] == (
        '<a> & "q" \' 😀 😀'
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("é <br/>", 'Unsupported start tag "br/" at byte offset 3'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<tg-emoji emoji-id="x">y</tg-emoji>', "Invalid custom emoji identifier specified"),
    ],
)
def test_telegram_errors(source: str, message: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(source)
    assert caught.value.message == message
    assert caught.value.description == f"Bad Request: can't parse entities: {message}"


def test_bare_ampersand_is_strict_by_default_and_lenient_on_request() -> None:
    with pytest.raises(HtmlParseError, match="byte offset 2"):
        parse_html("AT&T")
    assert parse_html("AT&T", strict_ampersand=False) == ("AT&T", [])


def test_lone_surrogate_is_not_utf8() -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html("bad \ud800")
    assert caught.value.description == "Bad Request: strings must be encoded in UTF-8"


def test_bot_command_entities() -> None:
    assert bot_command_entities("/start") == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert bot_command_entities("/help@forum_test_bot now") == [
        {"type": "bot_command", "offset": 0, "length": 20}
    ]
    assert bot_command_entities("see /menu and a/b") == [
        {"type": "bot_command", "offset": 4, "length": 5}
    ]
    assert bot_command_entities("no commands") == []


def test_trim_keeps_entities_aligned() -> None:
    text, entities = trim_text("\n  <x>  \n", [])
    assert (text, entities) == ("<x>", [])
    text, entities = trim_text("  ab  ", [{"type": "bold", "offset": 2, "length": 2}])
    assert text == "ab"
    assert entities == [{"type": "bold", "offset": 0, "length": 2}]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parser_only_raises_its_own_error(source: str) -> None:
    try:
        text, entities = parse_html(source)
    except HtmlParseError as exc:
        assert exc.description.startswith("Bad Request: ")
        return
    total = utf16_len(text)
    for entity in entities:
        assert entity["length"] > 0
        assert entity["offset"] >= 0 and entity["offset"] + entity["length"] <= total


TAGGY = st.text(alphabet=st.sampled_from(list("<>/&;#abiuspre =\"'x-ctgq😀é")), max_size=40)


@settings(max_examples=500, deadline=None)
@given(TAGGY)
def test_parser_survives_tag_soup(source: str) -> None:
    with contextlib.suppress(HtmlParseError):
        parse_html(source)


@settings(max_examples=300, deadline=None)
@given(
    st.text().filter(lambda t: t.encode("utf-8", "surrogatepass") == t.encode("utf-8", "ignore"))
)
def test_escaped_plain_text_round_trips(plain: str) -> None:
    assert parse_html(html.escape(plain)) == (plain, [])
    assert parse_html(html.escape(plain, quote=False)) == (plain, [])


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="<&", blacklist_categories=["Cs"])))
def test_text_without_markup_is_unchanged(plain: str) -> None:
    assert parse_html(plain) == (plain, [])


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=20),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=20),
)
def test_bold_entity_covers_exactly_the_tagged_text(before: str, inner: str) -> None:
    text, entities = parse_html(f"{html.escape(before)}<b>{html.escape(inner)}</b>")
    assert text == before + inner
    assert entities == [{"type": "bold", "offset": utf16_len(before), "length": utf16_len(inner)}]
