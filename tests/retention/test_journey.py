"""The whole journey through the real Application and the emulator: members who have not used
the bot for 18 months are asked, once, whether to stay; "Stay" keeps them, "Leave" takes them
through /leave, silence for 30 days removes them; a role holder is never asked; a button from
someone already removed says what to do; /retention speaks plainly to a coordinator and is
refused to a member; /mydata shows when a member last used the bot."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.retention_jobs import JOB_NAME
from bot.retention_policy import MONTH, Duration
from bot.services.retention import KIND_ASK
from emulator.emulator import BotApiEmulator
from storage.roles import DECISION_MAKER
from tests.conftest import START
from tests.e2e.harness import RunningBot, running_bot
from tests.retention.conftest import CASEY

ANN, BEN, CAL, DEE = 700_002_001, 700_002_002, 700_002_003, 700_002_004
ASK = "Do you want to stay in the forum?"


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """The emulator with Telegram's limits; a person's chat may take short bursts."""
    async with BotApiEmulator() as emulator:
        emulator.set_limits(per_chat_burst=20)
        yield emulator


@pytest.fixture
async def bot(tmp_path: Path, emu: BotApiEmulator) -> AsyncIterator[RunningBot]:
    """The real bot, Casey its coordinator, on a clock fixed at a weekday afternoon."""
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    async with running_bot(tmp_path, emu, clock=Clock(START), coordinator_ids=[CASEY]) as running:
        yield running


async def join(bot: RunningBot, person: int, name: str) -> None:
    """A member of the Midlands (joined through the service: joining itself has its own
    tests) who then uses the bot: /menu, which counts as activity."""
    bot.emu.add_user(person, name)
    bot.emu.chat(person).started = True
    await bot.services.members.join(person, name)
    await bot.services.members.choose_region(person, "midlands")
    await bot.services.members.finish_setup(person)
    menu = await bot.say(person, "/menu")
    assert menu.buttons


async def run_daily_job(bot: RunningBot) -> None:
    """Run the retention job as the JobQueue does once a day."""
    job = next(j for j in bot.app.job_queue.get_jobs_by_name(JOB_NAME))
    await job.run(bot.app)


async def test_ask_then_stay_leave_or_silence(bot: RunningBot) -> None:
    for person, name in ((ANN, "Ann"), (BEN, "Ben"), (CAL, "Cal"), (DEE, "Dee")):
        await join(bot, person, name)
    await bot.services.roles.grant(CASEY, DEE, DECISION_MAKER)
    # /menu was activity: written now (the bot writes it every minute), before the clock moves.
    assert await bot.services.retention.activity.flush() == 4

    bot.clock.set(Duration(18, MONTH).after(START) + timedelta(days=1))
    await run_daily_job(bot)
    asked = {person: await bot.next(person, wait=10) for person in (ANN, BEN, CAL)}
    for message in asked.values():
        assert ASK in message.text
        assert [label for label, _ in message.buttons] == [
            "Yes, I want to stay",
            "No, I want to leave",
        ]
    assert bot.services.retention.activity.waiting(DEE) is False

    stayed = await bot.press(ANN, asked[ANN], "Yes, I want to stay")
    assert "You are staying in the forum" in stayed.text

    confirm = await bot.press(BEN, asked[BEN], "No, I want to leave")
    assert "Do you want to leave the forum?" in confirm.text  # the same way out as /leave
    left = await bot.press(BEN, confirm, "Yes, delete my data")
    assert "We have deleted everything we kept about you" in left.text
    assert await bot.services.members.get(BEN) is None

    bot.clock.advance(timedelta(days=30, minutes=1))
    await run_daily_job(bot)
    assert await bot.services.members.get(CAL) is None  # silence: removed as by /leave
    assert await bot.services.members.get(ANN) is not None
    assert await bot.services.members.get(DEE) is not None  # a role holder: never asked
    assert all(ASK not in (m.text or "") for m in bot.emu.messages if m.chat_id == DEE)

    gone = await bot.press(CAL, asked[CAL], "Yes, I want to stay")
    assert "You are not in the forum now" in gone.text and "/start" in gone.text
    # Ben's question still has its buttons (leaving answered in a new message).
    gone = await bot.press(BEN, asked[BEN], "No, I want to leave")
    assert "You are not in the forum now" in gone.text

    # 90 days after it finished, the question's text and who got it are deleted; the
    # numbers stay.
    await bot.services.delivery.check()  # the engine's monitor marks it finished now
    (question,) = await bot.services.delivery.recent(kind=KIND_ASK)
    assert question.finished
    bot.clock.advance(timedelta(days=91))
    await run_daily_job(bot)
    listed = await bot.say(CASEY, "/broadcasts")
    assert "Stay or leave question" in listed.text
    assert "Done: 1 of 1 got it." in listed.text  # Ann's row; Ben's and Cal's left with them


async def test_retention_for_a_coordinator_and_refused_to_a_member(bot: RunningBot) -> None:
    await join(bot, ANN, "Ann")
    await bot.services.retention.activity.flush()
    bot.clock.set(Duration(18, MONTH).after(START) - timedelta(days=5))

    shown = await bot.say(CASEY, "/retention")
    text = shown.text
    assert "How long I keep data" in text
    assert "If a member has not used the bot for 18 months, I ask them once" in text
    assert "If they do not answer in 30 days, I remove them" in text
    assert "never removed while they have a role" in text
    assert "deleted 90 days after they are marked done" in text
    assert "The record of what coordinators did is kept for 2 years" in text
    assert "In the next 30 days" in text
    assert "1 member will be asked if they want to stay." in text
    assert "0 members will be removed if they do not answer." in text
    assert "edit config/retention.yaml" in text

    refused = await bot.say(ANN, "/retention")
    assert "only for coordinators" in refused.text
    assert "retention" in bot.emu.commands_for(f"chat:{CASEY}")
    assert "retention" not in bot.emu.commands_for("default")


async def test_mydata_shows_when_the_member_last_used_the_bot(bot: RunningBot) -> None:
    await join(bot, ANN, "Ann")
    await bot.services.retention.activity.flush()
    words = await bot.say(ANN, "/mydata")
    assert "You last used the bot on Thursday 10 December 2026." in words.text
    await bot.next(ANN)  # the other things kept, as counts
    document = await bot.next(ANN)
    data = json.loads(document.document.data)
    assert data["member"]["last_active"] == "2026-12-10T14:30:00+00:00"
    assert data["member"]["asked_whether_to_stay"] is None
