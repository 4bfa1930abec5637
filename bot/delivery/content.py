"""What one recipient receives: the Bot API calls for a text, a photo or a file, and buttons."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.textsplit import split_text

PHOTO, DOCUMENT = "photo", "document"
MEDIA_KINDS = (PHOTO, DOCUMENT)
CAPTION_LIMIT = 1024
TEXT_LIMIT = 4096
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Media:
    """A photo or a file already on Telegram, sent again by its file_id."""

    kind: str
    file_id: str

    def __post_init__(self) -> None:
        if self.kind not in MEDIA_KINDS:
            raise ValueError(f"media kind must be one of {MEDIA_KINDS}")
        if not self.file_id:
            raise ValueError("media needs a file_id")


@dataclass(frozen=True)
class Outgoing:
    """One Bot API call to one chat (the chat_id is added when it is sent)."""

    method: str
    params: dict[str, Any] = field(default_factory=dict)


def visible_length(text_html: str) -> int:
    """Roughly how long Telegram counts a text: tags removed, entities read, UTF-16 units."""
    plain = html.unescape(_TAG.sub("", text_html))
    return len(plain.encode("utf-16-le")) // 2


def markup_json(reply_markup: object) -> str | None:
    """Buttons as Bot API JSON: a dict, or any object with to_dict() (python-telegram-bot's)."""
    if reply_markup is None:
        return None
    to_dict = getattr(reply_markup, "to_dict", None)
    data = to_dict() if callable(to_dict) else reply_markup
    if not isinstance(data, Mapping):
        raise TypeError("reply_markup must be a mapping or have to_dict()")
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def plan(text_html: str, media: Media | None, reply_markup: str | None) -> list[Outgoing]:
    """The calls that make up one recipient's message, in order; buttons go on the last.

    A long text is split (never cut). With media, the text becomes its caption when it fits,
    otherwise the media goes first and the text follows.
    """
    calls: list[Outgoing] = []
    text_parts = split_text(text_html) if text_html.strip() else []
    if media is not None:
        params: dict[str, Any] = {media.kind: media.file_id}
        if text_parts and len(text_parts) == 1 and visible_length(text_parts[0]) <= CAPTION_LIMIT:
            params.update(caption=text_parts[0], parse_mode="HTML")
            text_parts = []
        method = "sendPhoto" if media.kind == PHOTO else "sendDocument"
        calls.append(Outgoing(method, params))
    for part in text_parts:
        calls.append(
            Outgoing(
                "sendMessage",
                {"text": part, "parse_mode": "HTML", "link_preview_options": {"is_disabled": True}},
            )
        )
    if not calls:
        raise ValueError("a message needs text or media")
    if reply_markup is not None:
        calls[-1].params["reply_markup"] = json.loads(reply_markup)
    return calls
