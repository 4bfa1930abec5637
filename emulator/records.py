"""Records of users, chats, messages, files and requests, and their Bot API JSON shapes."""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass(slots=True)
class UserRecord:
    """A simulated Telegram user."""

    user_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"
    blocked: bool = False
    deactivated: bool = False

    def to_api(self) -> dict[str, Any]:
        """Return the Bot API ``User`` object."""
        user: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user


@dataclass(slots=True)
class FileRecord:
    """A stored file: uploaded by the bot or sent by a simulated user."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    filename: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        """Return the size in bytes."""
        return len(self.data)

    def _ids(self) -> dict[str, Any]:
        """The fields every Bot API file object starts with."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }

    def to_file(self) -> dict[str, Any]:
        """Return the Bot API ``File`` object (for getFile)."""
        return {**self._ids(), "file_path": self.file_path}

    def to_document(self) -> dict[str, Any]:
        """Return the Bot API ``Document`` object."""
        doc = self._ids()
        if self.filename:
            doc["file_name"] = self.filename
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        return doc

    def summary(self, include_data: bool = False) -> dict[str, Any]:
        """Return a JSON-ready summary for the control API (bytes base64-encoded on request)."""
        shown = ("file_id", "file_unique_id", "filename", "mime_type", "size", "width", "height")
        out: dict[str, Any] = {name: getattr(self, name) for name in shown}
        if include_data:
            out["data_base64"] = base64.b64encode(self.data).decode("ascii")
        return out


@dataclass(slots=True)
class PhotoRecord:
    """A photo message's picture: the original file and the sizes announced to the bot."""

    file: FileRecord
    sizes: list[dict[str, Any]]

    @property
    def data(self) -> bytes:
        """Return the picture's bytes."""
        return self.file.data

    @property
    def file_id(self) -> str:
        """Return the file_id of the largest size."""
        return self.sizes[-1]["file_id"]


@dataclass(slots=True)
class MessageVersion:
    """A message's content before one of its edits."""

    date: int
    text: str | None
    html: str | None
    entities: list[dict[str, Any]]
    caption: str | None
    caption_entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)


@dataclass(slots=True, eq=False)
class MessageRecord:
    """One message in a chat, sent by the bot (``from_bot``) or by a simulated user.

    ``text``/``caption`` are the plain texts after entity parsing, ``html``/``caption_html`` the
    raw strings the bot sent when it used ``parse_mode=HTML``. ``reply_markup`` is the markup as
    the bot sent it (also reply keyboards, which Telegram never echoes back). ``history`` holds
    the earlier versions, oldest first, one per edit.
    """

    chat_id: int
    message_id: int
    from_bot: bool
    sender: dict[str, Any]
    chat: dict[str, Any]
    date: int
    text: str | None = None
    html: str | None = None
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_html: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    document: FileRecord | None = None
    photo: PhotoRecord | None = None
    contact: dict[str, Any] | None = None
    reply_to: MessageRecord | None = None
    edit_date: int | None = None
    history: list[MessageVersion] = field(default_factory=list)
    deleted: bool = False
    deleted_date: int | None = None
    disable_notification: bool = False
    protect_content: bool = False
    monotonic: float = 0.0
    thread_id: int | None = None  # the forum topic it is in (supergroups with topics)
    service: dict[str, Any] | None = None  # a service message's fields (new_chat_members, ...)

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        """Return the rows of inline buttons (empty without an inline keyboard)."""
        markup = self.reply_markup
        if markup and "inline_keyboard" in markup:
            return markup["inline_keyboard"]
        return []

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """Return inline buttons flattened as (text, callback_data or url or None)."""
        return [
            (button.get("text", ""), button.get("callback_data", button.get("url")))
            for row in self.inline_keyboard
            for button in row
        ]

    @property
    def keyboard(self) -> list[list[str]]:
        """Return the labels of a reply keyboard (``ReplyKeyboardMarkup``), if one was sent."""
        markup = self.reply_markup or {}
        return [
            [button if isinstance(button, str) else button.get("text", "") for button in row]
            for row in markup.get("keyboard", [])
        ]

    @property
    def edit_count(self) -> int:
        """Return how many times the message was edited."""
        return len(self.history)

    @property
    def content(self) -> str:
        """Return the text, or the caption for media messages, or ''."""
        return self.text if self.text is not None else (self.caption or "")

    def snapshot(self) -> MessageVersion:
        """Return the current content as a :class:`MessageVersion`."""
        kept = {f.name: getattr(self, f.name) for f in fields(MessageVersion) if f.name != "date"}
        return MessageVersion(date=self.edit_date or self.date, **kept)

    def to_api(self, with_reply: bool = True) -> dict[str, Any]:
        """Return the Bot API ``Message`` object as Telegram would send it."""
        msg: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat,
            "date": self.date,
        }
        if self.edit_date is not None:
            msg["edit_date"] = self.edit_date
        if with_reply and self.reply_to is not None:
            msg["reply_to_message"] = self.reply_to.to_api(with_reply=False)
        if self.text is not None:
            msg["text"] = self.text
            if self.entities:
                msg["entities"] = self.entities
        if self.document is not None:
            msg["document"] = self.document.to_document()
        if self.photo is not None:
            msg["photo"] = self.photo.sizes
        if self.contact is not None:
            msg["contact"] = self.contact
        if self.caption:
            msg["caption"] = self.caption
            if self.caption_entities:
                msg["caption_entities"] = self.caption_entities
        if self.protect_content:
            msg["has_protected_content"] = True
        if self.thread_id is not None:
            msg["message_thread_id"] = self.thread_id
            msg["is_topic_message"] = True
        if self.service:
            msg.update(self.service)
        markup = self.reply_markup
        if markup and "inline_keyboard" in markup:
            msg["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        return msg

    def as_dict(self, include_data: bool = False) -> dict[str, Any]:
        """Return a JSON-ready view for the control API and debugging."""
        return {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "from_bot": self.from_bot,
            "from_id": self.sender.get("id"),
            "date": self.date,
            "text": self.text,
            "html": self.html,
            "parse_mode": self.parse_mode,
            "entities": self.entities,
            "caption": self.caption,
            "caption_html": self.caption_html,
            "caption_entities": self.caption_entities,
            "reply_markup": self.reply_markup,
            "buttons": [list(button) for button in self.buttons],
            "document": self.document.summary(include_data) if self.document else None,
            "photo": self.photo.file.summary(include_data) if self.photo else None,
            "contact": self.contact,
            "reply_to_message_id": self.reply_to.message_id if self.reply_to else None,
            "edit_date": self.edit_date,
            "history": [version.as_dict() for version in self.history],
            "deleted": self.deleted,
            "thread_id": self.thread_id,
            "service": self.service,
        }


@dataclass(slots=True)
class ChatRecord:
    """A private chat with one user or a group the bot is in, with every message in it.

    ``messages`` holds both sides in order (check ``from_bot``); ``events`` is the bot's
    activity (``("sent"|"edited"|"deleted", message)``) that :meth:`wait_for_message` walks.
    """

    chat_id: int
    type: str
    title: str | None = None
    user: UserRecord | None = None
    started: bool = False
    bot_is_admin: bool = False
    bot_removed: bool = False
    messages: list[MessageRecord] = field(default_factory=list)
    by_id: dict[int, MessageRecord] = field(default_factory=dict)
    events: list[tuple[str, MessageRecord]] = field(default_factory=list)
    read_cursor: int = 0
    last_message_id: int = 0
    actions: list[tuple[str, float]] = field(default_factory=list)
    menu_button: dict[str, Any] | None = None
    is_forum: bool = False  # a supergroup with topics
    topics: dict[int, str] = field(default_factory=dict)  # message_thread_id -> name
    migrated_to: int | None = None  # the supergroup this group became
    members: set[int] = field(default_factory=set)  # user ids in a group
    admins: set[int] = field(default_factory=set)  # user ids who administer a group

    @property
    def is_group(self) -> bool:
        """Return whether this is a group or supergroup."""
        return self.type != "private"

    @property
    def bot_messages(self) -> list[MessageRecord]:
        """Return the messages the bot sent, oldest first (deleted ones included)."""
        return [m for m in self.messages if m.from_bot]

    @property
    def user_messages(self) -> list[MessageRecord]:
        """Return the messages simulated users sent, oldest first."""
        return [m for m in self.messages if not m.from_bot]

    @property
    def last_bot_message(self) -> MessageRecord | None:
        """Return the bot's most recent message that is not deleted, if any."""
        for message in reversed(self.messages):
            if message.from_bot and not message.deleted:
                return message
        return None

    def message(self, message_id: int) -> MessageRecord:
        """Return the message with ``message_id`` (KeyError if there is none)."""
        return self.by_id[message_id]

    def to_api(self) -> dict[str, Any]:
        """Return the Bot API ``Chat`` object."""
        if self.user is not None:
            chat: dict[str, Any] = {
                "id": self.chat_id,
                "type": "private",
                "first_name": self.user.first_name,
            }
            if self.user.last_name:
                chat["last_name"] = self.user.last_name
            if self.user.username:
                chat["username"] = self.user.username
            return chat
        chat = {"id": self.chat_id, "type": self.type, "title": self.title or ""}
        if self.is_forum:
            chat["is_forum"] = True
        return chat

    def to_full_info(self) -> dict[str, Any]:
        """Return the Bot API ``ChatFullInfo`` object (for getChat)."""
        info = self.to_api()
        info.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return info


@dataclass(slots=True)
class CallbackQueryRecord:
    """A button press by a simulated user."""

    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created: float
    answered: bool = False
    inline_message_id: str | None = None  # a press on a message sent in inline mode


@dataclass(slots=True)
class CallbackAnswer:
    """How the bot answered a callback query."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    time: float
    pressed: float = 0.0  # when the button was pressed (the same clock as ``time``)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)


@dataclass(slots=True)
class RequestRecord:
    """One Bot API call: method, target chat, HTTP status (0: dropped) and emulator time."""

    method: str
    chat_id: int | None
    status: int
    time: float
    description: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)
