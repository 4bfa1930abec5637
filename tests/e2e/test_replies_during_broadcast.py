"""Replies to members never wait behind the delivery queue: crisis help while a broadcast runs."""

from __future__ import annotations

from pathlib import Path

from emulator.emulator import BotApiEmulator
from storage.members import MemberRepository
from tests.e2e.harness import running_bot

FIRST = 600_000_001
RECIPIENTS = 150
SAM = 600_100_001


async def test_crisis_reply_and_menu_arrive_while_a_big_broadcast_is_still_sending(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    async with running_bot(tmp_path, emu, quiet_hours_start=0, quiet_hours_end=0) as bot:
        repo = MemberRepository(bot.services.db)
        recipients = list(range(FIRST, FIRST + RECIPIENTS))
        for member_id in recipients:
            await repo.add(member_id, "Member", bot.clock.now())
            emu.add_user(member_id, "Member")
            emu.chat(member_id).started = True
        await bot.join(SAM, "Sam", region="Midlands")

        # At the default 25 a second, 150 messages take about six seconds.
        broadcast_id = await bot.services.delivery.enqueue(
            "broadcast", "News from the forum.", recipients
        )
        await emu.wait_for_message(FIRST, timeout=10)  # sending has begun

        crisis = await bot.say(SAM, "I want to end my life")
        menu = await bot.say(SAM, "/menu")

        status = await bot.services.delivery.status(broadcast_id)
        assert "116 123" in crisis.text
        assert "Have your say" in [label for label, _ in menu.buttons]
        assert not status.finished, "the replies should not have waited for the broadcast"
        assert emu.count(status=429) == 0
        await bot.services.delivery.cancel(broadcast_id)
