"""The Application's HTTP client for the Bot API: python-telegram-bot's request interface on
aiohttp instead of httpx; and the one for getUpdates, which trims what a button press carries.

Measured under a rush of button presses (`make bench`, the votes phase), httpx's connection
pool spent a quarter of the bot's time checking its idle connections on every request;
aiohttp's pool does not. The delivery engine already uses aiohttp, so this adds no library.
Nothing here logs a URL: Bot API URLs hold the token.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp
from telegram import Update
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

logger = logging.getLogger(__name__)
USER_AGENT = BaseRequest.USER_AGENT
JSON_HEADERS = {"Content-Type": "application/json"}
# All the bot reads of the message a button was pressed on: which message, in which chat.
PRESSED_MESSAGE_FIELDS = ("message_id", "date", "chat")
# After an answer with several updates, the next getUpdates waits this long per update in it,
# at most MAX_BATCH_PAUSE_SECONDS: a small burst waits a few milliseconds, a rush grows its
# batches to the cap within a few polls. An answer with one update (a quiet bot) never waits.
PAUSE_PER_UPDATE_SECONDS = 0.002
MAX_BATCH_PAUSE_SECONDS = 0.05


class AiohttpRequest(BaseRequest):
    """Sends python-telegram-bot's requests with one aiohttp session and a bounded pool."""

    def __init__(
        self,
        *,
        pool_size: int = 64,
        connect_timeout: float = 5.0,
        read_timeout: float = 5.0,
        write_timeout: float = 5.0,
        pool_timeout: float = 1.0,
        media_write_timeout: float = 20.0,
    ) -> None:
        self._pool_size = pool_size
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """Parse an answer from the Bot API. Unlike python-telegram-bot's own, a broken answer
        is not written to the log: it could hold what a member wrote."""
        try:
            return json.loads(payload.decode("utf-8", "replace"))
        except ValueError as exc:
            raise TelegramError("Invalid server response") from exc

    @property
    def read_timeout(self) -> float | None:
        """The read timeout used when a call does not give one."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (once)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, keepalive_timeout=30)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": USER_AGENT}
            )

    async def shutdown(self) -> None:
        """Close the session."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Make one request; return the status code and body, or raise TimedOut/NetworkError."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        write = _given(write_timeout, self._media_write_timeout if files else self._write_timeout)
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_given(pool_timeout, self._pool_timeout)
            + _given(connect_timeout, self._connect_timeout),
            sock_connect=_given(connect_timeout, self._connect_timeout),
            sock_read=_given(read_timeout, self._read_timeout),
        )
        kwargs: dict[str, Any] = {"timeout": timeout}
        if files:
            kwargs["data"] = _form(fields or {}, files)
        elif request_data is not None and fields:
            # JSON, as the delivery engine sends: cheaper to build than an urlencoded form.
            kwargs["data"] = json.dumps(request_data.parameters).encode()
            kwargs["headers"] = JSON_HEADERS
        try:
            async with asyncio.timeout(_overall(timeout, write)):
                async with self._session.request(method, url, **kwargs) as response:
                    return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}") from error


class UpdatesRequest(AiohttpRequest):
    """The client for getUpdates. Each update in an answer is read on its own: one that
    python-telegram-bot cannot read is replaced by its bare id (logged, with nothing of what
    it held), so the rest of the batch is handled, the offset moves past it, and the library
    never logs the batch (it would, at CRITICAL, with what members wrote) nor fetches the same
    batch again and again (which stalled the bot).

    It also does two things for a rush of button presses (`make bench`, the votes phase):

    - A press arrives with a copy of the whole message the button is on. The bot never reads
      it (it draws every reply from the database), and turning it into python-telegram-bot
      objects was the largest part of reading a press. So only ``PRESSED_MESSAGE_FIELDS`` are
      kept.
    - An answer with several updates means presses are piling up: the next getUpdates waits a
      little (``PAUSE_PER_UPDATE_SECONDS`` for each, at most ``MAX_BATCH_PAUSE_SECONDS``) so
      that what arrives meanwhile comes in one batch. At 1,000 presses a second that cut the
      bot's time an answer by about a third. A bot reading one update at a time never waits.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._pause = 0.0

    @property
    def pause(self) -> float:
        """Seconds the next getUpdates waits for a batch to gather (0: none)."""
        return self._pause

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Ask for updates, after a short pause when the last answer showed a rush."""
        if self._pause:
            await asyncio.sleep(self._pause)
        return await super().do_request(*args, **kwargs)

    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:
        """Parse getUpdates' answer: trim each pressed message, set aside any update that
        cannot be read, and note a rush."""
        answer = AiohttpRequest.parse_json_payload(payload)
        updates = answer.get("result") if isinstance(answer, dict) else None
        count = len(updates) if isinstance(updates, list) else 0
        self._pause = (
            min(MAX_BATCH_PAUSE_SECONDS, count * PAUSE_PER_UPDATE_SECONDS) if count > 1 else 0.0
        )
        if isinstance(updates, list):
            readable = (readable_update(update) for update in updates)
            answer["result"] = [update for update in readable if update is not None]
        return answer


def readable_update(update: object) -> dict[str, Any] | None:
    """The update (a pressed message trimmed) if python-telegram-bot can read it; if not, just
    its id, which reads as an update with nothing in it (no handler takes it) and moves the
    offset past it; None, dropped, if it has no id either. Only the id is logged."""
    update_id = update.get("update_id") if isinstance(update, dict) else None
    if type(update_id) is not int:
        logger.warning("an update without an id was dropped")
        return None
    trim_pressed_message(update)
    if plain_press(update):
        return update  # type: ignore[return-value]
    try:
        Update.de_json(update, None)  # type: ignore[arg-type]
    except Exception as exc:  # whatever the library trips on: never a reason to stall
        # The type only: an error's message could quote the update.
        logger.warning(
            "update %d could not be read and was skipped: %s", update_id, type(exc).__name__
        )
        return {"update_id": update_id}
    return update  # type: ignore[return-value]


# The shape of an ordinary button press, once trimmed: checked field by field (about 3 µs), so
# that a rush of presses is not read twice (python-telegram-bot's reading, the check for
# anything else, costs about 85 µs an update). Only exact types pass; anything else is read.
_PRESS_FIELDS = frozenset({"id", "from", "message", "chat_instance", "data", "inline_message_id"})
_USER_WORDS = frozenset({"first_name", "last_name", "username", "language_code"})
_USER_FLAGS = frozenset({"is_bot", "is_premium", "added_to_attachment_menu"})
_CHAT_WORDS = frozenset({"type", "title", "username", "first_name", "last_name"})
_LATEST_DATE = 10**10  # seconds: a date python-telegram-bot can turn into a datetime


def plain_press(update: dict[str, Any]) -> bool:
    """Whether an update is an ordinary press that python-telegram-bot reads without fail."""
    if len(update) != 2:
        return False
    query = update.get("callback_query")
    if not isinstance(query, dict) or not query.keys() <= _PRESS_FIELDS:
        return False
    if type(query.get("id")) is not str or type(query.get("chat_instance")) is not str:
        return False
    if any(key in query and type(query[key]) is not str for key in ("data", "inline_message_id")):
        return False
    if not _plain_user(query.get("from")):
        return False
    return "message" not in query or _plain_pressed_message(query["message"])


def _plain_user(user: object) -> bool:
    """A user with an id, is_bot and a first name, and nothing unusual."""
    if not isinstance(user, dict) or type(user.get("id")) is not int:
        return False
    if type(user.get("is_bot")) is not bool or type(user.get("first_name")) is not str:
        return False
    return all(
        key == "id"
        or (key in _USER_WORDS and type(value) is str)
        or (key in _USER_FLAGS and type(value) is bool)
        for key, value in user.items()
    )


def _plain_pressed_message(message: object) -> bool:
    """A trimmed pressed message: its id, its date and its chat."""
    if not isinstance(message, dict) or len(message) != len(PRESSED_MESSAGE_FIELDS):
        return False
    date, chat = message.get("date"), message.get("chat")
    if type(message.get("message_id")) is not int or type(date) is not int:
        return False
    if not 0 <= date < _LATEST_DATE or not isinstance(chat, dict):
        return False
    if type(chat.get("id")) is not int or type(chat.get("type")) is not str:
        return False
    return all(key == "id" or (key in _CHAT_WORDS and type(v) is str) for key, v in chat.items())


def trim_pressed_message(update: object) -> None:
    """Keep only which message and chat a callback query's message was (in place)."""
    if not isinstance(update, dict):
        return
    query = update.get("callback_query")
    message = query.get("message") if isinstance(query, dict) else None
    if isinstance(message, dict):
        query["message"] = {k: message[k] for k in PRESSED_MESSAGE_FIELDS if k in message}


def _given(value: float | object | None, default: float) -> float:
    """A timeout the call gave, or the default (None means no limit: a long wait)."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    return 3600.0 if value is None else float(value)  # type: ignore[arg-type]


def _overall(timeout: aiohttp.ClientTimeout, write: float) -> float:
    """A last guard on the whole request, in case a socket read never times out."""
    return (timeout.connect or 0.0) + (timeout.sock_read or 0.0) + write + 5.0


def _form(fields: dict[str, str], files: dict[str, Any]) -> aiohttp.FormData:
    """Parameters and files as multipart/form-data."""
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, part in files.items():
        if isinstance(part, tuple):
            filename, content, *rest = part
            content_type = rest[0] if rest else "application/octet-stream"
            form.add_field(name, content, filename=filename, content_type=content_type)
        else:
            form.add_field(name, part)
    return form
