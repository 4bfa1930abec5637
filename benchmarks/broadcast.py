"""A broadcast to many members through the real bot and the emulator, capped and uncapped."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass

from telegram.ext import Application

from benchmarks.presses import Pressers
from bot.delivery import DeliveryService, build_delivery
from bot.services.registry import Services
from emulator.process import EmulatorProcess


@dataclass(frozen=True)
class BroadcastRun:
    """What one broadcast did."""

    recipients: int
    seconds: float
    delivered_chats: int
    duplicates: int
    lost: int
    over_limit: int
    press_latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        """Recipients reached per second, from queueing to the last arrival."""
        return self.delivered_chats / self.seconds if self.seconds > 0 else 0.0


async def run_broadcast(
    emu: EmulatorProcess,
    delivery: DeliveryService,
    recipients: list[int],
    text: str,
    pressers: Pressers,
    press_every: float,
) -> BroadcastRun:
    """Queue one broadcast, press buttons while it runs, and count what arrived."""
    log_start = len(await emu.control("GET", "/requests?method=sendMessage"))
    messages_start = (await emu.control("GET", "/stats"))["messages_sent"]
    started = time.monotonic()
    broadcast_id = await delivery.enqueue("broadcast", text, recipients)
    work = asyncio.create_task(_finished(delivery, broadcast_id))
    latencies = await pressers.press_during(work, press_every)
    wanted = set(recipients)
    log = await emu.control("GET", f"/requests?method=sendMessage&since={log_start}")
    arrivals = [e["time"] for e in log if e["status"] == 200 and e["chat_id"] in wanted]
    over_limit = sum(1 for e in log if e["status"] == 429)
    messages = await emu.control("GET", f"/messages?since={messages_start}")
    copies = Counter(m["chat_id"] for m in messages if m["text"] == text)
    return BroadcastRun(
        recipients=len(recipients),
        seconds=(max(arrivals) - started) if arrivals else 0.0,
        delivered_chats=sum(1 for chat in wanted if copies[chat] >= 1),
        duplicates=sum(count - 1 for chat, count in copies.items() if count > 1),
        lost=sum(1 for chat in wanted if copies[chat] == 0),
        over_limit=over_limit,
        press_latencies_ms=latencies,
    )


async def _finished(delivery: DeliveryService, broadcast_id: int) -> None:
    """Wait until every row of the broadcast has settled."""
    while True:
        await delivery.check()
        status = await delivery.status(broadcast_id)
        if status is not None and status.finished:
            return
        await asyncio.sleep(0.2)


async def uncapped_engine(app: Application) -> DeliveryService:
    """Stop the bot's own (capped) worker and start one with no overall rate limit."""
    services: Services = app.bot_data["services"]
    await services.delivery.stop()
    fast = build_delivery(services.settings, services.db, services.clock, unlimited=True)
    await fast.start()
    return fast
