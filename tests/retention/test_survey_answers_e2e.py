"""Survey answers kept only as long as promised, through the real Application and the
emulator, with config/retention.yaml set to 6 months: /newsurvey's preview and a member's
consent screen both carry the bot's own line under the author's words; /retention counts the
survey whose answers go; after the daily run, /results says plainly when they were deleted
and where the pack sent at closing is, and sends no figures, charts or file. The sandbox's
Surveys panel shows the bot's line too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from bot.clock import Clock
from bot.retention_jobs import JOB_NAME
from bot.retention_policy import MONTH, Duration
from config.settings import CONFIG_DIR
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.consultations.conftest import emu  # noqa: F401 - the emulator fixture
from tests.e2e.harness import RunningBot
from tests.retention.test_survey_answers import finish
from tests.sandbox.test_surveys import client, get  # noqa: F401 - the sandbox's page
from tests.surveys.e2e_world import CASEY, DAYTIME, NW, arrives, labels, seed, survey_bot

pytestmark = pytest.mark.timeout(120)

SIX_MONTHS = Duration(6, MONTH)
BOT_LINE = "The bot deletes all answers 6 months after the survey closes."


@pytest.fixture
async def bot(tmp_path: Path, emu: BotApiEmulator) -> AsyncIterator[RunningBot]:  # noqa: F811
    """The real bot with the test survey files and nine members; survey answers are kept 6
    months after closing (the shipped file says 12)."""
    shipped = (CONFIG_DIR / "retention.yaml").read_text(encoding="utf-8")
    assert "delete_answers_after_closing: 12 months" in shipped
    policy = tmp_path / "retention.yaml"
    policy.write_text(
        shipped.replace(
            "delete_answers_after_closing: 12 months", "delete_answers_after_closing: 6 months"
        ),
        encoding="utf-8",
    )
    async with survey_bot(tmp_path, emu, Clock(DAYTIME), retention_file=policy) as running:
        await seed(running)
        yield running


async def said(bot: RunningBot, text: str, wanted: str) -> MessageRecord:
    """Casey sends text; the bot's message holding ``wanted``."""
    await bot.emu.send_text(CASEY, text)
    return await arrives(bot, CASEY, wanted)


async def pressed(bot: RunningBot, message: MessageRecord, label: str, wanted: str):
    """Casey presses a button; the bot's message holding ``wanted``."""
    await bot.emu.press_button(CASEY, message, text=label)
    return await arrives(bot, CASEY, wanted)


async def run_daily_job(bot: RunningBot) -> None:
    """Run the retention job as the JobQueue does once a day."""
    job = next(iter(bot.app.job_queue.get_jobs_by_name(JOB_NAME)))
    await job.run(bot.app)


async def test_members_are_told_and_results_say_when_the_answers_went(
    bot: RunningBot,
    emu: BotApiEmulator,  # noqa: F811
) -> None:
    # /newsurvey: the preview shows the consent screen as members get it, and the facts.
    files = await said(bot, "/newsurvey", "Which survey should go out?")
    opens = await pressed(bot, files, "Getting help", "When should it open?")
    closes = await pressed(bot, opens, "Now", "When should it close?")
    start = emu.cursor(CASEY)
    check = await pressed(bot, closes, "In 1 week", "Is this right?")
    shown = [m.text or "" for kind, m in emu.chat(CASEY).events[start:] if kind == "sent"]
    consent = next(t for t in shown if "How long answers are kept" in t)
    assert f"Twelve months after it closes.\n{BOT_LINE}" in consent
    assert "Answers deleted: 6 months after it closes (config/retention.yaml)" in check.text
    await pressed(bot, check, "Open the survey", "is open")

    # A member taps Start: the author's words, then the bot's own line.
    invitation = await arrives(bot, NW[0], "Getting help")
    await emu.press_button(NW[0], invitation, text=labels(invitation)[0])
    screen = await arrives(bot, NW[0], "How long answers are kept")
    assert f"How long answers are kept\nTwelve months after it closes.\n{BOT_LINE}" in screen.text
    assert labels(screen) == ["I agree, let's start", "Not now"]

    (survey,) = await bot.services.surveys.running(CASEY)
    for member in NW[:3]:
        await finish(bot.services, member, survey.id, "Kinder waiting rooms")
    at_casey = emu.cursor(CASEY)
    await bot.services.surveys.close_now(CASEY, survey.id)
    await emu.wait_for_message(
        CASEY, lambda m: bool(m.text and m.text.startswith("Survey results")), timeout=20
    )
    assert emu.cursor(CASEY) >= at_casey

    # /retention, ten days before: the survey's answers go within 30 days.
    closed = (await bot.services.surveys.get(survey.id)).closed_at
    assert closed is not None
    bot.clock.set(SIX_MONTHS.after(closed) - timedelta(days=10))
    shown = await said(bot, "/retention", "How long I keep data")
    assert "Survey answers are deleted 6 months after the survey closes." in shown.text
    assert "Survey answers from 1 survey will be deleted." in shown.text

    # The daily run, 6 months after closing: the answers go.
    bot.clock.set(SIX_MONTHS.after(closed))
    await run_daily_job(bot)
    assert (await bot.services.surveys.get(survey.id)).answers_deleted_at == bot.clock.now()

    # /results: the survey is still listed; pressing it says what happened, no figures.
    listed = await said(bot, "/results", "Tap a question or a survey")
    before = emu.cursor(CASEY)
    await emu.press_button(CASEY, listed, text="Survey: Getting help")
    note = await arrives(bot, CASEY, "were deleted")
    assert "The answers to this survey were deleted on Thursday 10 June 2027" in note.text
    assert "as members were told when they took part" in note.text
    assert "when it closed, on Thursday 10 December 2026" in note.text
    assert "still in your chat with the bot" in note.text
    await said(bot, "/retention", "How long I keep data")  # handled after the press
    sent = [m for kind, m in emu.chat(CASEY).events[before:] if kind == "sent"]
    assert not any(m.photo or m.document for m in sent)
    assert not any((m.text or "").startswith("Survey results") for m in sent)
    assert "Survey answers from 0 surveys will be deleted." in sent[-1].text


async def test_the_sandbox_shows_the_bots_line_as_members_see_it(
    client: TestClient,  # noqa: F811
) -> None:
    shown = await get(client, "/api/surveys/example")
    consent = shown["messages"][0]["html"]
    assert "How long answers are kept" in consent
    assert "The bot deletes all answers 12 months after the survey closes." in consent
