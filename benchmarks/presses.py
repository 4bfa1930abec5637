"""Members pressing a button while something runs: time from the press to the bot's answer.

The emulator runs in another process, but time.monotonic() reads the same system-wide clock
(CLOCK_MONOTONIC on Linux), so its answer times compare directly with our press times.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time

from emulator.process import EmulatorProcess

DATA = "menu:support"  # answered at once; the edit that follows changes nothing


class Pressers:
    """A few people, each with a support menu open, pressing its button again and again."""

    def __init__(self, emu: EmulatorProcess, user_ids: list[int]) -> None:
        self._emu = emu
        self._users = user_ids
        self._messages: dict[int, int] = {}
        self._pressed: list[tuple[str, float]] = []

    async def prepare(self) -> None:
        """Each person opens the support menu (the message their presses will target)."""
        for user_id in self._users:
            await self._emu.control("POST", "/users", {"user_id": user_id, "first_name": "P"})
            await self._emu.control("POST", "/send_text", {"user_id": user_id, "text": "/support"})
            message = await self._emu.control(
                "POST",
                "/wait_for_message",
                {"chat_id": user_id, "text_contains": "support", "timeout": 10},
            )
            self._messages[user_id] = message["message_id"]

    async def press_during(self, work: asyncio.Task, every: float) -> list[float]:
        """Press every ``every`` seconds per person until ``work`` ends; return latencies (ms)."""
        self._pressed = []
        loops = [asyncio.create_task(self._loop(user_id, every, work)) for user_id in self._users]
        try:
            await work
        finally:
            for loop in loops:
                loop.cancel()
            for loop in loops:
                with contextlib.suppress(asyncio.CancelledError):
                    await loop
        return await self._latencies()

    async def press_for(self, seconds: float, every: float) -> list[float]:
        """Press for a while with nothing else running (the idle baseline)."""
        return await self.press_during(asyncio.create_task(asyncio.sleep(seconds)), every)

    async def _loop(self, user_id: int, every: float, work: asyncio.Task) -> None:
        """One person pressing until the work is done."""
        while not work.done():
            started = time.monotonic()
            answer = await self._emu.control(
                "POST",
                "/press_button",
                {
                    "user_id": user_id,
                    "message_id": self._messages[user_id],
                    "callback_data": DATA,
                    "forge": True,
                },
            )
            self._pressed.append((answer["callback_query_id"], started))
            await asyncio.sleep(every)

    async def _latencies(self) -> list[float]:
        """Press-to-answer times in milliseconds (waiting a moment for the last answers)."""
        await asyncio.sleep(1.0)
        answers = await self._emu.control("GET", "/callback_answers")
        latencies = []
        for query_id, pressed_at in self._pressed:
            answer = answers.get(query_id)
            latencies.append((answer["time"] - pressed_at) * 1000 if answer else float("inf"))
        return latencies


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.99 for p99)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(share * len(ordered))))
    return ordered[rank - 1]
