"""Consultations on a schedule and members' privacy: one nudge only to those who have not
answered (never to those who turned questions off or paused), closing at the deadline even
when the bot was down then, and leaving: answers in open consultations go, closed ones keep
only anonymous counts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from emulator import BotApiEmulator
from tests.consultations.world import (
    CASEY,
    DAYTIME,
    MIDLANDS,
    NW,
    draft,
    invitation,
    seed,
    start_bot,
    wait_until,
    whole_pack,
)

pytestmark = pytest.mark.timeout(90)


def nudges_to(emu: BotApiEmulator, member_id: int) -> int:
    """How many nudges reached a member."""
    return sum(
        1
        for message in emu.chat(member_id).messages
        if message.from_bot and message.text and "gentle reminder" in message.text
    )


async def test_one_nudge_only_to_members_who_have_not_answered(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultation = await bot.services.consultations.create(
            CASEY, draft(clock, ask_comment=False, closes_at=clock.now() + timedelta(days=3))
        )
        questions = {member_id: await invitation(bot, member_id) for member_id in NW}
        await bot.press(NW[0], questions[NW[0]], "Yes")
        await bot.services.members.toggle_preference(NW[1], "consultations")
        await bot.services.members.pause(NW[2], 2)

        clock.advance(timedelta(days=1))  # two days left: not yet
        await bot.services.consultations.tick()
        assert consultation.id not in await bot.services.consultations.send_due_nudges()

        clock.advance(timedelta(days=1, hours=1))  # 23 hours left: nudge due
        await bot.services.consultations.tick()
        await bot.services.delivery.check()

        async def nudged() -> bool:
            return nudges_to(emu, NW[3]) == 1

        await wait_until(nudged)
        assert nudges_to(emu, NW[0]) == 0  # answered
        assert nudges_to(emu, NW[1]) == 0  # turned questions off
        assert nudges_to(emu, NW[2]) == 0  # paused
        clock.advance(timedelta(hours=2))
        await bot.services.consultations.tick()
        await bot.services.delivery.check()
        assert nudges_to(emu, NW[3]) == 1  # once, never nagging


async def test_no_nudge_for_a_short_consultation(tmp_path: Path, emu: BotApiEmulator) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultation = await bot.services.consultations.create(
            CASEY, draft(clock, closes_at=clock.now() + timedelta(hours=3))
        )
        await invitation(bot, NW[0])
        clock.advance(timedelta(hours=2, minutes=30))
        await bot.services.consultations.tick()
        stored = await bot.services.consultations.get(consultation.id)
        assert stored.nudge_state == "skipped"
        assert nudges_to(emu, NW[0]) == 0


async def test_a_deadline_passed_while_the_bot_was_down_closes_at_the_next_start(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultation = await bot.services.consultations.create(
            CASEY, draft(clock, ask_comment=False)
        )
        for member_id in NW:
            await bot.press(member_id, await invitation(bot, member_id), "Yes")
    clock.advance(timedelta(days=3))  # the deadline passes while the bot is stopped
    async with start_bot(tmp_path, emu, clock) as bot:
        stored = await bot.services.consultations.get(consultation.id)
        assert stored.state == "closed"

        await whole_pack(emu, CASEY)
        kept = await bot.services.consultations.tally(stored)
        assert kept.counts[0] == len(NW)
        assert kept.invited == len(NW) + len(MIDLANDS)
    # A third start sends nothing again.
    before = len(emu.chat(CASEY).messages)
    async with start_bot(tmp_path, emu, clock) as bot:
        await bot.services.consultations.tick()
        await bot.services.delivery.check()
    assert len(emu.chat(CASEY).messages) == before


async def test_leaving_deletes_open_answers_and_leaves_only_counts_in_closed_ones(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        services = bot.services
        closed = await services.consultations.create(CASEY, draft(clock, ask_comment=False))
        for member_id in NW:
            await bot.press(member_id, await invitation(bot, member_id), "Yes")
        await services.consultations.close_now(CASEY, closed.id)
        open_one = await services.consultations.create(
            CASEY, draft(clock, question="Is the new venue easy to reach?", ask_comment=True)
        )
        question = await bot.emu.wait_for_message(
            NW[0], lambda m: bool(m.text and "venue" in m.text), timeout=10
        )
        shown = await bot.press(NW[0], question, "No")
        await bot.press(NW[0], shown, "Tell us more")
        await bot.say(NW[0], "The stairs are hard for me.")
        data = await services.consultations.member_data(NW[0])
        assert {"Should hub meetings move to evenings?", "Is the new venue easy to reach?"} == {
            item["question"] for item in data
        }

        assert await services.members.erase(NW[0])

        assert (await services.consultations.tally(open_one)).counts == (0, 0, 0)
        after_close = await services.consultations.tally(
            await services.consultations.get(closed.id)
        )
        assert after_close.counts[0] == len(NW)  # the anonymous count stays
        for table, column in (
            ("consultation_invites", "member_id"),
            ("consultation_choices", "member_id"),
            ("consultation_comments", "member_id"),
        ):
            assert not await services.db.fetch_value(
                f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (NW[0],)
            )
        assert await services.consultations.member_data(NW[0]) == []


async def test_one_whose_whole_time_passed_while_the_bot_was_down_is_never_sent(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        later = clock.now() + timedelta(days=1)
        consultation = await bot.services.consultations.create(
            CASEY, draft(clock, opens_at=later, closes_at=later + timedelta(days=1))
        )
    clock.advance(timedelta(days=3))
    async with start_bot(tmp_path, emu, clock) as bot:
        stored = await bot.services.consultations.get(consultation.id)
        assert stored.state == "closed"
        assert (await bot.services.consultations.tally(stored)).invited == 0
        await bot.services.delivery.check()
        assert not any(
            m.from_bot and m.text and "evenings" in m.text for m in emu.chat(NW[0]).messages
        )
