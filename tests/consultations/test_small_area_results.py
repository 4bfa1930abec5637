"""Results never single anyone out, end to end (issue 12): the real bot on the emulator. Twelve
members in North West, ten in North East and one in the Midlands answer a national question.
The decision-maker's pack at closing and again from /results, and what members are told, never
show the Midlands on its own; read together by an attacker who knows how results are built,
they do not give the Midlands member's answer away."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from bot.clock import Clock
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.consultations.world import CASEY, DAYTIME, draft, start_bot, whole_pack
from tests.e2e.harness import RunningBot
from tests.unit.results_attacker import Attacker, Fact, Reader, Words

pytestmark = pytest.mark.timeout(120)

DANA = 900_000_201  # a decision-maker
NW = [610_000_001 + n for n in range(12)]
NE = [610_000_101 + n for n in range(10)]
MIDLANDS = 610_000_201  # the only member in the Midlands
# North West: 7 yes, 5 no; North East: 6 yes, 4 no; the Midlands member: no.
ANSWERS = (
    dict.fromkeys(NW[:7], 0)
    | dict.fromkeys(NW[7:], 1)
    | dict.fromkeys(NE[:6], 0)
    | dict.fromkeys(NE[6:], 1)
    | {MIDLANDS: 1}
)
OTHER = "Other areas (Midlands, North East)"

WORDS = Words(
    fewer_than_5="fewer than 5",
    fewer_than_threshold="fewer than 10",
    hidden="hidden",
    everyone="Everyone",
    withheld="So few people answered",
    other_areas=re.compile(r"Other areas \((.*)\)"),
)


async def seed(bot: RunningBot) -> None:
    places = [(m, "north_west") for m in NW] + [(m, "north_east") for m in NE]
    for member_id, region in [*places, (MIDLANDS, "midlands")]:
        bot.emu.add_user(member_id, "Sam")
        bot.emu.chat(member_id).started = True
        await bot.services.members.join(member_id, "Sam")
        await bot.services.members.choose_region(member_id, region)
        await bot.services.members.finish_setup(member_id)
    await bot.services.roles.grant(CASEY, DANA, "decision_maker")
    bot.emu.add_user(DANA, "Dana")
    bot.emu.chat(DANA).started = True


def parts(pack: list[MessageRecord]) -> tuple[str, str, bytes]:
    """The chart's caption, the words, the CSV file."""
    caption = next(m.caption for m in pack if m.photo is not None)
    words = next(m.text for m in pack if m.text and m.text.startswith("Results"))
    document = next(m.document for m in pack if m.document is not None)
    return caption or "", words or "", document.data


def facts_of(pack: list[MessageRecord], told: str) -> list[Fact]:
    """Everything Dana and a member read, as an attacker's facts."""
    caption, words, data = parts(pack)
    reader = Reader(
        ("Yes", "No", "Not sure"),
        ("midlands", "north_east", "north_west"),
        {"midlands": "Midlands", "north_east": "North East", "north_west": "North West"},
        WORDS,
        10,
    )
    facts = reader.csv_facts(data)
    facts += reader.full_text_facts(words)
    facts += reader.summary_facts(caption)
    facts += reader.member_facts(told, "23")
    return facts


async def test_a_one_member_area_is_never_singled_out(tmp_path: Path, emu: BotApiEmulator) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultations = bot.services.consultations
        consultation = await consultations.create(
            CASEY, draft(clock, ask_comment=False, readers=(DANA,))
        )
        for member_id, position in ANSWERS.items():
            await consultations.vote(member_id, consultation.id, position)
        await consultations.close_now(CASEY, consultation.id)

        at_close = await whole_pack(emu, DANA, comments=False)
        caption, words, data = parts(at_close)
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert [row[0] for row in rows[1:]] == ["Everyone", "North West", OTHER]
        assert ["Everyone", "23", "23", "100", "13", "10", "0"] in rows
        assert [OTHER, "11", "11", "100", "6", "5", "0"] in rows
        assert ["North West", "12", "12", "100", "7", "5", "0"] in rows
        assert "Midlands: asked" not in words
        assert f"{OTHER}: asked 11, answered 11" in words
        assert "An area with fewer than 10 answers is not shown on its own." in words
        assert "Answered: 23 (100%)" in caption

        # Members who answered are told the pack's own national figures.
        told = await emu.wait_for_message(
            MIDLANDS, lambda m: bool(m.text and "has closed" in m.text), timeout=10
        )
        assert "Yes: 13 (57%)" in told.text and "No: 10 (43%)" in told.text

        # /results sends the same pack again.
        listed = await bot.say(DANA, "/results")
        before = emu.cursor(DANA)
        await emu.press_button(DANA, listed, text="Should hub meetings move to evenings?")
        again = await whole_pack(emu, DANA, comments=False, since=before)
        assert parts(again)[1:] == (words, data)

        # Everything read together does not tell what the Midlands member answered.
        facts = facts_of(at_close, told.text) + facts_of(again, told.text)
        attacker = Attacker(
            ["midlands", "north_east", "north_west"], 3, False, facts, WORDS, 10, False
        )
        for option in range(3):
            for kind in ("none", "all"):
                pinned = attacker.pinned(["midlands"], option, kind)
                # Only "nobody chose Not sure" is known, and of the whole forum: a fact
                # about 23 people, not about the Midlands member.
                assert pinned == (option == 2 and kind == "none"), (option, kind)
        assert attacker.pinned(["midlands", "north_east", "north_west"], 2, "none")

        # Once closed, the first protection is what every later request gets (a solve cut
        # short under load must not hide other figures the second time).
        closed = await consultations.get(consultation.id)
        results = consultations._results
        assert await results.protected(closed) is await results.protected(closed)
