"""The sandbox's world: the emulator and the real bot in one event loop; reset and fast-forward."""

from __future__ import annotations

import asyncio
import html
import logging
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.date import DateTrigger
from telegram.ext import Application

from bot.app import build_application
from bot.clock import Clock
from bot.lifecycle import polling
from bot.services.registry import Services
from config.settings import Settings
from emulator.emulator import BotApiEmulator
from emulator.records import MessageRecord
from sandbox.group import BASIC_ID, BASIC_SUPERGROUP_ID, BASIC_TITLE, PracticeGroup
from sandbox.personas import CASEY, DANA, FIRST_ADDED_ID, READY, Persona
from sandbox.words import day_words, time_words
from storage.roles import DECISION_MAKER

logger = logging.getLogger(__name__)

# Not a secret: only the sandbox's own emulator on 127.0.0.1 accepts it.
SANDBOX_TOKEN = "123456:SANDBOX-token-not-a-real-secret"
DEFAULT_DATABASE = Path("data/sandbox.db")
ANSWER_WAIT = 3.0  # seconds to wait for the bot to answer a button press
MAX_FILE_BYTES = 10 * 1024 * 1024  # what a person may send from the page


class BotTime:
    """The emulator's clock in the sandbox: message dates follow the bot's clock.

    So a fast-forward moves the dates on messages too (and Telegram's 48-hour limit on
    deleting messages counts in the bot's time). Flood control and the 15 seconds to answer
    a button press keep counting real seconds.
    """

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox
        self._skipped = 0.0

    def monotonic(self) -> float:
        """Real seconds, plus any skipped through the emulator itself."""
        return time.monotonic() + self._skipped

    def time(self) -> float:
        """The bot's clock as Unix time."""
        return self._sandbox.clock.now().timestamp()

    def advance(self, seconds: float) -> None:
        """Skip both readings forward (the bot's clock with them)."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._skipped += seconds
        self._sandbox.clock.advance(timedelta(seconds=seconds))


class Sandbox:
    """Starts, drives, fast-forwards and resets the emulator and the real bot polling it."""

    def __init__(
        self,
        database_path: Path = DEFAULT_DATABASE,
        *,
        clock_start: datetime | None = None,
        show_keys: bool = False,
        **settings: Any,
    ) -> None:
        """Configure (not start); ``clock_start`` fixes the bot's clock (tests), else real time."""
        self.database_path = Path(database_path)
        self.show_keys = show_keys
        self._clock_start = clock_start
        self._settings = settings
        self.clock = Clock(clock_start)
        self.emu = BotApiEmulator(token=SANDBOX_TOKEN, clock=BotTime(self))
        self.app: Application | None = None
        self.personas: dict[int, Persona] = {}
        self._stack: AsyncExitStack | None = None
        self._next_id = FIRST_ADDED_ID
        self.lock = asyncio.Lock()
        self.group = PracticeGroup(self.emu)  # a hub's group chat, to practise in
        # a basic group, which can be made a supergroup (Telegram's move to a new id)
        self.basic_group = PracticeGroup(
            self.emu,
            BASIC_ID,
            BASIC_TITLE,
            supergroup=False,
            supergroup_id=BASIC_SUPERGROUP_ID,
        )

    def practice(self, which: str = "hub") -> PracticeGroup:
        """The practice group by name: "hub" (a supergroup) or "basic"."""
        return self.basic_group if which == "basic" else self.group

    @property
    def services(self) -> Services:
        """The running bot's services."""
        if self.app is None:
            raise RuntimeError("the sandbox bot is not running")
        return self.app.bot_data["services"]

    @property
    def zone(self) -> ZoneInfo:
        """The bot's time zone, for showing its clock."""
        if self.app is not None:
            return self.services.settings.zone
        return ZoneInfo(self._settings.get("timezone", "Europe/London"))

    def settings(self) -> Settings:
        """The bot's settings: the sandbox token, the emulator and the sandbox database only."""
        values: dict[str, Any] = {
            "bot_token": SANDBOX_TOKEN,
            "bot_api_base_url": self.emu.base_url,
            "bot_api_base_file_url": self.emu.base_file_url,
            "database_path": self.database_path,
            "coordinator_ids": [CASEY],
        }
        values.update(self._settings)
        return Settings(_env_file=None, **values)  # type: ignore[arg-type]

    async def start(self) -> None:
        """Start the emulator (once) and the bot, with the ready people in place."""
        if self.emu.port is None:
            await self.emu.start()
            self.emu.set_limits(per_chat_burst=20)
        await self._start_bot()

    async def _start_bot(self) -> None:
        """Add the people, start the bot polling and give Dana the decision-maker role."""
        self.personas = {}
        for persona in READY:
            self._add_user(persona)
            # Each has opened the bot's chat, as after pressing Start in Telegram: a bot may
            # only write to people who have, so Dana gets results packs and Casey a command
            # menu before either has written anything.
            self.emu.chat(persona.user_id).started = True
        self.database_path.parent.mkdir(parents=True, exist_ok=True)
        app = await build_application(self.settings(), clock=self.clock, show_keys=self.show_keys)
        stack = AsyncExitStack()
        await stack.enter_async_context(polling(app, poll_timeout=1))
        self._stack, self.app = stack, app
        # Through the service, as a coordinator would: checked and recorded in the audit log.
        await self.services.roles.grant(CASEY, DANA, DECISION_MAKER)

    async def stop(self) -> None:
        """Stop the bot, then the emulator."""
        await self._stop_bot()
        await self.emu.stop()

    async def _stop_bot(self) -> None:
        """Stop the bot polling and close its database."""
        stack, self._stack, self.app = self._stack, None, None
        if stack is not None:
            await stack.aclose()

    async def reset(self) -> None:
        """Stop the bot, delete the sandbox database, clear the emulator and start again."""
        await self._stop_bot()
        await asyncio.to_thread(_delete_database, self.database_path)
        self.emu.reset()
        self.clock = Clock(self._clock_start)
        self._next_id = FIRST_ADDED_ID
        await self._start_bot()

    def _add_user(self, persona: Persona) -> Persona:
        """Make the person a user of the emulator and of the picker."""
        self.emu.add_user(persona.user_id, persona.first_name)
        self.personas[persona.user_id] = persona
        return persona

    def add_person(self, first_name: str) -> Persona:
        """Add a new person who has not met the bot yet."""
        user_id = self._next_id
        hint = f"Added in this sandbox. Telegram id: {user_id}"
        persona = Persona(user_id, first_name, "visitor", hint)
        self._next_id += 1
        return self._add_user(persona)

    def persona(self, user_id: int) -> Persona:
        """A person in the picker (KeyError for anyone else)."""
        return self.personas[user_id]

    async def send_text(self, user_id: int, text: str) -> None:
        """The person sends a message to the bot."""
        self.persona(user_id)
        await self.emu.send_text(user_id, text)

    async def send_file(
        self, user_id: int, name: str, data: bytes, mime_type: str, caption: str, *, photo: bool
    ) -> str:
        """The person sends a picture (as a photo) or a file; return which it went as.

        A picture the emulator cannot read as PNG, JPEG, GIF or WebP goes as a file, as a
        Telegram app would send it.
        """
        self.persona(user_id)
        if not data or len(data) > MAX_FILE_BYTES:
            raise ValueError(f"a file must have 1 byte to {MAX_FILE_BYTES // (1024 * 1024)} MB")
        if photo:
            try:
                await self.emu.send_photo(user_id, data, caption=caption or None)
                return "photo"
            except ValueError:
                pass  # not a picture after all: send it as a file
        mime = mime_type or "application/octet-stream"
        await self.emu.send_document(user_id, name or "file", data, mime, caption=caption or None)
        return "document"

    async def press(self, user_id: int, message_id: int, callback_data: str) -> str | None:
        """The person presses an inline button; return the bot's answer text, if any."""
        self.persona(user_id)
        query_id = await self.emu.press_button(user_id, message_id, callback_data)
        try:
            answer = await self.emu.wait_for_answer(query_id, timeout=ANSWER_WAIT)
        except TimeoutError:
            return None
        return answer.text

    def chat(self, user_id: int) -> dict[str, Any]:
        """The person's chat with the bot: both sides, with edits, buttons and files."""
        self.persona(user_id)
        chat = self.emu.state.chats.get(user_id)
        if chat is None:
            return {"version": "0", "messages": []}
        labels = self.label_keys if self.show_keys else None
        messages = [_message_view(m, self.zone, labels) for m in chat.messages if not m.deleted]
        version = f"{len(chat.messages)}.{len(chat.events)}.{int(self.show_keys)}"
        return {"version": version, "messages": messages}

    async def group_press(
        self, user_id: int, message_id: int, callback_data: str, which: str = "hub"
    ) -> str | None:
        """The person presses a button in a practice group; return the bot's answer, if any."""
        self.persona(user_id)
        query_id = await self.practice(which).press(user_id, message_id, callback_data)
        try:
            answer = await self.emu.wait_for_answer(query_id, timeout=ANSWER_WAIT)
        except TimeoutError:
            return None
        return answer.text

    def group_view(self, which: str = "hub") -> dict[str, Any]:
        """A practice group as the page shows it, with who wrote each message."""
        labels = self.label_keys if self.show_keys else None
        names = {user_id: p.first_name for user_id, p in self.personas.items()}
        view = lambda m: _message_view(m, self.zone, labels)  # noqa: E731
        return {"group": which, **self.practice(which).view(self.zone, view, names)}

    def label_keys(self, label: str) -> list[str]:
        """With keys shown, the catalogue keys a button label or a press's answer came from."""
        if not self.show_keys or self.app is None:
            return []
        return self.services.texts.keys_of_label(label)

    def file(self, file_id: str) -> tuple[bytes, str | None, str | None] | None:
        """A file the bot sent: bytes, file name and MIME type."""
        record = self.emu.state.files.get(file_id)
        if record is None:
            return None
        return record.data, record.filename, record.mime_type

    def set_show_keys(self, on: bool) -> None:
        """Show or hide each message's catalogue key, from the next message on."""
        self.show_keys = on
        if self.app is not None:
            self.services.texts.show_keys = on

    async def advance(self, delta: timedelta) -> list[str]:
        """Move the bot's clock on, run the jobs now due by it and wake the delivery worker.

        Returns the names of the jobs run. One-off jobs run here are removed, so they do
        not run a second time when their real-time timer fires.
        """
        self.clock.advance(delta)
        ran = []
        app = self.app
        if app is not None:
            now = self.clock.now()
            for job in app.job_queue.jobs():
                if job.removed or job.next_t is None or job.next_t > now:
                    continue
                await job.run(app)
                ran.append(job.name or "job")
                if isinstance(job.job.trigger, DateTrigger):
                    job.schedule_removal()
            self.services.delivery.wake()
        return ran


def _delete_database(path: Path) -> None:
    """Delete the sandbox database and SQLite's side files."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _message_view(
    message: MessageRecord, zone: ZoneInfo, label_keys: Callable[[str], list[str]] | None
) -> dict[str, Any]:
    """A message as the web page shows it; the bot's HTML is allow-listed again in the page.

    Its day and time are the bot's (the emulator dates messages by the bot's clock), in the
    bot's time zone, never the browser's. With keys shown, each button carries the keys
    its label came from.
    """
    sent = datetime.fromtimestamp(message.date, UTC)
    edited = datetime.fromtimestamp(message.edit_date or message.date, UTC)
    if message.from_bot:
        body = message.html if message.html is not None else html.escape(message.text or "")
        caption = message.caption_html or html.escape(message.caption or "")
    else:
        body = html.escape(message.text or "")
        caption = html.escape(message.caption or "")
    view: dict[str, Any] = {
        "id": message.message_id,
        "from_bot": message.from_bot,
        "date": message.date,
        "day": day_words(sent, zone),
        "time": time_words(sent, zone),
        "edited_time": time_words(edited, zone),
        "html": body if message.text is not None else "",
        "caption": caption,
        "edited": message.edit_count > 0,
        "buttons": [
            [
                {
                    "text": button.get("text", ""),
                    "data": button.get("callback_data"),
                    "url": button.get("url"),
                    "keys": label_keys(button.get("text", "")) if label_keys else [],
                }
                for button in row
            ]
            for row in message.inline_keyboard
        ],
        "keyboard": message.keyboard,
        "document": None,
        "photo": None,
    }
    if message.document is not None:
        doc = message.document
        view["document"] = {
            "url": f"/api/files/{doc.file_id}",
            "name": doc.filename or "file",
            "size": doc.size,
        }
    if message.photo is not None:
        view["photo"] = {"url": f"/api/files/{message.photo.file.file_id}"}
    return view
