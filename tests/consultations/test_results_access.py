"""/results end to end: the real bot on the emulator. A decision-maker sees only the
consultations they were chosen for and gets the pack (chart, words, CSV; never the comments,
never a count from 1 to 4); a forged press for another consultation is refused and sends
nothing; a member is refused; a coordinator's pack has the comments."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from bot.clock import Clock
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from storage.consultations import Consultation
from tests.consultations.world import CASEY, DAYTIME, MIDLANDS, NW, draft, start_bot, whole_pack
from tests.e2e.harness import RunningBot

pytestmark = pytest.mark.timeout(90)

DANA = 900_000_201  # a decision-maker chosen for the first question
DEV = 900_000_202  # a decision-maker chosen for nothing
EXPLAINED = 'Any number from 1 to 4 shows as "fewer than 5".'
SMALL_NUMBER = re.compile(r"(?<![\d.,:])[1-4](?![\d.,:%])")


async def seed(bot: RunningBot) -> None:
    """Seven members in North West and two in the Midlands; two decision-makers."""
    for member_id, region in [(m, "north_west") for m in NW] + [(m, "midlands") for m in MIDLANDS]:
        bot.emu.add_user(member_id, f"Member{member_id % 1000}")
        bot.emu.chat(member_id).started = True
        await bot.services.members.join(member_id, f"Member{member_id % 1000}")
        await bot.services.members.choose_region(member_id, region)
        await bot.services.members.finish_setup(member_id)
    for reader_id, name in ((DANA, "Dana"), (DEV, "Dev")):
        await bot.services.roles.grant(CASEY, reader_id, "decision_maker")
        bot.emu.add_user(reader_id, name)
        bot.emu.chat(reader_id).started = True


async def closed_pair(bot: RunningBot, clock: Clock) -> tuple[Consultation, Consultation]:
    """Two closed questions: the first chosen for Dana, the second for nobody. In the first,
    North West gives 3 answers and the Midlands 2, with one comment."""
    consultations = bot.services.consultations
    shared = await consultations.create(CASEY, draft(clock, readers=(DANA,)))
    private = await consultations.create(
        CASEY, draft(clock, question="Should the forum meet online more often?")
    )
    for member_id in NW[:3]:
        await consultations.vote(member_id, shared.id, 0)
    for member_id in MIDLANDS:
        await consultations.vote(member_id, shared.id, 1)
    await consultations.comment(NW[0], shared.id, "My name is Sam and evenings suit me.")
    await consultations.close_now(CASEY, shared.id)
    await consultations.close_now(CASEY, private.id)
    return await consultations.get(shared.id), await consultations.get(private.id)


def readable(record: MessageRecord) -> str:
    """What a person reads in a message: its text or caption."""
    return record.text or record.caption or ""


def assert_no_small_numbers(messages: list[MessageRecord]) -> None:
    """No count from 1 to 4 in any text or in the CSV file."""
    for record in messages:
        text = readable(record).replace(EXPLAINED, "")
        assert not SMALL_NUMBER.search(text), text
        if record.document is not None:
            rows = csv.reader(io.StringIO(record.document.data.decode("utf-8-sig")))
            cells = {cell.strip() for row in rows for cell in row}
            assert not cells & {"1", "2", "3", "4"}, cells


async def test_a_chosen_decision_maker_gets_only_their_results(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        _shared, private = await closed_pair(bot, clock)

        # The pack the engine sent at the close: no comments, no small numbers.
        sent_at_close = await whole_pack(emu, DANA, comments=False)
        assert_no_small_numbers(sent_at_close)
        assert not any("Comments" in readable(m) for m in sent_at_close)

        listed = await bot.say(DANA, "/results")
        assert "Tap a question" in listed.text
        assert [label for label, _ in listed.buttons] == ["Should hub meetings move to evenings?"]
        before = emu.cursor(DANA)
        await emu.press_button(DANA, listed, text="Should hub meetings move to evenings?")
        pack = await whole_pack(emu, DANA, comments=False, since=before)
        photos = [m for m in pack if m.photo is not None]
        assert len(photos) == 1
        assert "Should hub meetings move to evenings?" in (photos[0].caption or "")
        # Five answered of nine asked: under the threshold, so no split by answer.
        assert "Answered: fewer than 10" in (photos[0].caption or "")
        assert any(m.text and m.text.startswith("Results: Should hub") for m in pack)
        documents = [m for m in pack if m.document is not None]
        assert len(documents) == 1 and documents[0].document.filename.endswith(".csv")
        assert not any("Comments" in readable(m) or "Sam" in readable(m) for m in pack)
        assert_no_small_numbers(pack)

        # A forged press for the consultation Dana was not chosen for: refused, nothing sent.
        before = emu.cursor(DANA)
        query = await emu.press_button(DANA, listed, f"par:{private.id}", forge=True)
        await emu.wait_for_answer(query, timeout=5)
        refused = await emu.wait_for_message(DANA, since=before)
        assert "not shared with you" in refused.text
        await bot.say(DANA, "/results")  # handled after the refusal: nothing more came
        after = [record for kind, record in emu.chat(DANA).events[before:] if kind == "sent"]
        assert not any(m.photo or m.document for m in after)
        assert not any("online more often" in readable(m) for m in after)


async def test_an_unchosen_decision_maker_and_a_member_are_refused(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        shared, private = await closed_pair(bot, clock)

        empty = await bot.say(DEV, "/results")
        assert "no results for you yet" in empty.text
        assert empty.buttons == []
        for forged in (f"par:{shared.id}", f"par:{private.id}"):
            query = await emu.press_button(DEV, empty, forged, forge=True)
            await emu.wait_for_answer(query, timeout=5)
            refused = await bot.next(DEV)
            assert "not shared with you" in refused.text
        query = await emu.press_button(DEV, empty, f"pa:{private.id}:cy", forge=True)
        await emu.wait_for_answer(query, timeout=5)
        assert "only for coordinators" in (await bot.next(DEV)).text

        refused = await bot.say(NW[0], "/results")
        assert "only for coordinators and decision-makers" in refused.text
        query = await emu.press_button(NW[0], refused, f"par:{shared.id}", forge=True)
        await emu.wait_for_answer(query, timeout=5)
        assert "only for coordinators and decision-makers" in (await bot.next(NW[0])).text

        await bot.say(DEV, "/results")  # handled after the forged presses
        for chat_id in (DEV, NW[0]):
            assert not any(m.photo or m.document for m in emu.chat(chat_id).messages if m.from_bot)


async def test_a_coordinator_pack_has_the_comments(tmp_path: Path, emu: BotApiEmulator) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        await closed_pair(bot, clock)
        await whole_pack(emu, CASEY)

        listed = await bot.say(CASEY, "/results")
        labels = [label for label, _ in listed.buttons]
        assert labels == [
            "Should the forum meet online more often?",
            "Should hub meetings move to evenings?",
        ]
        before = emu.cursor(CASEY)
        await emu.press_button(CASEY, listed, text="Should hub meetings move to evenings?")
        await emu.wait_for_message(
            CASEY,
            lambda m: bool(m.text and m.text.startswith("Comments")),
            timeout=20,
            since=before,
        )
        pack = [record for kind, record in emu.chat(CASEY).events[before:] if kind == "sent"]
        assert [bool(m.photo) for m in pack].count(True) == 1
        assert [bool(m.document) for m in pack].count(True) == 1
        comments = next(m for m in pack if m.text and m.text.startswith("Comments"))
        assert "My name is Sam and evenings suit me." in comments.text

        # From /polls too: the Results button sends the pack again.
        await bot.say(CASEY, "/polls")
        recent = await emu.wait_for_message(
            CASEY, lambda m: bool(m.text and "online more often" in m.text)
        )
        before = emu.cursor(CASEY)
        await emu.press_button(CASEY, recent, text="Results")
        again = await whole_pack(emu, CASEY, since=before)
        assert any("online more often" in (m.caption or "") for m in again if m.photo)


async def test_a_decision_maker_whose_role_was_taken_away_gets_no_pack(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultations = bot.services.consultations
        both = await consultations.create(CASEY, draft(clock, readers=(DANA, DEV)))
        await bot.services.roles.revoke(CASEY, DEV, "decision_maker")
        await consultations.close_now(CASEY, both.id)
        await whole_pack(emu, DANA, comments=False)
        await bot.services.delivery.check()
        assert not [m for m in emu.chat(DEV).messages if m.from_bot]
        refused = await bot.say(DEV, "/results")
        assert "Should hub meetings" not in (refused.text or "")
