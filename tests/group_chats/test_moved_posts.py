"""A post queued for a group that then becomes a supergroup reaches the new supergroup exactly
once: when Telegram's notice comes first (the post waiting for the end of quiet hours moves
with the link), and when the delivery engine finds out first (its send to the old id is
refused with the new id: the post, the group's other waiting posts and the link follow)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import Audience
from bot.services.meetings.rules import MeetingDraft
from emulator.emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.e2e.harness import RunningBot, running_bot

CASEY = 900_000_001  # coordinator
GROUP, SUPERGROUP = -5001, -1009876543210
HUB = "North West hub 1 (placeholder name)"
NIGHT = datetime(2026, 12, 9, 23, 30, tzinfo=UTC)  # 23:30 in London, in quiet hours
MORNING = datetime(2026, 12, 10, 8, 5, tzinfo=UTC)  # quiet hours are over

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
async def bot(tmp_path: Path, emu: BotApiEmulator) -> AsyncIterator[RunningBot]:
    """The real bot at night (quiet hours 21:00 to 08:00), Casey its coordinator, with a basic
    group linked to a North West hub."""
    emu.add_user(CASEY, "Casey")
    async with running_bot(
        tmp_path,
        emu,
        clock=Clock(NIGHT),
        coordinator_ids=[CASEY],
        quiet_hours_start=21,
        quiet_hours_end=8,
    ) as running:
        await running.say(CASEY, "/start")
        await running.next(CASEY)
        emu.add_bot_to_group(GROUP, "NW hub chat", by_user=CASEY)
        await emu.wait_for_message(GROUP)  # the bot's hello
        await _link_to_hub(running)
        yield running


async def _link_to_hub(bot: RunningBot) -> None:
    """Casey links the group to North West hub 1 with /link's buttons."""
    emu = bot.emu
    since = emu.cursor(GROUP)
    await emu.send_text(CASEY, "/link", chat_id=GROUP)
    question = await emu.wait_for_message(GROUP, since=since)
    for label in ("North West", HUB):
        query_id = await emu.press_button(CASEY, question, text=label)
        await emu.wait_for_answer(query_id)
        question = await emu.wait_for_message(GROUP, kinds=("edited",))
    assert f"linked to {HUB}" in question.text


async def _until(check: Callable[[], object], what: str) -> None:
    """Wait (at most 10 s) until ``await check()`` is true: for changes nobody is told of."""
    for _ in range(200):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


async def _hub_meeting(bot: RunningBot, title: str) -> None:
    """Casey sets up a hub meeting: its post for the hub's group is queued (at night it waits
    for the morning)."""
    services = bot.services
    starts = services.clock.now() + timedelta(days=3)
    draft = MeetingDraft(title, starts, 60, Audience("hub", "nw_hub_1"), place="The Library")
    await services.meetings.create(CASEY, draft)


def _posts(bot: RunningBot, chat_id: int, title: str) -> list[MessageRecord]:
    """The bot's posts about this meeting in a chat."""
    return [m for m in bot.emu.chat(chat_id).bot_messages if m.text and title in m.text]


async def _rows(bot: RunningBot) -> list[tuple[int, str]]:
    """(recipient, state) of every group post's delivery row."""
    rows = await bot.services.db.fetch_all(
        "SELECT d.recipient_id, d.state FROM deliveries d JOIN broadcasts b "
        "ON b.id = d.broadcast_id WHERE b.audience LIKE 'group:%' ORDER BY d.id"
    )
    return [(row[0], row[1]) for row in rows]


async def _morning(bot: RunningBot) -> None:
    """The night ends: the engine sends what waited."""
    bot.clock.set(MORNING)
    bot.services.delivery.wake()


async def test_a_waiting_post_follows_the_group_to_its_supergroup(bot: RunningBot) -> None:
    emu = bot.emu
    await _hub_meeting(bot, "Hub catch-up")
    assert await _rows(bot) == [(GROUP, "pending")]  # waiting for the morning
    emu.migrate_to_supergroup(GROUP, SUPERGROUP, by_user=CASEY)
    groups = bot.services.group_chats

    async def moved() -> bool:
        group = await groups.get(SUPERGROUP)
        return group is not None and group.linked and await _rows(bot) == [(SUPERGROUP, "pending")]

    await _until(moved, "the link and the waiting post moved to the supergroup")
    since = emu.cursor(SUPERGROUP)
    await _morning(bot)
    post = await emu.wait_for_message(SUPERGROUP, since=since)
    assert "Hub catch-up" in post.text
    await _until(lambda: _sent(bot), "the post was settled")
    assert len(_posts(bot, SUPERGROUP, "Hub catch-up")) == 1
    assert _posts(bot, GROUP, "Hub catch-up") == []
    assert emu.requests("sendMessage", chat_id=GROUP, status=400) == []  # never tried there
    listing = await bot.say(CASEY, "/groups")
    assert listing.text.count("NW hub chat") == 1


async def test_when_the_engine_finds_out_first_the_post_and_link_follow(
    bot: RunningBot,
) -> None:
    emu = bot.emu
    await _hub_meeting(bot, "Hub catch-up")
    await _hub_meeting(bot, "Hub walk")
    # the bot never hears of the move (it was away too long): only the sends find out
    emu.migrate_to_supergroup(GROUP, SUPERGROUP, by_user=CASEY, updates_lost=True)
    since = emu.cursor(SUPERGROUP)
    await _morning(bot)
    first = await emu.wait_for_message(SUPERGROUP, since=since)
    second = await emu.wait_for_message(SUPERGROUP)
    assert {"Hub catch-up" in first.text, "Hub walk" in second.text} == {True}
    await _until(lambda: _sent(bot, 2), "both posts were settled")
    # each arrived once, in the supergroup; the old id was tried once and never again
    for title in ("Hub catch-up", "Hub walk"):
        assert len(_posts(bot, SUPERGROUP, title)) == 1
        assert _posts(bot, GROUP, title) == []
    assert len(emu.requests("sendMessage", chat_id=GROUP, status=400)) == 1
    assert await _rows(bot) == [(SUPERGROUP, "sent"), (SUPERGROUP, "sent")]
    # the link followed: the next post goes straight to the supergroup
    group = await bot.services.group_chats.get(SUPERGROUP)
    assert group is not None and group.linked and group.place == "nw_hub_1"
    assert await bot.services.group_chats.get(GROUP) is None
    since = emu.cursor(SUPERGROUP)
    await _hub_meeting(bot, "Hub picnic")
    picnic = await emu.wait_for_message(SUPERGROUP, since=since)
    assert "Hub picnic" in picnic.text
    assert len(emu.requests("sendMessage", chat_id=GROUP, status=400)) == 1
    listing = await bot.say(CASEY, "/groups")
    assert listing.text.count("NW hub chat") == 1


async def _sent(bot: RunningBot, count: int = 1) -> bool:
    """Whether ``count`` group posts are marked sent."""
    return [state for _chat, state in await _rows(bot)].count("sent") == count
