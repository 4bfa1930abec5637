"""Runs the real Application (bot.app.build_application) against the Bot API emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from telegram.ext import Application

from bot.clock import Clock
from bot.services.registry import Services
from emulator.emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.conftest import make_settings


@dataclass
class RunningBot:
    """The bot under test and the emulator it talks to, with helpers that act as a person."""

    emu: BotApiEmulator
    app: Application
    clock: Clock

    @property
    def services(self) -> Services:
        """The services the running bot uses (for checking what was stored)."""
        return self.app.bot_data["services"]

    async def say(self, user_id: int, text: str, wait: float = 5.0) -> MessageRecord:
        """The person sends text; return the bot's next message or edit in that chat."""
        await self.emu.send_text(user_id, text)
        return await self.emu.wait_for_message(user_id, timeout=wait)

    async def press(
        self,
        user_id: int,
        message: MessageRecord,
        label: str | None = None,
        data: str | None = None,
        wait: float = 5.0,
    ) -> MessageRecord:
        """The person presses a button (by label or data); return the bot's next message or edit."""
        query_id = await self.emu.press_button(user_id, message, data, text=label)
        reply = await self.emu.wait_for_message(user_id, timeout=wait)
        await self.emu.wait_for_answer(query_id, timeout=wait)
        return reply

    async def next(self, user_id: int, wait: float = 5.0) -> MessageRecord:
        """The bot's next message or edit in this chat."""
        return await self.emu.wait_for_message(user_id, timeout=wait)

    async def join(self, user_id: int, first_name: str, region: str | None = None) -> None:
        """Take a person through joining: consent, region, hub (first, or not sure), done."""
        self.emu.add_user(user_id, first_name)
        await self.say(user_id, "/start")
        privacy = await self.next(user_id)
        picker = await self.press(user_id, privacy, "Yes, I agree")
        if picker.text and picker.text.startswith("Thank you"):
            picker = await self.next(user_id)
        if region is None:
            prefs = await self.press(user_id, picker, "Not sure or national only")
        else:
            hubs = await self.press(user_id, picker, region)
            prefs = await self.press(user_id, hubs, hubs.buttons[0][0])
        await self.press(user_id, prefs, "Done")


@asynccontextmanager
async def running_bot(
    tmp_path: Path,
    emu: BotApiEmulator,
    *,
    clock: Clock | None = None,
    **settings: object,
) -> AsyncIterator[RunningBot]:
    """Start the real bot on a database in tmp_path, polling the emulator; stop it after."""
    from bot.app import build_application
    from bot.lifecycle import polling

    config = make_settings(
        tmp_path,
        bot_api_base_url=emu.base_url,
        bot_api_base_file_url=emu.base_file_url,
        **settings,
    )
    clock = clock or Clock()
    app = await build_application(config, clock=clock)
    async with polling(app, poll_timeout=1):
        yield RunningBot(emu, app, clock)
