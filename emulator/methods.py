"""The Bot API methods: each takes the state and the request's parameters and returns a result."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from . import errors as e
from . import rules
from .errors import ApiError, bad_request, too_many_requests
from .media import image_size, new_file_ids, scaled
from .params import Params, Upload
from .records import CallbackAnswer, ChatRecord, FileRecord, MessageRecord, PhotoRecord
from .state import EmulatorState, WebhookSetting

Handler = Callable[[EmulatorState, Params], Awaitable[Any]]

MAX_UPLOAD = 50 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024
DELETE_WINDOW = 48 * 3600
CALLBACK_TIMEOUT = 15.0


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """A Bot API method: canonical name, implementation, and whether it sends to a chat."""

    name: str
    handler: Handler
    sending: bool


METHODS: dict[str, MethodSpec] = {}


def api_method(name: str, *, sending: bool = False) -> Callable[[Handler], Handler]:
    """Register a handler under ``name`` (looked up case-insensitively)."""

    def register(handler: Handler) -> Handler:
        """Add ``handler`` to :data:`METHODS`."""
        METHODS[name.lower()] = MethodSpec(name, handler, sending)
        return handler

    return register


# -- helpers ---------------------------------------------------------------------------------


def _chat_id(p: Params, name: str = "chat_id") -> int:
    """Return the target chat id; a missing or unusable one is Telegram's 400."""
    raw = p.raw(name)
    if raw is None or raw == "":
        raise bad_request(f"{name} is empty")
    if isinstance(raw, bool):
        raise bad_request(e.CHAT_NOT_FOUND)
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise bad_request(e.CHAT_NOT_FOUND) from None


def _known_chat(st: EmulatorState, p: Params, name: str = "chat_id") -> ChatRecord:
    """Return a chat the bot can see (a private chat only once the user wrote to the bot)."""
    chat = st.chats.get(_chat_id(p, name))
    if chat is None or not chat.started:
        raise bad_request(e.CHAT_NOT_FOUND)
    return chat


def _sendable_chat(st: EmulatorState, p: Params) -> ChatRecord:
    """Return the chat to send to, refusing blocked, deactivated and removed-from chats."""
    chat = _known_chat(st, p)
    user = chat.user
    if user is not None:
        if user.deactivated:
            raise ApiError(403, e.USER_DEACTIVATED)
        if user.blocked:
            raise ApiError(403, e.BOT_BLOCKED)
    elif chat.migrated_to is not None:
        raise ApiError(400, f"Bad Request: {e.GROUP_UPGRADED}", migrate_to_chat_id=chat.migrated_to)
    elif chat.bot_removed:
        raise ApiError(403, e.BOT_KICKED_SUPERGROUP if chat.type == "supergroup" else e.BOT_KICKED)
    return chat


def _flood(st: EmulatorState, chat: ChatRecord) -> None:
    """Consume a send from the flood-control budget or raise Telegram's 429."""
    retry_after = st.flood.check(chat.chat_id, chat.is_group)
    if retry_after is not None:
        raise too_many_requests(retry_after)


def _formatted(
    st: EmulatorState, p: Params, field: str, mode_field: str, entities_field: str
) -> tuple[str, str | None, list[dict[str, Any]], str | None]:
    """Return (plain text, raw HTML or None, entities, parse_mode) for a text or caption."""
    raw = p.str(field)
    mode = p.str(mode_field)
    explicit = p.json(entities_field, "can't parse entities JSON object")
    text, entities = rules.format_text(
        raw, mode, explicit, strict_ampersand=st.strict_html, user_lookup=st.user_api
    )
    html = raw if not explicit and (mode or "").strip().lower() == "html" else None
    return text, html, entities, mode


def _caption(st: EmulatorState, p: Params) -> tuple[str | None, str | None, list[dict[str, Any]]]:
    """Return (caption or None, raw HTML or None, caption entities)."""
    if p.str("caption") in (None, ""):
        return None, None, []
    caption, html, entities, _mode = _formatted(st, p, "caption", "parse_mode", "caption_entities")
    rules.check_caption(caption)
    return caption or None, html, entities


def _markup(p: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
    """Return the validated reply_markup parameter."""
    return rules.reply_markup(p.json("reply_markup", e.MARKUP_JSON), inline_only=inline_only)


def _reply_to(chat: ChatRecord, p: Params) -> MessageRecord | None:
    """Return the message being replied to (reply_parameters or reply_to_message_id)."""
    params = p.json("reply_parameters", "can't parse reply parameters JSON object")
    allow = p.bool("allow_sending_without_reply")
    if isinstance(params, dict):
        message_id = params.get("message_id")
        allow = bool(params.get("allow_sending_without_reply", allow))
    else:
        message_id = p.int("reply_to_message_id")
    if message_id is None:
        return None
    try:
        target = chat.by_id.get(int(message_id))
    except (TypeError, ValueError):
        target = None
    if target is None or target.deleted:
        if allow:
            return None
        raise bad_request(e.REPLY_NOT_FOUND)
    return target


def _common(p: Params) -> dict[str, Any]:
    """Return the delivery options every send method shares."""
    return {
        "disable_notification": p.bool("disable_notification"),
        "protect_content": p.bool("protect_content"),
    }


def _thread(chat: ChatRecord, p: Params) -> int | None:
    """The forum topic a send goes to: ``message_thread_id`` must name a topic of a supergroup
    with topics; elsewhere Telegram ignores it."""
    thread_id = p.int("message_thread_id")
    if thread_id is None or not chat.is_forum:
        return None
    if thread_id not in chat.topics:
        raise bad_request(e.THREAD_NOT_FOUND)
    return thread_id


def _inline_markup(record: MessageRecord) -> dict[str, Any] | None:
    """Return the inline keyboard attached to a message, if any."""
    markup = record.reply_markup
    return markup if markup and "inline_keyboard" in markup else None


def _message(st: EmulatorState, p: Params, not_found: str) -> tuple[ChatRecord, MessageRecord]:
    """The chat and the message (not deleted) that ``chat_id`` and ``message_id`` name; a 400
    with ``not_found`` when there is no such message."""
    chat = _known_chat(st, p)
    message_id = p.int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    record = chat.by_id.get(message_id)
    if record is None or record.deleted:
        raise bad_request(not_found)
    return chat, record


def _editable(st: EmulatorState, p: Params) -> tuple[ChatRecord, MessageRecord]:
    """Return the bot message an edit method targets."""
    if "chat_id" not in p and "inline_message_id" in p:
        raise bad_request("MESSAGE_ID_INVALID")
    chat, record = _message(st, p, e.EDIT_NOT_FOUND)
    if not record.from_bot:
        raise bad_request(e.CANT_EDIT)
    return chat, record


def _apply_edit(
    st: EmulatorState,
    chat: ChatRecord,
    record: MessageRecord,
    markup: dict[str, Any] | None,
    **new: Any,
) -> dict[str, Any]:
    """Save the old version, apply the new content, and announce the edit."""
    record.history.append(record.snapshot())
    for name, value in new.items():
        setattr(record, name, value)
    if markup is not None or _inline_markup(record) is not None or record.reply_markup is None:
        record.reply_markup = markup
    record.edit_date = max(int(st.clock.time()), record.date)
    st.add_event(chat, "edited", record)
    return record.to_api()


def _uploaded_file(
    st: EmulatorState, p: Params, field: str
) -> tuple[Upload | None, FileRecord | None]:
    """Return the new upload or the already-stored file a send refers to."""
    value = p.upload(field)
    if value is None:
        raise bad_request(f"there is no {field} in the request")
    if isinstance(value, Upload):
        if not value.data:
            raise bad_request(e.FILE_EMPTY)
        if len(value.data) > MAX_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        return value, None
    stored = st.files.get(value.strip())
    if stored is None:
        raise bad_request(e.WRONG_FILE_ID)
    return None, stored


def photo_sizes(st: EmulatorState, original: FileRecord) -> list[dict[str, Any]]:
    """Return the PhotoSize list announced for a picture: a thumbnail and the main size."""
    width, height = original.width or 1, original.height or 1
    sizes = []
    if max(width, height) > 90:
        thumb_w, thumb_h = scaled(width, height, 90)
        thumb_id, thumb_unique = new_file_ids("thm")
        thumb = FileRecord(
            file_id=thumb_id,
            file_unique_id=thumb_unique,
            data=original.data,
            file_path=original.file_path + ".thumb",
            filename=original.filename,
            mime_type=original.mime_type,
            width=thumb_w,
            height=thumb_h,
        )
        st.files[thumb_id] = thumb
        st.files_by_path[thumb.file_path] = thumb
        sizes.append(
            {
                "file_id": thumb_id,
                "file_unique_id": thumb_unique,
                "width": thumb_w,
                "height": thumb_h,
                "file_size": original.size,
            }
        )
    main_w, main_h = scaled(width, height, 1280)
    sizes.append(
        {
            "file_id": original.file_id,
            "file_unique_id": original.file_unique_id,
            "width": main_w,
            "height": main_h,
            "file_size": original.size,
        }
    )
    return sizes


# -- bot and updates -------------------------------------------------------------------------


@api_method("getMe")
async def get_me(st: EmulatorState, p: Params) -> Any:
    """Describe the bot."""
    return st.get_me(p.token)


@api_method("logOut")
async def log_out(st: EmulatorState, p: Params) -> Any:
    """Accept logOut."""
    return True


@api_method("close")
async def close(st: EmulatorState, p: Params) -> Any:
    """Accept close."""
    return True


@api_method("getUpdates")
async def get_updates(st: EmulatorState, p: Params) -> Any:
    """Long-poll for updates."""
    if st.webhook_url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook "
            "to delete the webhook first",
        )
    allowed = p.json("allowed_updates", "can't parse allowed_updates JSON array")
    if allowed is not None and not isinstance(allowed, list):
        raise bad_request("can't parse allowed_updates JSON array")
    return await st.get_updates(
        offset=p.int("offset", 0) or 0,
        limit=p.int("limit", 100) or 100,
        poll_seconds=p.float("timeout", 0.0) or 0.0,
        allowed=allowed,
    )


WEBHOOK_PORTS = (443, 80, 88, 8443)
SECRET_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@api_method("setWebhook")
async def set_webhook(st: EmulatorState, p: Params) -> Any:
    """Set (or, with an empty url, remove) the webhook; updates are then posted to it."""
    url = (p.str("url") or "").strip()
    if not url:
        return await delete_webhook(st, p)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise bad_request("bad webhook: Failed to resolve host") from None
    if parts.scheme != "https" or not parts.hostname:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if port is not None and port not in WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    secret = p.str("secret_token")
    if secret is not None and (
        not 1 <= len(secret) <= 256 or not set(secret) <= SECRET_TOKEN_CHARS
    ):
        raise bad_request("secret token contains unallowed characters")
    max_connections = p.int("max_connections", 40) or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    allowed = p.json("allowed_updates", "can't parse allowed_updates JSON array")
    if allowed is not None:
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON array")
        st.allowed_updates = frozenset(allowed) if allowed else None
    if p.bool("drop_pending_updates"):
        st.updates.clear()
    st.webhook = WebhookSetting(url, secret or None, max_connections, p.str("ip_address"))
    st.webhook_wake.set()
    # A long poll waiting now ends in a conflict, as at Telegram.
    st.end_long_poll()
    return True


@api_method("deleteWebhook")
async def delete_webhook(st: EmulatorState, p: Params) -> Any:
    """Remove the webhook, optionally dropping pending updates."""
    st.webhook = None
    st.webhook_wake.set()
    if p.bool("drop_pending_updates"):
        st.updates.clear()
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(st: EmulatorState, p: Params) -> Any:
    """Describe the webhook (an empty url when there is none), as Telegram does."""
    info: dict[str, Any] = {
        "url": st.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(st.updates),
    }
    setting = st.webhook
    if setting is not None:
        info["max_connections"] = setting.max_connections
        if setting.ip_address:
            info["ip_address"] = setting.ip_address
        if setting.last_error_date is not None:
            info["last_error_date"] = setting.last_error_date
            info["last_error_message"] = setting.last_error_message
        if st.allowed_updates is not None:
            info["allowed_updates"] = sorted(st.allowed_updates)
    return info


# -- commands and menu -----------------------------------------------------------------------


def scope_key(scope: Any) -> str:
    """Return the storage key of a BotCommandScope ("default", "chat:42", ...)."""
    if scope is None:
        return "default"
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = scope["type"]
    if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
        return kind
    if kind in ("chat", "chat_administrators"):
        return f"{kind}:{scope.get('chat_id')}"
    if kind == "chat_member":
        return f"{kind}:{scope.get('chat_id')}:{scope.get('user_id')}"
    raise bad_request("unsupported BotCommandScope type")


def _command_key(p: Params) -> tuple[str, str]:
    """Return (scope key, language code) of a commands request."""
    scope = p.json("scope", "can't parse BotCommandScope JSON object")
    return scope_key(scope), p.str("language_code") or ""


@api_method("setMyCommands")
async def set_my_commands(st: EmulatorState, p: Params) -> Any:
    """Store the command list for a scope and language."""
    commands = rules.check_commands(p.json("commands", "can't parse commands JSON object"))
    key = _command_key(p)
    if commands:
        st.commands[key] = commands
    else:
        st.commands.pop(key, None)
    return True


@api_method("getMyCommands")
async def get_my_commands(st: EmulatorState, p: Params) -> Any:
    """Return the command list stored for a scope and language."""
    return st.commands.get(_command_key(p), [])


@api_method("deleteMyCommands")
async def delete_my_commands(st: EmulatorState, p: Params) -> Any:
    """Forget the command list of a scope and language."""
    st.commands.pop(_command_key(p), None)
    return True


def _menu_button(value: Any) -> dict[str, Any]:
    """Validate a MenuButton."""
    if value is None:
        return {"type": "default"}
    if not isinstance(value, dict) or value.get("type") not in ("commands", "web_app", "default"):
        raise bad_request("can't parse menu button JSON object")
    if value["type"] == "web_app":
        web_app = value.get("web_app")
        url = web_app.get("url") if isinstance(web_app, dict) else None
        if not value.get("text") or not isinstance(url, str) or not url.startswith("https://"):
            raise bad_request("can't parse menu button JSON object")
    return value


@api_method("setChatMenuButton")
async def set_chat_menu_button(st: EmulatorState, p: Params) -> Any:
    """Set the menu button of one private chat or the default one."""
    button = _menu_button(p.json("menu_button", "can't parse menu button JSON object"))
    if "chat_id" in p:
        chat = _known_chat(st, p)
        if chat.is_group:
            raise bad_request("menu button can be changed only in private chats")
        chat.menu_button = button
    else:
        st.default_menu_button = button if button["type"] != "default" else {"type": "commands"}
    return True


@api_method("getChatMenuButton")
async def get_chat_menu_button(st: EmulatorState, p: Params) -> Any:
    """Return a chat's menu button or the default one."""
    if "chat_id" in p:
        chat = _known_chat(st, p)
        if chat.menu_button is not None and chat.menu_button["type"] != "default":
            return chat.menu_button
    return st.default_menu_button


async def _accept(st: EmulatorState, p: Params) -> Any:
    """Accept a profile setting the emulator does not model."""
    return True


for _name in ("setMyDescription", "setMyShortDescription", "setMyName"):
    api_method(_name)(_accept)


@api_method("getMyDescription")
async def get_my_description(st: EmulatorState, p: Params) -> Any:
    """Return an empty description."""
    return {"description": ""}


@api_method("getMyShortDescription")
async def get_my_short_description(st: EmulatorState, p: Params) -> Any:
    """Return an empty short description."""
    return {"short_description": ""}


@api_method("getMyName")
async def get_my_name(st: EmulatorState, p: Params) -> Any:
    """Return the bot's name."""
    return {"name": st.bot_first_name}


# -- chats and files -------------------------------------------------------------------------


@api_method("getChat")
async def get_chat(st: EmulatorState, p: Params) -> Any:
    """Return a known chat's ChatFullInfo."""
    return _known_chat(st, p).to_full_info()


@api_method("getChatMember")
async def get_chat_member(st: EmulatorState, p: Params) -> Any:
    """Return a group member's ChatMember (the bot's own too): creator is never modelled;
    administrator, member or left."""
    chat = _known_chat(st, p)
    user_id = p.int("user_id")
    if user_id == st.bot_id:
        status = "left" if chat.bot_removed else "administrator" if chat.bot_is_admin else "member"
        return chat_member(st.bot_user(p.token), status)
    user = st.users.get(user_id) if user_id is not None else None
    if user is None:
        raise bad_request(e.USER_NOT_FOUND)
    if chat.user is not None:
        return chat_member(user.to_api(), "member" if chat.user is user else "left")
    if user_id in chat.admins:
        return chat_member(user.to_api(), "administrator")
    return chat_member(user.to_api(), "member" if user_id in chat.members else "left")


def chat_member(user: dict[str, Any], status: str) -> dict[str, Any]:
    """A Bot API ChatMember object of ``status`` for ``user`` (rights all false for an admin,
    but for the ones PTB requires)."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "administrator":
        member.update(
            {
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": False,
                "can_restrict_members": False,
                "can_promote_members": False,
                "can_change_info": False,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
            }
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member


@api_method("getFile")
async def get_file(st: EmulatorState, p: Params) -> Any:
    """Return a stored file's File object with its download path."""
    record = st.files.get(p.str("file_id") or "")
    if record is None:
        raise bad_request("invalid file_id")
    if record.size > MAX_DOWNLOAD:
        raise bad_request(e.FILE_TOO_BIG)
    return record.to_file()


@api_method("sendChatAction")
async def send_chat_action(st: EmulatorState, p: Params) -> Any:
    """Record a chat action such as "typing"."""
    chat = _sendable_chat(st, p)
    action = p.str("action")
    rules.check_chat_action(action)
    chat.actions.append((action or "", st.clock.monotonic()))
    return True


# -- sending ---------------------------------------------------------------------------------


@api_method("sendMessage", sending=True)
async def send_message(st: EmulatorState, p: Params) -> Any:
    """Send a text message."""
    chat = _sendable_chat(st, p)
    text, html, entities, mode = _formatted(st, p, "text", "parse_mode", "entities")
    rules.check_text(text)
    return _bot_sends(st, p, chat, text=text, html=html, parse_mode=mode, entities=entities)


@api_method("sendDocument", sending=True)
async def send_document(st: EmulatorState, p: Params) -> Any:
    """Send a file as a document."""
    chat = _sendable_chat(st, p)
    upload, stored = _uploaded_file(st, p, "document")
    kept_as = ("doc", "documents", "document", "application/octet-stream")
    return _send_file(st, p, chat, stored, upload, kept_as, lambda file: {"document": file})


@api_method("sendPhoto", sending=True)
async def send_photo(st: EmulatorState, p: Params) -> Any:
    """Send a picture (PNG, JPEG, GIF or WebP bytes, or a stored file_id)."""
    chat = _sendable_chat(st, p)
    upload, stored = _uploaded_file(st, p, "photo")
    size = None
    if upload is not None:
        size = image_size(upload.data)
        if size is None:
            raise bad_request(e.IMAGE_PROCESS_FAILED)
        width, height = size
        if width < 1 or height < 1 or width + height > 10_000 or max(size) > 20 * min(size):
            raise bad_request(e.PHOTO_INVALID_DIMENSIONS)
    elif stored is not None and stored.width is None:
        raise bad_request("type of file mismatch")
    kept_as = ("pho", "photos", None, "image/jpeg")
    return _send_file(
        st,
        p,
        chat,
        stored,
        upload,
        kept_as,
        lambda file: {"photo": PhotoRecord(file, photo_sizes(st, file))},
        size,
    )


def _send_file(
    st: EmulatorState,
    p: Params,
    chat: ChatRecord,
    stored: FileRecord | None,
    upload: Upload | None,
    kept_as: tuple[str, str, str | None, str],
    content: Callable[[FileRecord], dict[str, Any]],
    size: tuple[int, int] | None = None,
) -> Any:
    """The rest of sendDocument and sendPhoto: caption, buttons and reply checked, the flood
    limit, an upload stored (``kept_as``: id kind, folder, default name and type), then the
    message with its file (``content``)."""
    caption, caption_html, caption_entities = _caption(st, p)

    def with_file() -> dict[str, Any]:
        """The file's part of the message, storing an upload only now (past every check)."""
        file = stored
        if upload is not None:
            kind, folder, name, mime_type = kept_as
            file = st.store_file(
                upload.data,
                kind,
                folder,
                upload.filename or name,
                upload.content_type or mime_type,
                size,
            )
        assert file is not None
        return content(file)

    return _bot_sends(
        st,
        p,
        chat,
        with_file,
        caption=caption,
        caption_html=caption_html,
        caption_entities=caption_entities,
        parse_mode=p.str("parse_mode"),
    )


@api_method("copyMessage", sending=True)
async def copy_message(st: EmulatorState, p: Params) -> Any:
    """Copy a message into a chat (optionally with a new caption); return its MessageId."""
    chat = _sendable_chat(st, p)
    source_chat = _known_chat(st, p, "from_chat_id")
    message_id = p.int("message_id")
    source = source_chat.by_id.get(message_id) if message_id is not None else None
    if source is None or source.deleted:
        raise bad_request(e.COPY_NOT_FOUND)
    content: dict[str, Any] = {
        "text": source.text,
        "entities": list(source.entities),
        "document": source.document,
        "photo": source.photo,
        "contact": source.contact,
        "caption": source.caption,
        "caption_entities": list(source.caption_entities),
    }
    if "caption" in p and (source.document or source.photo):
        caption, caption_html, caption_entities = _caption(st, p)
        content.update(
            caption=caption, caption_html=caption_html, caption_entities=caption_entities
        )
    sent = _bot_sends(st, p, chat, **content)
    return {"message_id": sent["message_id"]}


def _bot_sends(
    st: EmulatorState,
    p: Params,
    chat: ChatRecord,
    more: Callable[[], dict[str, Any]] | None = None,
    **content: Any,
) -> dict[str, Any]:
    """The end of every send: the buttons and the message replied to are checked, the flood
    limits counted, then the bot's message recorded (with ``more()``, worked out only once
    every check has passed); the Bot API Message is returned."""
    markup = _markup(p)
    reply_to = _reply_to(chat, p)
    thread_id = _thread(chat, p)
    _flood(st, chat)
    extra = more() if more is not None else {}
    record = st.new_message(
        chat,
        st.bot_user(p.token),
        True,
        reply_markup=markup,
        reply_to=reply_to,
        thread_id=thread_id,
        **extra,
        **content,
        **_common(p),
    )
    return record.to_api()


# -- editing and deleting --------------------------------------------------------------------


@api_method("editMessageText", sending=True)
async def edit_message_text(st: EmulatorState, p: Params) -> Any:
    """Edit a bot message's text (and keyboard: omitting reply_markup removes it)."""
    chat, record = _editable(st, p)
    if record.text is None:
        raise bad_request(e.NO_TEXT_TO_EDIT)
    text, html, entities, mode = _formatted(st, p, "text", "parse_mode", "entities")
    rules.check_text(text)
    markup = _markup(p, inline_only=True)
    if text == record.text and entities == record.entities and markup == _inline_markup(record):
        raise bad_request(e.NOT_MODIFIED)
    _flood(st, chat)
    return _apply_edit(
        st, chat, record, markup, text=text, html=html, entities=entities, parse_mode=mode
    )


@api_method("editMessageCaption", sending=True)
async def edit_message_caption(st: EmulatorState, p: Params) -> Any:
    """Edit a media message's caption (and keyboard)."""
    chat, record = _editable(st, p)
    if record.document is None and record.photo is None:
        raise bad_request(e.NO_CAPTION_TO_EDIT)
    caption, caption_html, caption_entities = _caption(st, p)
    markup = _markup(p, inline_only=True)
    if (
        caption == record.caption
        and caption_entities == record.caption_entities
        and markup == _inline_markup(record)
    ):
        raise bad_request(e.NOT_MODIFIED)
    _flood(st, chat)
    return _apply_edit(
        st,
        chat,
        record,
        markup,
        caption=caption,
        caption_html=caption_html,
        caption_entities=caption_entities,
    )


@api_method("editMessageReplyMarkup", sending=True)
async def edit_message_reply_markup(st: EmulatorState, p: Params) -> Any:
    """Replace or remove a bot message's inline keyboard."""
    chat, record = _editable(st, p)
    markup = _markup(p, inline_only=True)
    if markup == _inline_markup(record):
        raise bad_request(e.NOT_MODIFIED)
    _flood(st, chat)
    return _apply_edit(st, chat, record, markup)


@api_method("deleteMessage")
async def delete_message(st: EmulatorState, p: Params) -> Any:
    """Delete a message (the bot's own, or a user's in private chats / groups it admins)."""
    chat, record = _message(st, p, e.DELETE_NOT_FOUND)
    if not record.from_bot and chat.is_group and not chat.bot_is_admin:
        raise bad_request(e.CANT_DELETE)
    now = int(st.clock.time())
    if now - record.date > DELETE_WINDOW:
        raise bad_request(e.CANT_DELETE_FOR_EVERYONE)
    record.deleted = True
    record.deleted_date = now
    st.add_event(chat, "deleted", record)
    return True


# -- callback queries ------------------------------------------------------------------------


@api_method("answerCallbackQuery")
async def answer_callback_query(st: EmulatorState, p: Params) -> Any:
    """Answer a button press, within 15 s of emulator time and only once."""
    query_id = p.str("callback_query_id") or ""
    query = st.callback_queries.get(query_id)
    now = st.clock.monotonic()
    if query is None or query.answered or now - query.created > CALLBACK_TIMEOUT:
        raise bad_request(e.QUERY_TOO_OLD)
    text = p.str("text")
    rules.check_answer_text(text)
    query.answered = True
    st.record_answer(
        CallbackAnswer(
            query_id=query_id,
            text=text,
            show_alert=p.bool("show_alert"),
            url=p.str("url"),
            cache_time=p.int("cache_time", 0) or 0,
            time=now,
            pressed=query.created,
        )
    )
    return True
