"""A survey's results pack that cannot reach a chosen decision-maker warns every coordinator
once, as a consultation's does: the whole bot against the emulator. Dana was made a
decision-maker before she ever opened the bot; a survey chosen for her closes; Casey and Alex
are told once (later sweeps and the pack's other parts add nothing), Robin, who opened the bot,
causes no warning; and when Dana is erased the warning that named her goes with her."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.services.reach import KIND_PACK_WARNING
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from storage.erasure import erase_person
from storage.roles import COORDINATOR, DECISION_MAKER
from tests.surveys.e2e_world import CASEY, DAYTIME, open_survey, seed, survey_bot

pytestmark = pytest.mark.timeout(120)

DANA = 900_000_301  # a decision-maker who never opened the bot
ROBIN = 900_000_302  # a decision-maker who did
ALEX = 900_000_303  # a second coordinator
WARNING = "Results not delivered"


def sent(emu: BotApiEmulator, chat_id: int) -> list[MessageRecord]:
    """Everything the bot sent to a chat, in order."""
    return [record for kind, record in emu.chat(chat_id).events if kind == "sent"]


def warnings(emu: BotApiEmulator, chat_id: int) -> list[MessageRecord]:
    """The "results not delivered" warnings in a chat."""
    return [record for record in sent(emu, chat_id) if WARNING in (record.text or "")]


async def test_a_survey_pack_that_cannot_reach_a_decision_maker_warns_coordinators_once(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with survey_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        emu.add_user(DANA, "Dana")  # she has never opened the bot
        for person, name in ((ROBIN, "Robin"), (ALEX, "Alex")):
            emu.add_user(person, name)
            emu.chat(person).started = True
        roles = bot.services.roles
        await roles.grant(CASEY, DANA, DECISION_MAKER)
        await roles.grant(CASEY, ROBIN, DECISION_MAKER)
        await roles.grant(CASEY, ALEX, COORDINATOR)

        survey = await open_survey(bot, readers=(DANA, ROBIN))
        await bot.services.surveys.close_now(CASEY, survey.id)

        for coordinator in (CASEY, ALEX):
            warning = await emu.wait_for_message(
                coordinator, lambda m: WARNING in (m.text or ""), timeout=15
            )
            assert 'The results of "Getting help" did not reach' in warning.text
            assert "has not opened the bot yet" in warning.text
            assert f"/grant {DANA} decision-maker" in warning.text
        await emu.wait_for_message(ROBIN, lambda m: "Getting help" in (m.text or ""), timeout=15)
        # Once per pack and person: later sweeps and the pack's other parts add nothing.
        await bot.services.reach.sweep()
        await asyncio.sleep(1.5)
        await bot.services.reach.sweep()
        for coordinator in (CASEY, ALEX):
            assert len(warnings(emu, coordinator)) == 1
        assert sent(emu, DANA) == []
        assert str(ROBIN) not in "".join(m.text or "" for m in warnings(emu, CASEY))

        # Erasing Dana takes the warning that names her.
        db = bot.services.db
        named = "SELECT COUNT(*) FROM broadcasts WHERE kind = ? AND text_html LIKE ?"
        assert await db.fetch_value(named, (KIND_PACK_WARNING, f"%{DANA}%")) == 1
        await erase_person(db, DANA)
        assert await db.fetch_value(named, (KIND_PACK_WARNING, f"%{DANA}%")) == 0
        await bot.services.reach.sweep()  # nothing left to warn about
        await asyncio.sleep(0.5)
        assert len(warnings(emu, CASEY)) == 1


async def test_a_survey_pack_that_reached_every_decision_maker_warns_nobody(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with survey_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        emu.add_user(ROBIN, "Robin")
        emu.chat(ROBIN).started = True
        await bot.services.roles.grant(CASEY, ROBIN, DECISION_MAKER)
        survey = await open_survey(bot, readers=(ROBIN,))
        await bot.services.surveys.close_now(CASEY, survey.id)
        await emu.wait_for_message(ROBIN, lambda m: "Getting help" in (m.text or ""), timeout=15)
        await asyncio.sleep(1.5)
        assert await bot.services.reach.warn_about_packs() == 0
        assert warnings(emu, CASEY) == []
