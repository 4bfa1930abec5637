"""What one recipient receives: texts split (never cut), captions, media first, buttons last."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery.content import (
    CAPTION_LIMIT,
    DOCUMENT,
    PHOTO,
    Media,
    markup_json,
    plan,
    visible_length,
)

BUTTONS = {"inline_keyboard": [[{"text": "Yes", "callback_data": "rsvp:1:yes"}]]}


def test_a_short_text_is_one_message_with_its_buttons() -> None:
    [call] = plan("Hello <b>all</b>", None, json.dumps(BUTTONS))
    assert call.method == "sendMessage"
    assert call.params["text"] == "Hello <b>all</b>"
    assert call.params["parse_mode"] == "HTML"
    assert call.params["reply_markup"] == BUTTONS


def test_a_long_text_is_split_and_the_buttons_go_on_the_last_part() -> None:
    text = "\n\n".join(f"Paragraph {n}: " + "word " * 150 for n in range(12))
    calls = plan(text, None, json.dumps(BUTTONS))
    assert len(calls) > 1
    assert all(len(call.params["text"]) <= 4096 for call in calls)
    # Nothing is lost (the spaces at a cut may go: Telegram trims them anyway).
    assert "".join("".join(c.params["text"] for c in calls).split()) == "".join(text.split())
    assert "reply_markup" in calls[-1].params
    assert all("reply_markup" not in call.params for call in calls[:-1])


def test_a_photo_carries_a_short_text_as_its_caption() -> None:
    [call] = plan("See you <i>soon</i>", Media(PHOTO, "pho-1"), None)
    assert call.method == "sendPhoto"
    assert call.params == {"photo": "pho-1", "caption": "See you <i>soon</i>", "parse_mode": "HTML"}


def test_a_file_with_a_text_too_long_for_a_caption_goes_first() -> None:
    text = "x" * (CAPTION_LIMIT + 1)
    first, second = plan(text, Media(DOCUMENT, "doc-1"), json.dumps(BUTTONS))
    assert first.method == "sendDocument" and "caption" not in first.params
    assert second.method == "sendMessage" and second.params["reply_markup"] == BUTTONS


def test_media_alone_is_fine_but_nothing_at_all_is_not() -> None:
    [call] = plan("  ", Media(PHOTO, "pho-1"), None)
    assert "caption" not in call.params
    with pytest.raises(ValueError):
        plan(" ", None, None)
    with pytest.raises(ValueError):
        Media("video", "x")


def test_markup_accepts_ptb_objects_and_dicts_only() -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="rsvp:1:yes")]])
    assert json.loads(markup_json(markup)) == BUTTONS
    assert json.loads(markup_json(BUTTONS)) == BUTTONS
    assert markup_json(None) is None
    with pytest.raises(TypeError):
        markup_json(["not", "a", "keyboard"])


def test_visible_length_counts_what_telegram_counts() -> None:
    assert visible_length("<b>a&amp;b</b>") == 3
    assert visible_length("😀") == 2  # one emoji is two UTF-16 units


@given(st.text(min_size=1, max_size=9000).filter(lambda t: t.strip()))
def test_no_text_is_ever_cut(text: str) -> None:
    calls = plan(text, None, None)
    assert all(len(call.params["text"]) <= 4096 for call in calls)
    joined = "".join(call.params["text"] for call in calls)
    assert "".join(joined.split()) == "".join(text.split())
