"""BotApiEmulator: start/stop the server and drive it as Telegram's users would."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from .clock import Clock, SystemClock
from .control import add_control_routes
from .entities import bot_command_entities
from .faults import Fault
from .flood import FloodLimits
from .groups import GroupDriving, bot_sees
from .media import image_size
from .methods import photo_sizes
from .records import (
    CallbackAnswer,
    CallbackQueryRecord,
    ChatRecord,
    FileRecord,
    MessageRecord,
    PhotoRecord,
    RequestRecord,
    UserRecord,
)
from .server import build_app
from .state import DEFAULT_KINDS, EmulatorState, Predicate, WebhookSetting
from .webhook import KEEP_SECRET, WebhookPusher

HOST = "127.0.0.1"


class BotApiEmulator(GroupDriving):
    """A Telegram Bot API stand-in on 127.0.0.1 with Telegram's rules and a test-driving API.

    Typical use::

        async with BotApiEmulator() as emu:
            bot = telegram.Bot(token, base_url=emu.base_url, base_file_url=emu.base_file_url)
            emu.add_user(42, "Ada")
            await emu.send_text(42, "/start")
            reply = await emu.wait_for_message(42)

    All state lives in :attr:`state`; the methods here are the supported way to use it.
    """

    def __init__(
        self,
        *,
        port: int = 0,
        clock: Clock | None = None,
        limits: FloodLimits | None = None,
        flood_control: bool = True,
        token: str | None = None,
        bot_username: str = "forum_test_bot",
        bot_first_name: str = "Forum bot",
        strict_html: bool = True,
        control_api: bool = True,
    ) -> None:
        """Configure (not start) an emulator.

        ``port=0`` picks a free port. ``token``, if given, is the only token accepted (others
        get 401). ``strict_html`` rejects a bare "&" in HTML text (real Telegram keeps it).
        ``flood_control=False`` starts with limits switched off.
        """
        limits = limits or FloodLimits()
        if not flood_control:
            limits = FloodLimits(**{**limits.as_dict(), "enabled": False})
        self.state = EmulatorState(
            clock or SystemClock(),
            limits,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            strict_html=strict_html,
        )
        self._requested_port = port
        self._token = token
        self._control_api = control_api
        self._runner: web.AppRunner | None = None
        self._webhook = WebhookPusher(self.state)
        self._stop = asyncio.Event()
        self.port: int | None = None

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> BotApiEmulator:
        """Start serving on 127.0.0.1 (port 0 picks a free one); return self."""
        if self._runner is not None:
            raise RuntimeError("emulator already started")
        self._stop = asyncio.Event()
        self.state.stopping = False
        app = build_app(self.state, self._stop, self._token)
        if self._control_api:
            add_control_routes(app, self)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, HOST, self._requested_port, backlog=1024)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]
        await self._webhook.start()
        return self

    async def stop(self) -> None:
        """Release held requests and long polls, then stop serving."""
        runner, self._runner = self._runner, None
        self._stop.set()
        self.state.shutdown()
        await self._webhook.stop()
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> BotApiEmulator:
        """Start on entering ``async with``."""
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop on leaving ``async with``."""
        await self.stop()

    @property
    def url(self) -> str:
        """Return the server root, e.g. ``http://127.0.0.1:8081``."""
        if self.port is None:
            raise RuntimeError("emulator not started")
        return f"http://{HOST}:{self.port}"

    @property
    def base_url(self) -> str:
        """Return the value for PTB's ``base_url`` (``.../bot``)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Return the value for PTB's ``base_file_url`` (``.../file/bot``)."""
        return f"{self.url}/file/bot"

    @property
    def control_url(self) -> str:
        """Return the root of the HTTP control API (``.../_emulator``)."""
        return f"{self.url}/_emulator"

    @property
    def clock(self) -> Clock:
        """Return the clock used for flood control, callback expiry and message dates."""
        return self.state.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        """Replace the clock (e.g. with :class:`ManualClock`)."""
        self.state.clock = clock

    def advance_clock(self, seconds: float) -> None:
        """Skip emulator time forward (flood buckets refill, callback queries expire)."""
        self.state.clock.advance(seconds)

    def reset(self) -> None:
        """Forget users, chats, messages, updates, log, answers, commands and faults."""
        self.state.reset()

    # -- webhooks ---------------------------------------------------------------------------

    @property
    def webhook(self) -> WebhookSetting | None:
        """The webhook setWebhook stored (URL, secret, last error), or None when polling."""
        return self.state.webhook

    def route_webhook(self, local_base: str | None) -> None:
        """Play the bot's reverse proxy: post the webhook URL's path to ``local_base`` (e.g.
        ``http://127.0.0.1:8443``). Until routed, updates wait as at Telegram while the
        bot's server is unreachable; None stops posting again."""
        self._webhook.route(local_base)

    async def post_to_webhook(
        self, update: dict[str, Any], *, secret: str | object | None = KEEP_SECRET
    ) -> int:
        """Post one update straight to the routed webhook, with the secret setWebhook gave
        (default), another one, or none (``secret=None``); return the bot's HTTP status.
        The update is not queued nor retried: for requests Telegram would not send."""
        return await self._webhook.post(update, secret)  # type: ignore[arg-type]

    @property
    def webhook_posts(self) -> list[tuple[int, int]]:
        """Every post of a pending update to the webhook: (update_id, HTTP status; 0 for no
        connection), in order."""
        return list(self._webhook.posted)

    async def wait_for_webhook_posts(self, count: int = 1, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``count`` posts of pending updates have been tried, whatever came of them
        (see :attr:`webhook_posts`)."""
        await self._webhook.wait_for_posts(count, timeout)

    # -- users and chats --------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> UserRecord:
        """Create a user; their private chat exists for the bot only after they write."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        return self.state.add_user(
            UserRecord(user_id, first_name, last_name, username, language_code)
        )

    def add_group(
        self, chat_id: int, title: str, *, supergroup: bool = False, bot_is_admin: bool = False
    ) -> ChatRecord:
        """Create a group (negative id) that the bot is a member of."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        kind = "supergroup" if supergroup else "group"
        return self.state.add_group(chat_id, title, kind, bot_is_admin)

    def remove_bot_from_group(self, chat_id: int) -> None:
        """Kick the bot from a group without telling it: sends then fail with 403 (for the
        my_chat_member update Telegram sends too, use :meth:`kick_bot`)."""
        self.chat(chat_id).bot_removed = True

    def user(self, user_id: int) -> UserRecord:
        """Return a user added with :meth:`add_user`."""
        try:
            return self.state.users[user_id]
        except KeyError:
            raise ValueError(f"unknown user {user_id}; call add_user first") from None

    def chat(self, chat_id: int) -> ChatRecord:
        """Return a chat (a user's private chat has the user's id)."""
        try:
            return self.state.chats[chat_id]
        except KeyError:
            raise ValueError(f"unknown chat {chat_id}") from None

    def block_user(self, user_id: int) -> None:
        """The user blocks the bot: sends to them fail with 403 "bot was blocked by the user"."""
        user = self.user(user_id)
        if not user.blocked:
            user.blocked = True
            self._my_chat_member(user, "member", "kicked")

    def unblock_user(self, user_id: int) -> None:
        """The user unblocks the bot."""
        user = self.user(user_id)
        if user.blocked:
            user.blocked = False
            self._my_chat_member(user, "kicked", "member")

    def deactivate_user(self, user_id: int) -> None:
        """The user deletes their account: sends fail with 403 "user is deactivated"."""
        self.user(user_id).deactivated = True

    def _my_chat_member(self, user: UserRecord, old: str, new: str) -> None:
        """Queue the my_chat_member update Telegram sends when a user (un)blocks the bot."""
        chat = self.state.chats.get(user.user_id)
        bot_id = self.state.bot_id
        if chat is None or not chat.started or bot_id is None:
            return
        bot = {"id": bot_id, "is_bot": True, "first_name": self.state.bot_first_name}
        bot["username"] = self.state.bot_username

        def member(status: str) -> dict[str, Any]:
            """Return a ChatMember object for the bot with ``status``."""
            info: dict[str, Any] = {"status": status, "user": bot}
            if status == "kicked":
                info["until_date"] = 0
            return info

        self.state.push_update(
            "my_chat_member",
            {
                "chat": chat.to_api(),
                "from": user.to_api(),
                "date": int(self.state.clock.time()),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    # -- acting as users --------------------------------------------------------------------

    def _user_chat(self, user: UserRecord, chat_id: int | None) -> ChatRecord:
        """Return the chat a user acts in, opening their private chat if needed."""
        if user.deactivated:
            raise ValueError(f"user {user.user_id} is deactivated")
        chat = self.chat(user.user_id if chat_id is None else chat_id)
        if chat.user is not None:
            if chat.chat_id != user.user_id:
                raise ValueError("a user can only write in their own private chat")
            chat.started = True
            if user.blocked:
                self.unblock_user(user.user_id)
        return chat

    async def _deliver(self, chat: ChatRecord, record: MessageRecord) -> MessageRecord:
        """Queue a user's message as an update (in a group, only if the bot may see it)."""
        chat.read_cursor = len(chat.events)
        if chat.is_group:
            chat.members.add(record.sender["id"])
        if bot_sees(self.state, chat, record):
            self.state.push_update("message", record.to_api())
        await asyncio.sleep(0)
        return record

    async def send_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        *,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> MessageRecord:
        """The user sends ``text`` (in their private chat, or in group ``chat_id``, in topic
        ``thread_id`` of a supergroup with topics).

        Commands get ``bot_command`` entities as Telegram adds them. Unblocks a user who had
        blocked the bot (they must, to write). Later :meth:`wait_for_message` calls only look
        at bot activity after this message. In a group the bot gets it only as privacy mode
        allows (:func:`emulator.groups.bot_sees`).
        """
        if not text:
            raise ValueError("Telegram clients cannot send empty messages")
        user = self.user(user_id)
        chat = self._user_chat(user, chat_id)
        record = self.state.new_message(
            chat,
            user.to_api(),
            False,
            text=text,
            entities=bot_command_entities(text),
            reply_to=chat.by_id.get(reply_to) if reply_to is not None else None,
            thread_id=self._topic(chat, thread_id),
        )
        return await self._deliver(chat, record)

    @staticmethod
    def _topic(chat: ChatRecord, thread_id: int | None) -> int | None:
        """A topic a user writes in: one the supergroup has."""
        if thread_id is not None and thread_id not in chat.topics:
            raise ValueError(f"chat {chat.chat_id} has no topic {thread_id}")
        return thread_id

    def text_update(self, user_id: int, text: str) -> dict[str, Any]:
        """The update Telegram would make of ``text`` from the user in their private chat,
        without queuing it: for :meth:`post_to_webhook`. The message is in the chat's
        history, as the user did write it."""
        user = self.user(user_id)
        chat = self._user_chat(user, None)
        record = self.state.new_message(
            chat, user.to_api(), False, text=text, entities=bot_command_entities(text)
        )
        chat.read_cursor = len(chat.events)
        return {"update_id": self.state.next_update_id(), "message": record.to_api()}

    async def send_document(
        self,
        user_id: int,
        filename: str,
        data: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> MessageRecord:
        """The user sends a file; the bot can fetch it with getFile."""
        user = self.user(user_id)
        chat = self._user_chat(user, chat_id)
        stored = self.state.store_file(data, "doc", "documents", filename, mime_type)
        record = self.state.new_message(
            chat, user.to_api(), False, document=stored, caption=caption or None
        )
        return await self._deliver(chat, record)

    async def send_photo(
        self,
        user_id: int,
        data: bytes,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> MessageRecord:
        """The user sends a picture (PNG/JPEG/GIF/WebP bytes); the bot may reuse its file_id."""
        user = self.user(user_id)
        chat = self._user_chat(user, chat_id)
        stored = self._store_picture(data, "image/jpeg")
        record = self.state.new_message(
            chat,
            user.to_api(),
            False,
            photo=PhotoRecord(stored, photo_sizes(self.state, stored)),
            caption=caption or None,
        )
        return await self._deliver(chat, record)

    def _store_picture(self, data: bytes, mime_type: str | None) -> FileRecord:
        """Store picture bytes, refusing what Telegram could not process."""
        size = image_size(data)
        if size is None:
            raise ValueError("not a PNG, JPEG, GIF or WebP picture")
        return self.state.store_file(data, "pho", "photos", None, mime_type, size)

    def add_file(
        self,
        data: bytes,
        filename: str | None = None,
        mime_type: str | None = None,
        *,
        photo: bool = False,
    ) -> str:
        """Store a file as if uploaded earlier and return its file_id (for seeding databases).

        With ``photo=True`` the bytes must be a picture and the id works for sendPhoto.
        """
        if photo:
            return self._store_picture(data, mime_type or "image/jpeg").file_id
        return self.state.store_file(data, "doc", "documents", filename, mime_type).file_id

    async def send_contact(
        self, user_id: int, phone_number: str, chat_id: int | None = None
    ) -> MessageRecord:
        """The user shares their own contact (as from a request_contact keyboard button)."""
        user = self.user(user_id)
        chat = self._user_chat(user, chat_id)
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": user.first_name,
            "user_id": user.user_id,
        }
        if user.last_name:
            contact["last_name"] = user.last_name
        record = self.state.new_message(chat, user.to_api(), False, contact=contact)
        return await self._deliver(chat, record)

    async def press_button(
        self,
        user_id: int,
        message: MessageRecord | int,
        callback_data: str | None = None,
        *,
        text: str | None = None,
        chat_id: int | None = None,
        forge: bool = False,
    ) -> str:
        """The user presses an inline button; return the callback query id.

        Choose the button by ``callback_data`` or by its label ``text``. Unless ``forge`` is
        true the message must carry such a button; ``forge=True`` sends any data, as a
        tampered client could.
        """
        user = self.user(user_id)
        if isinstance(message, MessageRecord):
            chat_id = message.chat_id
            message_id = message.message_id
        else:
            message_id = message
        chat = self._user_chat(user, chat_id)
        record = chat.by_id.get(message_id)
        if record is None:
            raise ValueError(f"no message {message_id} in chat {chat.chat_id}")
        if not forge:
            if not record.from_bot or record.deleted:
                raise ValueError(f"message {message_id} is not a live bot message")
            callback_data = self._find_button(record, callback_data, text)
        if callback_data is None:
            raise ValueError("give callback_data (or the button's text)")
        query_id = self.state.new_query_id()
        self.state.callback_queries[query_id] = CallbackQueryRecord(
            query_id, user_id, chat.chat_id, message_id, callback_data, self.state.clock.monotonic()
        )
        chat.read_cursor = len(chat.events)
        self.state.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_api(),
                "message": record.to_api(),
                "chat_instance": str(abs(chat.chat_id) * 7919 + 17),
                "data": callback_data,
            },
        )
        await asyncio.sleep(0)
        return query_id

    async def press_inline_button(
        self, user_id: int, callback_data: str, inline_message_id: str | None = None
    ) -> str:
        """The user presses a button on a message sent in inline mode (through another chat):
        Telegram's callback query then has ``inline_message_id`` and no ``message``. Return the
        callback query id."""
        user = self.user(user_id)
        query_id = self.state.new_query_id()
        inline_id = inline_message_id or f"AQAAA{query_id[-8:]}"
        self.state.callback_queries[query_id] = CallbackQueryRecord(
            query_id,
            user_id,
            0,
            0,
            callback_data,
            self.state.clock.monotonic(),
            inline_message_id=inline_id,
        )
        self.state.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_api(),
                "inline_message_id": inline_id,
                "chat_instance": str(user_id * 7919 + 29),
                "data": callback_data,
            },
        )
        await asyncio.sleep(0)
        return query_id

    async def replay_press(self, query_id: str) -> int:
        """Deliver a press again, as the same callback query (same id, data and message, the
        message as it is now): what the bot sees when one press reaches it twice. Answering
        it a second time is refused as Telegram does ("query is too old"). Return the new
        update's id."""
        query = self.state.callback_queries.get(query_id)
        if query is None:
            raise ValueError(f"unknown callback query {query_id}")
        user = self.user(query.user_id)
        payload: dict[str, Any] = {
            "id": query_id,
            "from": user.to_api(),
            "data": query.data,
        }
        if query.inline_message_id is not None:
            payload["inline_message_id"] = query.inline_message_id
            payload["chat_instance"] = str(query.user_id * 7919 + 29)
        else:
            chat = self.chat(query.chat_id)
            payload["message"] = chat.by_id[query.message_id].to_api()
            payload["chat_instance"] = str(abs(chat.chat_id) * 7919 + 17)
            chat.read_cursor = len(chat.events)
        update_id = self.state.push_update("callback_query", payload)
        await asyncio.sleep(0)
        return update_id

    def push_raw_update(self, body: dict[str, Any]) -> int:
        """Queue an update as given (its update_id set), even one a bot cannot read, such as
        ``{"message": {"text": "..."}}`` without a chat or a date. Return its update_id."""
        if not isinstance(body, dict):
            raise ValueError("an update is a JSON object")
        return self.state.push_raw_update(body)

    async def press_buttons_over(
        self,
        presses: list[tuple[int, int, str]],
        spread: float,
        *,
        start_in: float = 0.5,
        forge: bool = False,
    ) -> list[str]:
        """A rush: users press buttons (user, message id, callback data) one after another,
        evenly over ``spread`` seconds starting ``start_in`` seconds from now, as Telegram's
        servers would pass them on; return the callback query ids in order. A press that falls
        behind its moment goes at once."""
        loop = asyncio.get_running_loop()
        first = loop.time() + start_in
        step = spread / max(len(presses), 1)
        ids = []
        for index, (user_id, message_id, data) in enumerate(presses):
            delay = first + index * step - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            ids.append(await self.press_button(user_id, message_id, data, forge=forge))
        return ids

    @staticmethod
    def _find_button(record: MessageRecord, data: str | None, label: str | None) -> str:
        """Return the callback_data of the button matching ``data`` or ``label``."""
        for row in record.inline_keyboard:
            for button in row:
                if label is not None and button.get("text") != label:
                    continue
                if data is not None and button.get("callback_data") != data:
                    continue
                if "callback_data" not in button:
                    raise ValueError(f"button {button.get('text')!r} is not a callback button")
                return button["callback_data"]
        raise ValueError(
            f"message {record.message_id} has no button with callback_data={data!r} "
            f"text={label!r}; buttons: {record.buttons}"
        )

    # -- reading ----------------------------------------------------------------------------

    @property
    def messages(self) -> list[MessageRecord]:
        """Return every message the bot sent, in order, in all chats."""
        return self.state.sent_messages

    @property
    def request_log(self) -> list[RequestRecord]:
        """Return every Bot API call: method, chat_id, HTTP status, monotonic time."""
        return list(self.state.request_log)

    @property
    def callback_answers(self) -> dict[str, CallbackAnswer]:
        """Return the bot's answers to button presses, by callback query id."""
        return self.state.callback_answers

    @property
    def commands(self) -> dict[tuple[str, str], list[dict[str, str]]]:
        """Return setMyCommands lists by (scope key, language code); default scope: "default"."""
        return self.state.commands

    def commands_for(self, scope: str = "default", language_code: str = "") -> list[str]:
        """Return the command names set for a scope key ("default", "chat:42", ...)."""
        return [c["command"] for c in self.state.commands.get((scope, language_code), [])]

    @property
    def pending_updates(self) -> int:
        """Return how many updates the bot has not confirmed yet."""
        return len(self.state.updates)

    @property
    def limits(self) -> FloodLimits:
        """Return the flood-control limits in force."""
        return self.state.flood.limits

    @property
    def faults(self) -> list[Fault]:
        """Return the injected faults that have not fired yet."""
        return self.state.faults.pending()

    def count(self, method: str | None = None, status: int | None = None) -> int:
        """Count Bot API calls, optionally of one method (as named by Telegram) and status."""
        state = self.state
        if method is None:
            if status is None:
                return sum(state.status_counts.values())
            return state.status_counts.get(status, 0)
        if status is not None:
            return state.method_status_counts.get((method, status), 0)
        return sum(n for (m, _s), n in state.method_status_counts.items() if m == method)

    def requests(
        self, method: str | None = None, chat_id: int | None = None, status: int | None = None
    ) -> list[RequestRecord]:
        """Return logged calls filtered by method, chat and status."""
        return [
            r
            for r in self.state.request_log
            if (method is None or r.method == method)
            and (chat_id is None or r.chat_id == chat_id)
            and (status is None or r.status == status)
        ]

    def cursor(self, chat_id: int) -> int:
        """Return a position in a chat's bot activity, for ``wait_for_message(since=...)``."""
        return len(self.chat(chat_id).events)

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Predicate | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the bot, not for this call's I/O
        *,
        since: int | None = None,
        kinds: Iterable[str] = DEFAULT_KINDS,
    ) -> MessageRecord:
        """Wait for the bot to send (or edit) a message in ``chat_id`` matching ``predicate``.

        Looks at bot activity after the chat's read cursor, which moves past each returned
        match and past every :meth:`send_text`/:meth:`press_button`; so successive calls
        return successive messages. ``since=emu.cursor(chat_id)`` looks from an explicit
        position instead. ``kinds`` picks events: "sent", "edited", "deleted". Raises
        TimeoutError (listing recent bot messages) after ``timeout`` real seconds.
        """
        return await self.state.wait_for_message(chat_id, predicate, timeout, since, kinds)

    async def wait_for_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the bot, not for this call's I/O
    ) -> CallbackAnswer:
        """Wait until the bot answers the callback query ``query_id``."""
        return await self.state.wait_for_answer(query_id, timeout)

    # -- rules and faults -------------------------------------------------------------------

    def set_limits(
        self,
        global_per_second: float | None = None,
        per_chat_per_second: float | None = None,
        per_group_per_minute: float | None = None,
        enabled: bool | None = None,
        per_chat_burst: int | None = None,
    ) -> FloodLimits:
        """Change flood-control limits (None keeps a value); buckets start full again."""
        changes = {
            name: value
            for name, value in (
                ("global_per_second", global_per_second),
                ("per_chat_per_second", per_chat_per_second),
                ("per_group_per_minute", per_group_per_minute),
                ("enabled", enabled),
                ("per_chat_burst", per_chat_burst),
            )
            if value is not None
        }
        for name, value in changes.items():
            if name != "enabled" and value <= 0:
                raise ValueError(f"{name} must be positive")
        return self.state.flood.set_limits(**changes)

    def inject_fault(
        self,
        method: str | None = None,
        kind: str = "500",
        count: int = 1,
        retry_after: int = 1,
        hang_seconds: float = 10.0,
    ) -> Fault:
        """Make the next ``count`` calls of ``method`` (None: any sending method) fail.

        Kinds: "500", "502" (server errors), "429" (flood error with ``retry_after``),
        "timeout_before" (hold ``hang_seconds`` without delivering, then 504),
        "timeout_after" (deliver and record, then hold ``hang_seconds`` before answering),
        "disconnect" (drop the connection without delivering).
        """
        return self.state.faults.add(Fault(method, str(kind), count, retry_after, hang_seconds))

    def clear_faults(self) -> None:
        """Remove every injected fault that has not fired."""
        self.state.faults.clear()
