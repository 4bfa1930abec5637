"""The emulator's world: users, chats, messages, files, pending updates, and waiting on them."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .clock import Clock
from .errors import GETUPDATES_CONFLICT, ApiError
from .faults import FaultPlan
from .flood import FloodControl, FloodLimits
from .media import new_file_ids
from .records import (
    CallbackAnswer,
    CallbackQueryRecord,
    ChatRecord,
    FileRecord,
    MessageRecord,
    RequestRecord,
    UserRecord,
)

Predicate = Callable[[MessageRecord], bool]
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
DEFAULT_KINDS = ("sent", "edited")
REQUEST_LOG_SIZE = 200_000


@dataclass
class WebhookSetting:
    """What setWebhook stored, and how the last post went (for getWebhookInfo)."""

    url: str
    secret_token: str | None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class EmulatorState:
    """Everything the emulator knows; the HTTP handlers and the driving API both work on it."""

    def __init__(
        self,
        clock: Clock,
        limits: FloodLimits | None = None,
        *,
        bot_username: str = "forum_test_bot",
        bot_first_name: str = "Forum bot",
        strict_html: bool = True,
    ) -> None:
        """Create an empty world read through ``clock``."""
        self._clock = clock
        self.flood = FloodControl(clock, limits)
        self.faults = FaultPlan()
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.strict_html = strict_html
        self._bots: dict[str, dict[str, Any]] = {}
        self.bot_id: int | None = None
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(4_204_000_000_000_000_001)
        self._poller: asyncio.Future[str] | None = None
        self._waiters: dict[int, list[asyncio.Future[None]]] = {}
        self._answer_waiters: dict[str, list[asyncio.Future[None]]] = {}
        self.stopping = False
        self.webhook_wake = asyncio.Event()  # set when updates or the webhook change
        self.reset()

    @property
    def clock(self) -> Clock:
        """Return the clock every rule reads."""
        return self._clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        """Swap the clock (flood control follows)."""
        self._clock = clock
        self.flood.clock = clock
        self.flood.reset()

    def reset(self) -> None:
        """Forget users, chats, messages, updates, files, answers, commands, log and faults.

        Update ids keep counting up so a running bot's offset stays valid.
        """
        self.users: dict[int, UserRecord] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.updates: deque[tuple[int, str, dict[str, Any]]] = deque()
        self.allowed_updates: frozenset[str] | None = None
        self.privacy_mode = True  # BotFather's default: see emulator/groups.py
        self.files: dict[str, FileRecord] = {}
        self.files_by_path: dict[str, FileRecord] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.default_menu_button: dict[str, Any] = {"type": "commands"}
        self.sent_messages: list[MessageRecord] = []
        self.request_log: deque[RequestRecord] = deque(maxlen=REQUEST_LOG_SIZE)
        self.status_counts: Counter[int] = Counter()
        self.method_status_counts: Counter[tuple[str, int]] = Counter()
        self.webhook: WebhookSetting | None = None
        self.faults.clear()
        self.flood.reset()
        self._wake_poller("wake")
        for chat_id in list(self._waiters):
            self._wake_chat(chat_id)

    @property
    def webhook_url(self) -> str:
        """The webhook's URL, or "" when updates are fetched with getUpdates."""
        return self.webhook.url if self.webhook is not None else ""

    # -- identities -------------------------------------------------------------------------

    def bot_user(self, token: str) -> dict[str, Any]:
        """Return the bot's ``User`` object for ``token`` (its id is the token's digits)."""
        user = self._bots.get(token)
        if user is None:
            user = {
                "id": int(token.split(":", 1)[0]),
                "is_bot": True,
                "first_name": self.bot_first_name,
                "username": self.bot_username,
            }
            self._bots[token] = user
        self.bot_id = user["id"]
        return user

    def get_me(self, token: str) -> dict[str, Any]:
        """Return the bot's getMe answer."""
        return {
            **self.bot_user(token),
            "can_join_groups": True,
            "can_read_all_group_messages": True,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def user_api(self, user_id: int) -> dict[str, Any] | None:
        """Return a known user's ``User`` object, or None."""
        user = self.users.get(user_id)
        return user.to_api() if user else None

    def add_user(self, user: UserRecord) -> UserRecord:
        """Register a user and its (not yet started) private chat."""
        self.users[user.user_id] = user
        chat = self.chats.get(user.user_id)
        if chat is None:
            self.chats[user.user_id] = ChatRecord(chat_id=user.user_id, type="private", user=user)
        else:
            chat.user = user
        return user

    def add_group(self, chat_id: int, title: str, kind: str, bot_is_admin: bool) -> ChatRecord:
        """Register a group the bot is a member of."""
        chat = ChatRecord(chat_id=chat_id, type=kind, title=title, bot_is_admin=bot_is_admin)
        chat.started = True
        self.chats[chat_id] = chat
        return chat

    # -- messages and events ----------------------------------------------------------------

    def new_message(
        self, chat: ChatRecord, sender: dict[str, Any], from_bot: bool, **content: Any
    ) -> MessageRecord:
        """Create the next message in ``chat`` and record it (an event if the bot sent it)."""
        chat.last_message_id += 1
        clock = self._clock
        record = MessageRecord(
            chat_id=chat.chat_id,
            message_id=chat.last_message_id,
            from_bot=from_bot,
            sender=sender,
            chat=chat.to_api(),
            date=int(clock.time()),
            monotonic=clock.monotonic(),
            **content,
        )
        chat.messages.append(record)
        chat.by_id[record.message_id] = record
        if from_bot:
            self.sent_messages.append(record)
            self.add_event(chat, "sent", record)
        return record

    def add_event(self, chat: ChatRecord, kind: str, record: MessageRecord) -> None:
        """Note bot activity in ``chat`` and wake anyone waiting on it."""
        chat.events.append((kind, record))
        if chat.chat_id in self._waiters:
            self._wake_chat(chat.chat_id)

    def _wake_chat(self, chat_id: int) -> None:
        """Wake the waiters of one chat."""
        for future in self._waiters.pop(chat_id, []):
            if not future.done():
                future.set_result(None)

    def store_file(
        self,
        data: bytes,
        kind: str,
        folder: str,
        filename: str | None,
        mime_type: str | None,
        size: tuple[int, int] | None = None,
    ) -> FileRecord:
        """Keep a file's bytes under fresh ids and a download path."""
        file_id, unique_id = new_file_ids(kind)
        suffix = ""
        if filename and "." in filename:
            suffix = "." + filename.rsplit(".", 1)[1][:8]
        record = FileRecord(
            file_id=file_id,
            file_unique_id=unique_id,
            data=data,
            file_path=f"{folder}/file_{len(self.files)}{suffix}",
            filename=filename,
            mime_type=mime_type,
            width=size[0] if size else None,
            height=size[1] if size else None,
        )
        self.files[file_id] = record
        self.files_by_path[record.file_path] = record
        return record

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Predicate | None,
        wait_seconds: float,
        since: int | None,
        kinds: Iterable[str],
    ) -> MessageRecord:
        """Wait for bot activity in ``chat_id`` matching ``predicate`` (see the facade's docs)."""
        kinds = frozenset(kinds)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds
        seen: ChatRecord | None = None
        scan_from = 0
        while True:
            chat = self.chats.get(chat_id)
            if chat is not None:
                if chat is not seen:
                    # First look, or the chat was recreated by reset(): start afresh.
                    first = seen is None
                    seen = chat
                    scan_from = (since if since is not None else chat.read_cursor) if first else 0
                events = chat.events
                for index in range(scan_from, len(events)):
                    kind, record = events[index]
                    if kind in kinds and (predicate is None or predicate(record)):
                        chat.read_cursor = max(chat.read_cursor, index + 1)
                        return record
                scan_from = len(events)
            remaining = deadline - loop.time()
            if remaining <= 0 or self.stopping:
                raise TimeoutError(self._describe_timeout(chat_id, wait_seconds))
            future: asyncio.Future[None] = loop.create_future()
            self._waiters.setdefault(chat_id, []).append(future)
            try:
                await asyncio.wait_for(future, remaining)
            except TimeoutError:
                raise TimeoutError(self._describe_timeout(chat_id, wait_seconds)) from None

    def _describe_timeout(self, chat_id: int, timeout: float) -> str:
        """Explain a failed wait, listing the chat's recent bot messages."""
        chat = self.chats.get(chat_id)
        recent = [
            f"#{m.message_id} {m.content!r}{' (deleted)' if m.deleted else ''}"
            for m in (chat.bot_messages[-5:] if chat else [])
        ]
        return (
            f"no matching bot message in chat {chat_id} within {timeout}s; "
            f"recent bot messages: {recent or 'none'}"
        )

    # -- updates and long polling -----------------------------------------------------------

    def push_update(self, kind: str, payload: dict[str, Any]) -> int:
        """Queue an update of ``kind`` (e.g. "message") for getUpdates; return its update_id."""
        update_id = next(self._update_ids)
        self.updates.append((update_id, kind, {"update_id": update_id, kind: payload}))
        self._wake_poller("update")
        return update_id

    def next_update_id(self) -> int:
        """A fresh update id (for an update made but not queued)."""
        return next(self._update_ids)

    def push_raw_update(self, body: dict[str, Any]) -> int:
        """Queue an update exactly as given (only its update_id is set), however odd its
        contents: for testing a bot with updates it cannot read. Return its update_id."""
        update_id = next(self._update_ids)
        kind = next((key for key in body if key != "update_id"), "unknown")
        self.updates.append((update_id, kind, {**body, "update_id": update_id}))
        self._wake_poller("update")
        return update_id

    def end_long_poll(self) -> None:
        """A webhook was set: a getUpdates call waiting now ends in 409 Conflict."""
        self._wake_poller("conflict")

    def _wake_poller(self, reason: str) -> None:
        """Resolve the pending long poll, if any (and wake the webhook's poster)."""
        self.webhook_wake.set()
        poller = self._poller
        if poller is not None and not poller.done():
            poller.set_result(reason)

    def _confirm(self, offset: int) -> None:
        """Forget updates confirmed by ``offset`` (negative: keep only the last -offset)."""
        updates = self.updates
        if offset > 0:
            while updates and updates[0][0] < offset:
                updates.popleft()
        elif offset < 0:
            while len(updates) > -offset:
                updates.popleft()

    def pending_for_webhook(self) -> list[dict[str, Any]]:
        """Pending updates to post to the webhook, in order; updates of kinds the bot did not
        ask for are dropped, as Telegram does."""
        kept = [entry for entry in self.updates if self.wanted(entry[1])]
        if len(kept) != len(self.updates):
            self.updates = deque(kept)
        return [update for _update_id, _kind, update in self.updates]

    def wanted(self, kind: str) -> bool:
        """Whether the bot asked for updates of ``kind``: by default every kind but
        chat_member and the reaction updates, as at Telegram."""
        allowed = self.allowed_updates
        return kind not in NOT_BY_DEFAULT if allowed is None else kind in allowed

    def confirm_update(self, update_id: int) -> None:
        """Forget one update the webhook took."""
        for index, entry in enumerate(self.updates):
            if entry[0] == update_id:
                del self.updates[index]
                return

    def _collect(self, limit: int) -> list[dict[str, Any]]:
        """Return up to ``limit`` pending updates of the allowed types."""
        result = []
        for _update_id, kind, update in self.updates:
            if self.wanted(kind):
                result.append(update)
                if len(result) >= limit:
                    break
        return result

    async def get_updates(
        self, offset: int, limit: int, poll_seconds: float, allowed: list[str] | None
    ) -> list[dict[str, Any]]:
        """Answer getUpdates: confirm by offset, then return updates or hold until one arrives."""
        if allowed is not None:
            self.allowed_updates = frozenset(allowed) if allowed else None
        self._wake_poller("conflict")
        self._confirm(offset)
        limit = min(max(limit, 1), 100)
        result = self._collect(limit)
        if result or poll_seconds <= 0 or self.stopping:
            return result
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._poller = future
        try:
            reason = await asyncio.wait_for(future, poll_seconds)
        except TimeoutError:
            reason = "timeout"
        finally:
            if self._poller is future:
                self._poller = None
        if reason == "conflict":
            raise ApiError(409, GETUPDATES_CONFLICT)
        return self._collect(limit)

    # -- callback answers -------------------------------------------------------------------

    def new_query_id(self) -> str:
        """Return a fresh callback query id."""
        return str(next(self._query_ids))

    def record_answer(self, answer: CallbackAnswer) -> None:
        """Store a callback answer and wake whoever waits for it."""
        self.callback_answers[answer.query_id] = answer
        for future in self._answer_waiters.pop(answer.query_id, []):
            if not future.done():
                future.set_result(None)

    async def wait_for_answer(self, query_id: str, wait_seconds: float) -> CallbackAnswer:
        """Wait until the bot answers callback query ``query_id``."""
        answer = self.callback_answers.get(query_id)
        if answer is not None:
            return answer
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._answer_waiters.setdefault(query_id, []).append(future)
        try:
            await asyncio.wait_for(future, wait_seconds)
        except TimeoutError:
            raise TimeoutError(
                f"callback query {query_id} was not answered within {wait_seconds}s"
            ) from None
        return self.callback_answers[query_id]

    # -- request log ------------------------------------------------------------------------

    def log_request(
        self, method: str, chat_id: int | None, status: int, description: str | None
    ) -> None:
        """Record one API call and count it by status."""
        self.request_log.append(
            RequestRecord(method, chat_id, status, self._clock.monotonic(), description)
        )
        self.status_counts[status] += 1
        self.method_status_counts[(method, status)] += 1

    def shutdown(self) -> None:
        """Release every waiter so the server can stop promptly."""
        self.stopping = True
        self._wake_poller("stop")
        for chat_id in list(self._waiters):
            self._wake_chat(chat_id)
        for query_id in list(self._answer_waiters):
            for future in self._answer_waiters.pop(query_id):
                if not future.done():
                    future.set_result(None)
