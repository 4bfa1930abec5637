"""Closing on time through the whole bot on the emulator: an opportunity whose closing date
passed while the bot was down is closed as it starts again, and the coordinator who posted it
gets one message saying how many are interested, with a button to choose people."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import Audience
from bot.services.opportunities import OpportunityDraft
from emulator import BotApiEmulator
from tests.e2e.harness import running_bot
from tests.opportunities.test_flows import CASEY, DAYTIME, JORDAN, SAM, members, wait_text

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """The emulator with Telegram's limits."""
    async with BotApiEmulator() as emulator:
        emulator.set_limits(per_chat_burst=20)
        yield emulator


async def test_closing_date_passes_while_down_and_the_poster_is_told_once(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    clock = Clock(DAYTIME)
    async with running_bot(tmp_path, emu, clock=clock, coordinator_ids=[CASEY]) as bot:
        await members(bot, emu)
        service = bot.services.opportunities
        draft = OpportunityDraft(
            kind="speaking",
            title="Speak at the Leeds conference",
            involves="A ten-minute talk about the forum.",
            gives="Travel paid",
            time_needed="One afternoon",
            place="Leeds",
            closes_at=service.closing_in(2),
            places=1,
            audience=Audience("everyone"),
            paid=False,
        )
        opp = (await service.create(CASEY, draft)).opportunity.id
        await service.interested(SAM, opp, "Free that week")
        await service.interested(JORDAN, opp, None)
        await wait_text(bot, CASEY, "Jordan")
        await service.sweep()  # not yet: it is open for two more days
        assert (await bot.services.opportunities.opportunities.get(opp)).state == "open"

    clock.advance(timedelta(days=3))  # the bot was down past the closing date
    async with running_bot(tmp_path, emu, clock=clock, coordinator_ids=[CASEY]) as bot:
        notice = await wait_text(bot, CASEY, "has closed")
        assert "Speak at the Leeds conference" in notice.text
        assert "2 people are interested and waiting to hear." in notice.text
        assert "Next step: choose people." in notice.text
        await bot.emu.press_button(CASEY, notice, text="Who is interested")
        people = await wait_text(bot, CASEY, "Who is interested in")  # the notice, redrawn
        assert "Free that week" in people.text and "Choose Sam" in str(people.buttons)
        # The members' list no longer shows it; a later sweep tells nobody again.
        await bot.emu.send_text(SAM, "/opportunities")
        await wait_text(bot, SAM, "no opportunities open for you")
        assert await bot.services.opportunities.sweep() == 0
        sent = await bot.services.db.fetch_value(
            "SELECT COUNT(*) FROM broadcasts WHERE kind = 'opportunity_closed_on_time'"
        )
        assert sent == 1
