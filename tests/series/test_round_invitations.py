"""A round of a series says so in its invitation, in the words /series uses for its rule, with
its round number (for a late joiner too); a one-off question or survey says nothing of the
kind. The real bot on the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.delivery import Audience
from bot.delivery.audience import EVERYONE
from bot.services.series.rules import MONTH, WEEK, RepeatRule
from bot.services.surveys import SurveyDraft
from tests.consultations.world import draft
from tests.e2e.harness import RunningBot
from tests.surveys.e2e_world import (  # noqa: F401 - the fixtures `bot` and `emu`
    CASEY,
    MIDLANDS,
    NW,
    arrives,
    emu,
    open_survey,
    seeded_bot,
)

pytestmark = pytest.mark.timeout(120)

FIRST_MONDAY = RepeatRule(MONTH, 0, 1, time(10, 0), 7)
MONDAYS = RepeatRule(WEEK, 0, None, time(10, 0), 3)
MONDAY_4_JAN_10 = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
MONDAY_1_FEB_10 = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)
MONDAY_14_DEC_10 = datetime(2026, 12, 14, 10, 0, tzinfo=UTC)
MONTHLY_WORDS = "Every month on the first Monday at 10:00, open for 7 days."
LATE = 600_000_201  # joins while a round is open


async def test_a_question_round_says_it_repeats_and_which_round_a_one_off_does_not(
    bot: RunningBot,
) -> None:
    services = bot.services
    once = draft(bot.clock, question="Is the new meeting room easy to reach?")
    await services.consultations.create(CASEY, once)
    one_off = await arrives(bot, NW[0], "new meeting room")
    assert "repeats" not in one_off.text and "round" not in one_off.text

    monthly = draft(bot.clock, question="How easy was it to get help this month?")
    await services.series.start_consultation(CASEY, monthly, FIRST_MONDAY)
    bot.clock.set(MONDAY_4_JAN_10)
    await services.series.sweep()
    for member in (NW[0], MIDLANDS[0]):
        first = await arrives(bot, member, "How easy was it to get help this month?")
        assert f"This question repeats. {MONTHLY_WORDS} This is round 1." in first.text
        assert first.buttons  # still answered with its buttons
    # the same words /series uses for the rule
    await bot.emu.send_text(CASEY, "/series")
    card = await arrives(bot, CASEY, "Rounds so far: 1")
    assert MONTHLY_WORDS in card.text

    bot.clock.set(MONDAY_1_FEB_10)
    await services.series.sweep()
    second = await arrives(bot, NW[0], "This is round 2.")
    assert "How easy was it to get help this month?" in second.text
    assert f"This question repeats. {MONTHLY_WORDS}" in second.text


async def test_a_survey_round_says_it_repeats_for_a_late_joiner_too(bot: RunningBot) -> None:
    services = bot.services
    await open_survey(bot)  # a one-off first
    one_off = await arrives(bot, NW[0], "Getting help")
    assert "repeats" not in one_off.text and "round" not in one_off.text
    await services.surveys.close_now(CASEY, (await services.surveys.running(CASEY))[0].id)

    weekly = SurveyDraft(
        file_key="getting_help",
        audience=Audience(EVERYONE),
        opens_at=None,
        closes_at=bot.clock.now() + timedelta(days=1),
    )
    await services.series.start_survey(CASEY, weekly, MONDAYS)
    bot.clock.set(MONDAY_14_DEC_10)
    await services.series.sweep()
    words = "This survey repeats. Every week on Monday at 10:00, open for 3 days. This is round 1."
    invitation = await arrives(bot, NW[0], "This is round 1.")
    assert "Getting help" in invitation.text and words in invitation.text
    # someone who joins while the round is open is asked too, with the same line
    await bot.join(LATE, "Lee", region="North West")
    late = await arrives(bot, LATE, "Getting help")
    assert words in late.text
