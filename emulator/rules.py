"""Telegram's validation rules: text and caption formatting and length, keyboards, commands."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from . import errors as e
from .entities import trim_text, utf16_len
from .errors import ApiError, bad_request
from .html_parser import HtmlParseError, parse_html

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_ANSWER_TEXT = 200
MAX_BUTTONS = 100
INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
ENTITY_TYPES = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
        "date_time",
    }
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")

UserLookup = Callable[[int], "dict[str, Any] | None"]


def format_text(
    raw: str | None,
    parse_mode: str | None,
    explicit_entities: Any,
    *,
    strict_ampersand: bool = True,
    user_lookup: UserLookup | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """Turn a text or caption as sent into (plain text, entities), trimmed like Telegram."""
    raw = raw or ""
    if explicit_entities:
        text = raw
        entities = _check_entities(raw, explicit_entities)
    else:
        text, entities = _parse(raw, parse_mode, strict_ampersand, user_lookup)
    return trim_text(text, entities)


def _parse(
    raw: str, parse_mode: str | None, strict: bool, user_lookup: UserLookup | None
) -> tuple[str, list[dict[str, Any]]]:
    """Apply ``parse_mode`` to ``raw``."""
    mode = (parse_mode or "").strip().lower()
    if not mode:
        try:
            raw.encode("utf-8")
        except UnicodeEncodeError:
            raise bad_request(e.NOT_UTF8) from None
        return raw, []
    if mode == "html":
        try:
            return parse_html(raw, strict_ampersand=strict, user_lookup=user_lookup)
        except HtmlParseError as exc:
            raise ApiError(400, exc.description) from None
    if mode in ("markdown", "markdownv2"):
        raise bad_request(
            f"can't parse entities: parse_mode {parse_mode} is not supported by the emulator; "
            "use HTML"
        )
    raise bad_request("unsupported parse_mode")


def _check_entities(text: str, entities: Any) -> list[dict[str, Any]]:
    """Validate entities passed explicitly instead of a parse_mode."""
    if not isinstance(entities, list):
        raise bad_request("can't parse entities JSON object")
    total = utf16_len(text)
    checked = []
    for entity in entities:
        if not isinstance(entity, dict) or entity.get("type") not in ENTITY_TYPES:
            raise bad_request("can't parse MessageEntity: unsupported entity type")
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or offset < 0 or length < 1:
            raise bad_request("can't parse MessageEntity: invalid offset or length")
        if offset + length > total:
            raise bad_request("entity end is out of range")
        checked.append(entity)
    checked.sort(key=lambda item: (item["offset"], -item["length"]))
    return checked


def check_text(text: str) -> None:
    """Enforce a message text's length: 1..4096 UTF-16 code units after parsing."""
    if not text:
        raise bad_request(e.TEXT_EMPTY)
    if len(text) > MAX_TEXT // 2 and utf16_len(text) > MAX_TEXT:
        raise bad_request(e.TEXT_TOO_LONG)


def check_caption(caption: str) -> None:
    """Enforce a caption's length: at most 1024 UTF-16 code units after parsing."""
    if len(caption) > MAX_CAPTION // 2 and utf16_len(caption) > MAX_CAPTION:
        raise bad_request(e.CAPTION_TOO_LONG)


def reply_markup(value: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
    """Validate a reply_markup (JSON string or dict); return it normalised, or None if empty."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request(e.MARKUP_JSON)
    if "inline_keyboard" in value:
        rows = _inline_keyboard(value["inline_keyboard"])
        return {"inline_keyboard": rows} if rows else None
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in value:
        rows = value["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else (button or {}).get("text")
                if not isinstance(text, str) or not text:
                    raise bad_request("can't parse keyboard button: Text must be non-empty")
        return value
    if value.get("remove_keyboard") or value.get("force_reply"):
        return value
    raise bad_request(e.MARKUP_JSON)


def _inline_keyboard(rows: Any) -> list[list[dict[str, Any]]]:
    """Validate the rows of an inline keyboard."""
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    total = 0
    kept = []
    for row in rows:
        if not row:
            continue
        for button in row:
            _inline_button(button)
        total += len(row)
        kept.append(row)
    if total > MAX_BUTTONS:
        raise bad_request("BUTTONS_TOO_MUCH")
    return kept


def _inline_button(button: Any) -> None:
    """Validate one inline keyboard button."""
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [name for name in INLINE_ACTIONS if button.get(name) is not None]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be "
            f"used, got {', '.join(actions)}"
        )
    if "callback_data" in actions:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8", "replace")) <= (
            MAX_CALLBACK_DATA
        ):
            raise bad_request(e.BUTTON_DATA_INVALID)
    if "url" in actions:
        check_button_url(button["url"])


def check_button_url(url: Any) -> None:
    """Require an http(s) or tg:// URL, with Telegram's descriptions for the failures."""
    if not isinstance(url, str):
        raise bad_request('can\'t parse inline keyboard button: Field "url" must be of type String')
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        raise bad_request(
            f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL"
        ) from None
    scheme = parts.scheme.lower()
    if scheme == "tg" and (parts.netloc or parts.path):
        return
    if scheme in ("http", "https") and host:
        return
    if scheme and scheme not in ("http", "https", "tg"):
        raise bad_request(
            f"inline keyboard button URL '{url}' is invalid: Unsupported URL protocol"
        )
    raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def check_commands(commands: Any) -> list[dict[str, str]]:
    """Validate setMyCommands' list: at most 100 commands, names 1-32 of [a-z0-9_]."""
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    checked = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand: BotCommand must be an Object")
        name = command.get("command")
        description = command.get("description")
        if not isinstance(name, str) or not _COMMAND_NAME.fullmatch(name.lstrip("/")):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        checked.append({"command": name.lstrip("/"), "description": description})
    return checked


def check_answer_text(text: str | None) -> None:
    """Callback query answers may carry at most 200 characters."""
    if text is not None and len(text) > MAX_ANSWER_TEXT:
        raise bad_request("MESSAGE_TOO_LONG")


def check_chat_action(action: str | None) -> None:
    """sendChatAction only knows Telegram's action names."""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
