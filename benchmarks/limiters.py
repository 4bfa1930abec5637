"""PTB's AIORateLimiter against the engine's SendLimiter, on the issue's own criteria.

Both drive the same sends (the engine's aiohttp transport, 8 in flight) to the emulator,
which enforces Telegram's limits: 30 a second overall, and about one a second per chat
(a burst of 3 allowed).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from telegram.ext import AIORateLimiter

from bot.delivery.content import Outgoing
from bot.delivery.limiter import SendLimiter
from bot.delivery.policy import Verdict
from bot.delivery.transport import BotApiTransport
from emulator.process import EmulatorProcess

IN_FLIGHT = 8


@dataclass(frozen=True)
class LimiterRun:
    """How one limiter did."""

    name: str
    sent: int
    per_second: float
    over_limit: int
    one_chat_over_limit: int
    reply_wait_ms: float | None  # a reply sharing the limiter (None: replies never do)


async def _through_ptb(limiter: AIORateLimiter, transport: BotApiTransport, chat: int, call):
    """One send through AIORateLimiter (its public process_request hook)."""

    async def send(*_args, **_kwargs):
        """The request PTB would make, here through the engine's transport."""
        return await transport.send(chat, call)

    return await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": chat}, None)


async def _through_engine(limiter: SendLimiter, transport: BotApiTransport, chat: int, call):
    """One send paced by SendLimiter, as the worker paces it: wait until allowed, then take."""
    for _ in range(100_000):
        wait = max(limiter.overall_wait(), limiter.chat_wait(chat), limiter.paused_for())
        if wait <= 0:
            break
        await asyncio.sleep(wait)
    limiter.take(chat)
    return await transport.send(chat, call)


async def compare(emu: EmulatorProcess, token: str, chats: list[int]) -> list[LimiterRun]:
    """Run both limiters on the same work and report what each let through."""
    runs = []
    for use_ptb in (True, False):
        await emu.control("POST", "/limits", {"enabled": True, "global_per_second": 30})
        transport = BotApiTransport(emu.base_url, token, pool_size=IN_FLIGHT * 2)
        await transport.start()
        try:
            runs.append(await _run_one(use_ptb, transport, chats))
        finally:
            await transport.close()
        await asyncio.sleep(1.5)  # let the emulator's buckets fill again
    return runs


async def _run_one(use_ptb: bool, transport: BotApiTransport, chats: list[int]) -> LimiterRun:
    """One limiter on the work."""
    if use_ptb:
        ptb = AIORateLimiter(overall_max_rate=30, overall_time_period=1)

        def send(chat, call):
            """A send through AIORateLimiter."""
            return _through_ptb(ptb, transport, chat, call)

        return await _measure("AIORateLimiter(30/s)", send, chats, time_a_reply=True)
    engine = SendLimiter(30)

    def send_paced(chat, call):
        """A send paced by SendLimiter."""
        return _through_engine(engine, transport, chat, call)

    return await _measure("SendLimiter(30/s)", send_paced, chats, time_a_reply=False)


async def _measure(name: str, send, chats: list[int], time_a_reply: bool) -> LimiterRun:
    """Many chats at full speed (optionally timing one reply that shares the limiter in the
    middle), then 4 messages at once to one chat."""
    call = Outgoing("sendMessage", {"text": "limiter check"})
    queue = list(chats)
    outcomes = []
    reply_wait: float | None = None

    async def worker() -> None:
        """Send to the next chat until none are left."""
        while queue:
            outcomes.append(await send(queue.pop(), call))

    async def reply() -> None:
        """A reply to a member in the middle of the run."""
        nonlocal reply_wait
        await asyncio.sleep(2.0)
        started = time.monotonic()
        await send(chats[0], call)  # a reply to a member sharing the bot's limiter
        reply_wait = (time.monotonic() - started) * 1000

    started = time.monotonic()
    extra = [reply()] if time_a_reply else []
    await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)), *extra)
    seconds = time.monotonic() - started
    sent = sum(1 for o in outcomes if o.verdict is Verdict.SENT)
    over = sum(1 for o in outcomes if o.verdict is Verdict.RATE_LIMITED)
    await asyncio.sleep(1.5)
    burst = await asyncio.gather(*(send(chats[-1], call) for _ in range(4)))
    one_chat = sum(1 for o in burst if o.verdict is Verdict.RATE_LIMITED)
    return LimiterRun(name, sent, sent / seconds, over, one_chat, reply_wait)
