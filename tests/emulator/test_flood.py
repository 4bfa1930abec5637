"""Flood control: per private chat, overall, per group minute; switchable at run time."""

from __future__ import annotations

import datetime as dtm
from collections.abc import AsyncIterator

import pytest
import telegram
from telegram.error import RetryAfter

from emulator import BotApiEmulator, FloodLimits, ManualClock
from emulator.flood import FloodControl

from .conftest import GROUP, TOKEN, USER

CHATS = range(2001, 2041)


@pytest.fixture
async def clock() -> ManualClock:
    """A frozen clock: no token refills unless a test advances it."""
    return ManualClock()


@pytest.fixture
async def capped(clock: ManualClock) -> AsyncIterator[tuple[BotApiEmulator, telegram.Bot]]:
    """An emulator with Telegram's default limits and a frozen clock, and a bot."""
    async with (
        BotApiEmulator(clock=clock) as emu,
        telegram.Bot(TOKEN, base_url=emu.base_url) as bot,
    ):
        emu.add_user(USER, "Ada")
        await emu.send_text(USER, "/start")
        for chat_id in CHATS:
            emu.add_user(chat_id, f"User {chat_id}")
            await emu.send_text(chat_id, "/start")
        emu.add_group(GROUP, "Forum")
        yield emu, bot


async def burst(bot: telegram.Bot, chat_ids: list[int]) -> tuple[int, list[RetryAfter]]:
    """Send one message per entry; return (delivered, flood errors)."""
    delivered, refused = 0, []
    for chat_id in chat_ids:
        try:
            await bot.send_message(chat_id, "news")
            delivered += 1
        except RetryAfter as exc:
            refused.append(exc)
    return delivered, refused


async def test_burst_at_one_chat(capped: tuple[BotApiEmulator, telegram.Bot]) -> None:
    emu, bot = capped
    delivered, refused = await burst(bot, [USER] * 40)
    assert delivered == 3  # the per-chat burst
    assert len(refused) == 37
    assert refused[0].retry_after == dtm.timedelta(seconds=1)
    assert emu.count("sendMessage", 429) == 37
    log = emu.requests(method="sendMessage", chat_id=USER)
    assert [r.status for r in log[:4]] == [200, 200, 200, 429]
    assert log[3].description == "Too Many Requests: retry after 1"
    assert len(emu.chat(USER).bot_messages) == 3


async def test_waiting_retry_after_lets_the_next_through(
    capped: tuple[BotApiEmulator, telegram.Bot], clock: ManualClock
) -> None:
    _emu, bot = capped
    await burst(bot, [USER] * 4)
    clock.advance(1.0)
    assert (await bot.send_message(USER, "later")).text == "later"
    with pytest.raises(RetryAfter):
        await bot.send_message(USER, "too soon")


async def test_burst_across_chats_hits_the_global_limit(
    capped: tuple[BotApiEmulator, telegram.Bot],
) -> None:
    emu, bot = capped
    delivered, refused = await burst(bot, list(CHATS))
    assert delivered == 30
    assert len(refused) == 10
    assert emu.count(status=429) == 10


async def test_no_429_with_limits_off(capped: tuple[BotApiEmulator, telegram.Bot]) -> None:
    emu, bot = capped
    emu.set_limits(enabled=False)
    assert await burst(bot, [USER] * 40) == (40, [])
    assert await burst(bot, list(CHATS)) == (40, [])
    emu.set_limits(enabled=True)
    delivered, _refused = await burst(bot, [USER] * 5)
    assert delivered == 3


async def test_limits_changed_at_run_time(capped: tuple[BotApiEmulator, telegram.Bot]) -> None:
    emu, bot = capped
    limits = emu.set_limits(per_chat_per_second=1, global_per_second=5)
    assert limits == FloodLimits(global_per_second=5, per_chat_per_second=1)
    delivered, _refused = await burst(bot, list(CHATS)[:10])
    assert delivered == 5
    emu.set_limits(per_chat_burst=10, global_per_second=100)
    delivered, _refused = await burst(bot, [USER] * 12)
    assert delivered == 10


async def test_group_minute_limit(
    capped: tuple[BotApiEmulator, telegram.Bot], clock: ManualClock
) -> None:
    emu, bot = capped
    emu.set_limits(global_per_second=1000)
    delivered, refused = await burst(bot, [GROUP] * 25)
    assert delivered == 20
    assert refused[0].retry_after == dtm.timedelta(seconds=3)  # 20 a minute: one per 3 s
    clock.advance(3)
    assert (await bot.send_message(GROUP, "one more")).text == "one more"


async def test_edits_count_too(capped: tuple[BotApiEmulator, telegram.Bot]) -> None:
    emu, bot = capped
    sent = await bot.send_message(USER, "v0")
    await bot.edit_message_text("v1", USER, sent.message_id)
    await bot.edit_message_text("v2", USER, sent.message_id)
    with pytest.raises(RetryAfter):
        await bot.edit_message_text("v3", USER, sent.message_id)
    assert emu.chat(USER).message(sent.message_id).text == "v2"


async def test_rejected_sends_use_no_budget(capped: tuple[BotApiEmulator, telegram.Bot]) -> None:
    _emu, bot = capped
    for _ in range(5):
        with pytest.raises(telegram.error.BadRequest):
            await bot.send_message(USER, "<oops>", parse_mode="HTML")
    assert (await burst(bot, [USER] * 3))[0] == 3


def test_bucket_arithmetic() -> None:
    clock = ManualClock()
    flood = FloodControl(clock, FloodLimits(per_chat_per_second=0.5, per_chat_burst=1))
    assert flood.check(1, is_group=False) is None
    assert flood.check(1, is_group=False) == 2
    clock.advance(1.2)
    assert flood.check(1, is_group=False) == 1  # 0.8 s still to wait, rounded up
    clock.advance(0.8)
    assert flood.check(1, is_group=False) is None
