"""Late joiners end to end: the real bot on the emulator. Someone who joins through /start
after a consultation opened gets the question with its buttons and can answer; a member who
moves region in /settings gets that region's meeting invitation and can say they are going."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import Audience
from bot.delivery.audience import REGION
from bot.services.catch_up import CaughtUp
from bot.services.consultations.messages import KIND_INVITE
from bot.services.meetings import MeetingDraft
from emulator import BotApiEmulator
from storage.meetings import GOING
from tests.consultations.world import (
    CASEY,
    DAYTIME,
    MIDLANDS,
    NW,
    draft,
    invitation,
    seed,
    start_bot,
)
from tests.e2e.harness import RunningBot

pytestmark = pytest.mark.timeout(90)

LEE = 600_000_500


async def test_a_member_who_joins_after_opening_gets_the_question_and_can_answer(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultation = await bot.services.consultations.create(CASEY, draft(clock))
        await invitation(bot, NW[0])  # the others were asked at opening

        await bot.join(LEE, "Lee", region="North West")
        question = await invitation(bot, LEE)

        assert [row[0] for row in question.buttons] == ["Yes", "No", "Not sure"]
        assert "The national board reads the results" in question.text
        shown = await bot.press(LEE, question, "Not sure")
        assert "Your answer: Not sure" in shown.text
        results = await bot.services.consultations.tally(consultation)
        assert results.counts == (0, 0, 1)
        assert results.invited == len(NW) + len(MIDLANDS) + 1

        # Changing hub in /settings afterwards asks nothing twice.
        summary = await bot.say(LEE, "/settings")
        hubs = await bot.press(LEE, summary, "Change hub")
        await bot.press(LEE, hubs, hubs.buttons[1][0])
        assert await bot.services.catch_up.member(LEE) == CaughtUp()
        assert await invitations_to(bot, LEE) == 1


async def invitations_to(bot: RunningBot, member_id: int) -> int:
    """How many consultation invitations were queued for a member."""
    return await bot.services.db.fetch_value(
        "SELECT COUNT(DISTINCT b.id) FROM broadcasts b JOIN deliveries d "
        "ON d.broadcast_id = b.id WHERE b.kind = ? AND d.recipient_id = ?",
        (KIND_INVITE, member_id),
    )


async def test_moving_region_in_settings_brings_that_regions_meeting(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        created = await bot.services.meetings.create(
            CASEY,
            MeetingDraft(
                title="Midlands hub meeting",
                starts_at=datetime(2026, 12, 15, 14, 0, tzinfo=UTC),
                duration_minutes=90,
                audience=Audience(REGION, "midlands"),
                place="Community Centre",
            ),
        )
        mover = NW[2]

        summary = await bot.say(mover, "/settings")
        regions = await bot.press(mover, summary, "Change region")
        hubs = await bot.press(mover, regions, "Midlands")
        assert "Midlands" in hubs.text
        invite = await emu.wait_for_message(
            mover, lambda m: bool(m.text and "Midlands hub meeting" in m.text), timeout=10
        )
        assert "Going" in [label for label, _ in invite.buttons]

        await bot.press(mover, invite, "Going")
        assert (
            await bot.services.db.fetch_value(
                "SELECT answer FROM meeting_rsvps WHERE meeting_id = ? AND member_id = ?",
                (created.meeting.id, mover),
            )
            == GOING
        )
