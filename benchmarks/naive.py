"""The baseline: a plain sequential `await bot.send_message` loop through python-telegram-bot."""

from __future__ import annotations

import time

from telegram import Bot


async def naive_per_second(base_url: str, token: str, recipients: list[int], text: str) -> float:
    """Messages a second for one-at-a-time sends with PTB's default request settings."""
    async with Bot(token, base_url=base_url) as bot:
        started = time.monotonic()
        for chat_id in recipients:
            await bot.send_message(chat_id, text)
        return len(recipients) / (time.monotonic() - started)
