"""Fixtures for the delivery engine: a real database, the emulator, and an engine wired to both."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import BroadcastStatus, DeliveryService, build_delivery
from config.settings import Settings
from emulator import BotApiEmulator
from storage.audit import AuditRepository
from storage.db import Database
from storage.members import MemberRepository
from tests.conftest import make_settings

FIRST_MEMBER = 500_000_001
TEXT = "Hello from the forum. The hub meeting is on <b>Friday</b>."


@dataclass
class Engine:
    """A started delivery engine and what it talks to."""

    delivery: DeliveryService
    db: Database
    emu: BotApiEmulator
    clock: Clock
    settings: Settings

    async def members(self, count: int, first: int = FIRST_MEMBER, **place: str) -> list[int]:
        """Members who joined (and opened a chat in the emulator); return their ids."""
        repo = MemberRepository(self.db)
        ids = list(range(first, first + count))
        for member_id in ids:
            await repo.add(member_id, f"Member {member_id}", self.clock.now())
            if place:
                await repo.set_place(
                    member_id, place.get("region"), place.get("hub"), self.clock.now()
                )
            self.emu.add_user(member_id, f"Member {member_id}")
            self.emu.chat(member_id).started = True
        return ids

    async def finished(self, broadcast_id: int, timeout: float = 20.0) -> BroadcastStatus:  # noqa: ASYNC109
        """Wait until every row of the broadcast has settled and the report is done."""
        return await wait_for(
            lambda: self._finished_status(broadcast_id), timeout, f"broadcast {broadcast_id}"
        )

    async def _finished_status(self, broadcast_id: int) -> BroadcastStatus | None:
        """The status once finished, else None."""
        await self.delivery.check()
        status = await self.delivery.status(broadcast_id)
        assert status is not None
        return status if status.finished else None

    def copies(self, chat_id: int, text: str = "Hello from the forum") -> int:
        """How many messages containing ``text`` the chat received from the bot."""
        chat = self.emu.state.chats.get(chat_id)
        if chat is None:
            return 0
        return sum(
            1 for m in chat.messages if m.from_bot and text in ((m.text or "") + (m.caption or ""))
        )

    async def rows(self, broadcast_id: int) -> dict[int, dict]:
        """The broadcast's delivery rows by recipient."""
        rows = await self.db.fetch_all(
            "SELECT * FROM deliveries WHERE broadcast_id = ?", (broadcast_id,)
        )
        return {row["recipient_id"]: dict(row) for row in rows}


async def wait_for(
    check: Callable[[], Awaitable[object]],
    timeout: float,  # noqa: ASYNC109
    what: str,
) -> object:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        await asyncio.sleep(0.05)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """The emulator with Telegram's rules, its overall limit raised for fast tests."""
    async with BotApiEmulator() as emulator:
        emulator.set_limits(global_per_second=1000)
        yield emulator


@pytest.fixture
async def make_engine(
    tmp_path: Path, db: Database, emu: BotApiEmulator
) -> AsyncIterator[Callable[..., Awaitable[Engine]]]:
    """Build and start engines (stopped after the test); options override the settings."""
    started: list[DeliveryService] = []

    async def build(
        *,
        clock: Clock | None = None,
        rate: float | None = 30,
        in_flight: int = 8,
        **overrides: object,
    ) -> Engine:
        """A started engine on the test database and emulator."""
        values: dict[str, object] = {
            "bot_api_base_url": emu.base_url,
            "delivery_retry_base_seconds": 0.05,
            "delivery_send_timeout_seconds": 5,
            "quiet_hours_start": 0,
            "quiet_hours_end": 0,
        }
        values.update(overrides)
        settings = make_settings(tmp_path, **values)
        engine_clock = clock or Clock()
        delivery = build_delivery(
            settings,
            db,
            engine_clock,
            audit=AuditRepository(db),
            in_flight=in_flight,
            rate_per_second=rate,
            unlimited=rate is None,
        )
        await delivery.start()
        started.append(delivery)
        return Engine(delivery, db, emu, engine_clock, settings)

    yield build
    for delivery in started:
        await delivery.stop()
