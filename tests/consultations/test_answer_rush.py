"""Many members answering at the same moment, on the emulator with Telegram's limits: every
press is answered and saved, every member's message ends showing their own answer, and the
bot never oversteps Telegram's limit on edits (redraws wait their turn in the lane)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.clock import Clock
from emulator import BotApiEmulator
from tests.consultations.world import CASEY, DAYTIME, draft, invitation, start_bot, wait_until

pytestmark = pytest.mark.timeout(90)

CROWD = [600_100_001 + n for n in range(36)]  # more than Telegram lets a bot send in a second
ANSWERS = ("Yes", "No", "Not sure")


async def test_a_crowd_answering_at_once_is_answered_saved_and_shown_within_telegrams_limits(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        for member in CROWD:
            emu.add_user(member, "Member")
            emu.chat(member).started = True
            await bot.services.members.join(member, "Member")
            await bot.services.members.choose_region(member, "north_west")
            await bot.services.members.finish_setup(member)
        consultation = await bot.services.consultations.create(CASEY, draft(clock))
        questions = [await invitation(bot, member) for member in CROWD]
        calls_before = len(emu.request_log)

        queries = await asyncio.gather(
            *(
                emu.press_button(member, question, text=ANSWERS[i % 3])
                for i, (member, question) in enumerate(zip(CROWD, questions, strict=True))
            )
        )
        for query in queries:
            note = await emu.wait_for_answer(query, timeout=10)
            assert note.text == "Thank you. Your answer is saved."

        async def all_shown() -> bool:
            return all(
                f"Your answer: {ANSWERS[i % 3]}" in (emu.chat(member).messages[-1].text or "")
                for i, member in enumerate(CROWD)
            )

        await wait_until(all_shown, wait_seconds=30)
        counts = (await bot.services.consultations.tally(consultation)).counts
        assert counts == (12, 12, 12)
        rush = emu.request_log[calls_before:]
        assert [r for r in rush if r.status == 429] == []  # never over Telegram's limit
        edits = [r for r in rush if r.method == "editMessageText"]
        assert len(edits) == len(CROWD)  # one redraw each
