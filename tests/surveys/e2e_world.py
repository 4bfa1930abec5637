"""The world whole-bot survey tests run in: the consultations' world (Casey the coordinator, seven
North West members and two in the Midlands, no quiet hours) with a folder of survey files, and
helpers that act as a member reading and tapping through a survey."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import Audience
from bot.delivery.audience import EVERYONE
from bot.services.surveys import SurveyDraft, SurveyRecord
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.consultations.conftest import emu
from tests.consultations.world import CASEY, DAYTIME, MIDLANDS, NW, seed, start_bot, wait_until
from tests.e2e.harness import RunningBot

# The fixtures whole-bot survey tests import: `emu` (the emulator) and `seeded_bot` (below,
# the fixture `bot`).
__all__ = ["CASEY", "DAYTIME", "MIDLANDS", "NW", "emu", "seed", "seeded_bot", "wait_until"]

# Every kind of question, an optional one, and skip rules both ways.
HELP_SURVEY = """\
title: Getting help
intro: Five short questions.
audience: forum
anonymous: {anonymous}
consent:
  purpose: To learn what helps people get support sooner.
  who_runs: The forum's peer researchers.
  who_sees: The peer research team. Decision-makers get counts only.
  kept_for: Twelve months after it closes.
questions:
  - kind: section
    text: About getting help
  - id: used
    kind: choice
    text: Have you used a crisis service this year?
    options:
      "no": "No"
      once: Yes, once
      often: Yes, more than once
  - id: which
    kind: choices
    text: Which ones did you use?
    show_if:
      question: used
      any_of: [once, often]
    options:
      ae: A&E
      line: A phone line
      team: Crisis team
  - id: easy
    kind: scale
    text: How easy was it to get help?
    low_label: Very hard
    high_label: Very easy
  - id: days
    kind: number
    text: How many days did you wait?
    minimum: 0
    maximum: 365
  - id: change
    kind: text
    text: What one thing would you change?
    optional: yes
    max_length: 200
"""

REGION_SURVEY = """\
title: Hub rooms
audience: region
anonymous: no
consent:
  purpose: To choose rooms for hub meetings.
  who_runs: The North West coordinators.
  who_sees: Coordinators, with your name.
  kept_for: Until the end of the year.
questions:
  - id: room
    kind: choice
    text: Which room suits you best?
    options:
      library: The library
      centre: The community centre
"""


def write_surveys(folder: Path, *, anonymous: bool = True) -> Path:
    """The survey files the tests use, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "getting_help.yaml").write_text(
        HELP_SURVEY.format(anonymous="yes" if anonymous else "no"), encoding="utf-8"
    )
    (folder / "hub_rooms.yaml").write_text(REGION_SURVEY, encoding="utf-8")
    return folder


def survey_bot(tmp_path: Path, emu: BotApiEmulator, clock: Clock, **settings: object):
    """The real bot with Casey as coordinator and the test survey files."""
    folder = settings.pop("surveys_dir", None) or write_surveys(tmp_path / "surveys")
    return start_bot(tmp_path, emu, clock, surveys_dir=folder, **settings)


@pytest.fixture(name="bot")
async def seeded_bot(
    tmp_path: Path,
    emu: BotApiEmulator,
) -> AsyncIterator[RunningBot]:
    """The real bot at 14:30 on a Thursday with the test survey files and nine members (seven
    in North West, two in the Midlands); no survey open yet."""
    async with survey_bot(tmp_path, emu, Clock(DAYTIME)) as running:
        await seed(running)
        yield running


async def open_survey(bot: RunningBot, file_key: str = "getting_help", **changes) -> SurveyRecord:
    """Casey opens a survey now for everyone, closing in three days."""
    values: dict[str, object] = {
        "file_key": file_key,
        "audience": Audience(EVERYONE),
        "opens_at": None,
        "closes_at": bot.clock.now() + timedelta(days=3),
    }
    values.update(changes)
    return await bot.services.surveys.create(CASEY, SurveyDraft(**values))  # type: ignore[arg-type]


def has(words: str) -> Callable[[MessageRecord], bool]:
    """A message whose text holds these words."""
    return lambda message: bool(message.text and words in message.text)


async def arrives(bot: RunningBot, person: int, words: str, wait: float = 10) -> MessageRecord:
    """The next message in a person's chat holding these words (earlier ones read past)."""
    return await bot.emu.wait_for_message(person, has(words), timeout=wait)


def labels(message: MessageRecord) -> list[str]:
    """Every button label on a message, in order."""
    return [label for label, _ in message.buttons]


async def to_days(bot: RunningBot, person: int) -> MessageRecord:
    """From the invitation to the typed number question."""
    invitation = await arrives(bot, person, "Getting help")
    screen = await bot.press(person, invitation, "Start")
    used = await bot.press(person, screen, "I agree, let's start")
    easy = await bot.press(person, used, "No")
    days = await bot.press(person, easy, "3")
    assert "How many days did you wait?" in days.text
    return days


async def kept(bot: RunningBot, survey_id: int, person: int) -> dict:
    """The answers kept for a member still answering."""
    row = await bot.services.db.fetch_one(
        "SELECT answers FROM survey_progress WHERE survey_id = ? AND member_id = ?",
        (survey_id, person),
    )
    return json.loads(row["answers"]) if row else {}
