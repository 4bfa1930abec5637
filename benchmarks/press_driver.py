"""The members' side of the voting benchmark, in a process of its own (as real members are):
press each button at its moment through the emulator, then wait until the bot has answered
every press. Reads a JSON plan on standard input and writes a JSON list of
``[callback query id, press started]`` on standard output (times on the system-wide monotonic
clock, which the emulator's records also use).

Run by benchmarks/votes.py as ``python -m benchmarks.press_driver``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import aiohttp

CONNECTIONS = 32  # kept-alive connections, as Telegram's own front end would hold


async def _answers_so_far(session: aiohttp.ClientSession, root: str) -> int:
    """How many answerCallbackQuery calls the emulator has seen (any status)."""
    async with session.get(f"{root}/_emulator/stats") as response:
        stats = (await response.json())["result"]
    return sum(stats["by_method"].get("answerCallbackQuery", {}).values())


async def drive(plan: dict[str, Any]) -> list[list[Any]]:
    """Press every button in ``plan["presses"]`` (user, message, data) spread evenly over
    ``plan["spread"]`` seconds, then wait (at most ``plan["wait"]`` seconds) for the answers."""
    root, presses = plan["root"], plan["presses"]
    pressed: list[list[Any]] = []
    connector = aiohttp.TCPConnector(limit=CONNECTIONS)
    async with aiohttp.ClientSession(connector=connector) as session:
        answered_before = await _answers_so_far(session, root)
        url = f"{root}/_emulator/press_button"

        async def press(user: int, message: int, data: str, at: float) -> None:
            """One member presses at their moment."""
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            body = {"user_id": user, "message_id": message, "callback_data": data, "forge": True}
            started = time.monotonic()
            async with session.post(url, json=body) as response:
                result = (await response.json())["result"]
            pressed.append([result["callback_query_id"], started])

        first = time.monotonic() + 0.5
        step = plan["spread"] / max(len(presses), 1)
        await asyncio.gather(
            *(press(*p, first + i * step) for i, p in enumerate(presses)),
        )
        deadline = time.monotonic() + plan["wait"]
        while time.monotonic() < deadline:
            if await _answers_so_far(session, root) - answered_before >= len(presses):
                break
            await asyncio.sleep(0.1)
    return pressed


def main() -> None:
    """Read the plan, drive it, print the presses."""
    plan = json.load(sys.stdin)
    print(json.dumps(asyncio.run(drive(plan))))


if __name__ == "__main__":
    main()
