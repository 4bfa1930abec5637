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
class FileUpload:
    """A file the bot made (a chart, a CSV), sent as bytes until Telegram gives it a file_id."""

    filename: str
    data: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.data, bytes):
            raise TypeError("an upload's data must be bytes")
        if not self.data:
            raise ValueError("an upload needs some bytes")
        name = self.filename
        if (
            not isinstance(name, str)
            or not name.strip()
            or name in (".", "..")
            or any(c in name for c in "/\\\0")
            or len(name) > 255
        ):
            raise ValueError("an upload needs a plain file name, without slashes")


@dataclass(frozen=True)
class Media:
    """A photo or a file: one already on Telegram (its file_id) or one to upload (its bytes)."""

    kind: str
    file_id: str | None = None
    upload: FileUpload | None = None

    def __post_init__(self) -> None:
        if self.kind not in MEDIA_KINDS:
            raise ValueError(f"media kind must be one of {MEDIA_KINDS}")
        if (self.file_id is None) == (self.upload is None):
            raise ValueError("media needs exactly one of a file_id and an upload")
        if self.file_id is not None and not self.file_id.strip():
            raise ValueError("media needs a file_id")
        if self.upload is not None and not isinstance(self.upload, FileUpload):
            raise TypeError("media's upload must be a FileUpload")

    @property
    def source(self) -> str | FileUpload:
        """What goes in the call's photo/document field: the file_id, or the bytes to upload."""
        if self.upload is not None:
            return self.upload
        return self.file_id or ""


@dataclass(frozen=True)
class Outgoing:
    """One Bot API call to one chat (the chat_id is added when it is sent)."""

    method: str
    params: dict[str, Any] = field(default_factory=dict)


def upload_field(call: Outgoing) -> str | None:
    """The name of the param that carries bytes to upload ('photo', 'document'), or None."""
    for name, value in call.params.items():
        if isinstance(value, FileUpload):
            return name
    return None


def with_file_id(calls: list[Outgoing], file_id: str) -> list[Outgoing]:
    """The same calls with any upload replaced by the file_id Telegram gave it."""
    out = []
    for call in calls:
        name = upload_field(call)
        out.append(call if name is None else Outgoing(call.method, {**call.params, name: file_id}))
    return out


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
    otherwise the media goes first and the text follows. Media to upload appears in the call's
    params as its ``FileUpload`` (the transport then posts the call as multipart).
    """
    calls: list[Outgoing] = []
    text_parts = split_text(text_html) if text_html.strip() else []
    if media is not None:
        params: dict[str, Any] = {media.kind: media.source}
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
