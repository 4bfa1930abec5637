"""/newsurvey end to end: a coordinator picks a survey file (a broken one is listed with its
mistake and cannot be picked), the region for a regional survey, the opening and closing
times (bad ones explained, nothing lost) and who gets the results; the preview shows the
consent screen and first question as a member sees them (their buttons do nothing); Open
sends the invitation to members. Cancel stores nothing; members cannot use /newsurvey."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from storage.roles import DECISION_MAKER
from tests.e2e.harness import RunningBot
from tests.surveys.e2e_world import (  # noqa: F401 - the fixtures `bot` and `emu`
    CASEY,
    DAYTIME,
    MIDLANDS,
    NW,
    arrives,
    emu,
    labels,
    seed,
    seeded_bot,
    survey_bot,
)

pytestmark = pytest.mark.timeout(120)

BROKEN = """\
title: Broken one
audience: forum
anonymous: yes
consent:
  purpose: p
  who_runs: r
  who_sees: s
  kept_for: k
questions:
  - id: q1
    kind: chioce
    text: Which?
"""


async def said(bot: RunningBot, text: str, wanted: str) -> MessageRecord:
    """Casey sends text; the bot's message holding ``wanted``."""
    await bot.emu.send_text(CASEY, text)
    return await arrives(bot, CASEY, wanted)


async def pressed(bot: RunningBot, message: MessageRecord, label: str, wanted: str):
    """Casey presses a button; the bot's message holding ``wanted``."""
    await bot.emu.press_button(CASEY, message, text=label)
    return await arrives(bot, CASEY, wanted)


async def surveys_stored(bot: RunningBot) -> int:
    """How many surveys are stored."""
    return await bot.services.db.fetch_value("SELECT COUNT(*) FROM surveys")


async def test_a_coordinator_opens_a_survey_seen_as_members_see_it(
    tmp_path: Path,
    bot: RunningBot,
    emu: BotApiEmulator,  # noqa: F811
) -> None:
    await bot.services.roles.grant(CASEY, NW[6], DECISION_MAKER)
    # A file broken after start-up is listed with its mistake, and has no button.
    (tmp_path / "surveys" / "broken_one.yaml").write_text(BROKEN, encoding="utf-8")

    files = await said(bot, "/newsurvey", "Which survey should go out?")
    assert "broken_one" in files.text and "line 11" in files.text
    assert "'chioce' is not a kind of question" in files.text
    assert labels(files) == ["Getting help", "Hub rooms", "Cancel"]

    opens = await pressed(bot, files, "Getting help", "When should it open?")
    closes = await pressed(bot, opens, "Now", "When should it close?")
    await said(bot, "whenever", "could not read")
    await said(bot, "today 15:00", "at least 1 hour after it opens")
    await said(bot, "20/12/2027 10:00", "within 4 months")
    readers = await pressed(bot, closes, "In 1 week", "Which decision-makers")
    ticked = await pressed(bot, readers, "Member7", "Which decision-makers")
    assert "✅ Member7" in labels(ticked)

    start = emu.cursor(CASEY)
    await emu.press_button(CASEY, ticked, text="Done")
    check = await arrives(bot, CASEY, "Is this right?")
    shown = [m.text or "" for kind, m in emu.chat(CASEY).events[start:] if kind == "sent"]
    assert any("What it is for" in t and "To learn what helps" in t for t in shown)
    first = next(
        m
        for kind, m in emu.chat(CASEY).events[start:]
        if kind == "sent" and "Have you used a crisis service" in (m.text or "")
    )
    assert "question 1 of about 5" in first.text
    assert labels(first) == ["No", "Yes, once", "Yes, more than once", "Stop for now"]
    for words in (
        "Getting help",
        "5 questions, anonymous",
        "For: all members. That is 9 people now.",
        "As soon as you tap Open",
        "Coordinators, and Member7",
    ):
        assert words in check.text
    # A member's button in the preview does nothing.
    before = emu.cursor(CASEY)
    answered = await emu.press_button(CASEY, first, text="Yes, once")
    await emu.wait_for_answer(answered)
    assert await surveys_stored(bot) == 0

    done = await pressed(bot, check, "Open the survey", "is open")
    assert "It went to 9 people" in done.text
    assert emu.cursor(CASEY) > before
    for member in NW + MIDLANDS:
        invitation = await arrives(bot, member, "Getting help")
        assert labels(invitation) == ["Start"]
    assert await surveys_stored(bot) == 1
    readers_kept = await bot.services.db.fetch_all("SELECT telegram_id FROM survey_readers")
    assert [row["telegram_id"] for row in readers_kept] == [NW[6]]


async def test_a_regional_survey_asks_which_region_and_goes_only_there(bot: RunningBot) -> None:
    files = await said(bot, "/newsurvey", "Which survey should go out?")
    regions = await pressed(bot, files, "Hub rooms", "Which one?")
    assert "Midlands" in labels(regions) and "North West" in labels(regions)
    opens = await pressed(bot, regions, "North West", "When should it open?")
    later = await pressed(bot, opens, "At a set time", "Send the date and time")
    await said(bot, "someday", "could not read")
    closes = await said(bot, "tomorrow 10:00", "When should it close?")
    check = await pressed(bot, closes, "In 3 days", "Is this right?")
    assert "not anonymous" in check.text and "North West" in check.text
    assert "That is 7 people now." in check.text
    assert "Opens: Friday 11 December 2026 at 10:00" in check.text
    assert "Closes: Monday 14 December 2026 at 17:00" in check.text  # 3 days after opening
    # Change one thing from the preview: the times; the rest is kept.
    what = await pressed(bot, check, "✏️ Change something", "What would you like to change?")
    opens = await pressed(bot, what, "When it opens and closes", "When should it open?")
    closes = await pressed(bot, opens, "Now", "When should it close?")
    check = await pressed(bot, closes, "In 1 week", "Is this right?")
    assert "As soon as you tap Open" in check.text and "North West" in check.text
    done = await pressed(bot, check, "Open the survey", "is open")
    assert "It went to 7 people" in done.text
    assert "Send the date and time" in later.text
    assert await surveys_stored(bot) == 1
    for member in NW:
        assert "Hub rooms" in (await arrives(bot, member, "Hub rooms")).text
    assert await bot.services.surveys.for_member(MIDLANDS[0]) == []  # not asked


async def test_cancel_stores_nothing_and_members_cannot_open_surveys(
    bot: RunningBot,
    emu: BotApiEmulator,  # noqa: F811
) -> None:
    files = await said(bot, "/newsurvey", "Which survey should go out?")
    opens = await pressed(bot, files, "Getting help", "When should it open?")
    gone = await pressed(bot, opens, "Cancel", "nothing was sent")
    assert "not opened" in gone.text
    stale = await bot.press(CASEY, files, "Getting help")
    assert "out of date" in stale.text or "/newsurvey" in stale.text
    await bot.emu.send_text(NW[0], "/newsurvey")
    refused = await bot.next(NW[0])
    assert "Which survey" not in refused.text
    assert await surveys_stored(bot) == 0


async def test_a_survey_opened_at_night_says_when_the_invitations_go(
    tmp_path: Path,
    emu: BotApiEmulator,  # noqa: F811
) -> None:
    night = DAYTIME.replace(hour=23, minute=30)  # 23:30 in London, in December
    async with survey_bot(
        tmp_path, emu, Clock(night), quiet_hours_start=21, quiet_hours_end=8
    ) as bot:
        await seed(bot)
        files = await said(bot, "/newsurvey", "Which survey should go out?")
        opens = await pressed(bot, files, "Getting help", "When should it open?")
        closes = await pressed(bot, opens, "Now", "When should it close?")
        check = await pressed(bot, closes, "In 1 week", "Is this right?")  # no decision-makers

        done = await pressed(bot, check, "Open the survey", "is open")

        assert "It is night time" in done.text
        assert "will reach 9 people at" in done.text and "08:00" in done.text
        assert "It went to" not in done.text
        await asyncio.sleep(1)
        assert all(not emu.chat(member).events for member in NW + MIDLANDS)
        bot.clock.set(night.replace(hour=8, minute=0) + timedelta(days=1))
        bot.services.delivery.wake()
        for member in NW + MIDLANDS:
            await arrives(bot, member, "Getting help")
