"""Coordinators run consultations end to end: the real bot on the emulator. /polls lists
what is open with exact counts; Close now (after a yes) closes it and the results pack
reaches coordinators; Extend moves the deadline (quick buttons or a typed time, never
earlier); Cancel (after a yes) tells everyone asked and deletes the answers; "You said, we
did" goes to everyone asked, with the question named, and a delivery report comes back."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from storage.consultations import CANCELLED, CLOSED
from tests.consultations.world import (
    CASEY,
    DAYTIME,
    MIDLANDS,
    NW,
    draft,
    seed,
    start_bot,
    whole_pack,
)
from tests.e2e.harness import RunningBot

pytestmark = pytest.mark.timeout(90)

EVERYONE_ASKED = NW + MIDLANDS


async def invited_everyone(bot: RunningBot) -> None:
    """Wait until every member has the question, so later messages come after it."""
    for member_id in EVERYONE_ASKED:
        await bot.emu.wait_for_message(
            member_id, lambda m: bool(m.text and "evenings" in m.text), timeout=15
        )


async def open_consultations(bot: RunningBot) -> tuple[list[MessageRecord], MessageRecord]:
    """Casey sends /polls: the current items (after the header) and the closed part."""
    header = await bot.say(CASEY, "/polls")
    items = []
    if "open now" in (header.text or ""):
        while True:
            item = await bot.next(CASEY)
            if "Closes on" not in (item.text or ""):
                return items, item
            items.append(item)
    return items, await bot.next(CASEY)


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait (in real time) until a condition holds."""
    for _ in range(int(seconds * 50)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached in time")


def bot_texts(emu: BotApiEmulator, chat_id: int) -> list[str]:
    """Everything the bot has sent to one chat, as read (texts and captions)."""
    return [
        m.text or m.caption or ""
        for m in emu.chat(chat_id).messages
        if m.from_bot and (m.text or m.caption)
    ]


async def test_polls_lists_counts_and_close_now_sends_the_pack(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultations = bot.services.consultations
        consultation = await consultations.create(CASEY, draft(clock))
        for member_id in NW[:5]:
            await consultations.vote(member_id, consultation.id, 0)
        await consultations.vote(NW[5], consultation.id, 1)
        await consultations.comment(NW[0], consultation.id, "Evenings suit people who work.")
        await invited_everyone(bot)

        items, recent = await open_consultations(bot)
        assert len(items) == 1
        item = items[0]
        assert "Should hub meetings move to evenings?" in item.text
        assert "all members" in item.text
        assert "Opened on Thursday 10 December 2026 at 14:30" in item.text
        assert "Closes on Saturday 12 December 2026 at 14:30" in item.text
        assert "Asked: 9. Answered: 6." in item.text  # coordinators see exact numbers
        assert [label for label, _ in item.buttons] == ["Close now", "Extend", "Cancel"]
        assert "No questions have closed yet" in recent.text

        confirm = await bot.press(CASEY, item, "Close now")
        assert "Close this question now?" in confirm.text
        kept = await bot.press(CASEY, confirm, "No, leave it")
        assert "Nothing has changed" in kept.text
        assert (await consultations.get(consultation.id)).state != CLOSED

        confirm = await bot.press(CASEY, item, "Close now")
        yes_close = dict(confirm.buttons)["Yes, close it now"]
        before = emu.cursor(CASEY)
        await emu.press_button(CASEY, confirm, text="Yes, close it now")
        done = await emu.wait_for_message(
            CASEY, lambda m: bool(m.text and "Closed:" in m.text), since=before
        )
        assert "on their way" in done.text
        assert (await consultations.get(consultation.id)).state == CLOSED

        # The pack reaches the coordinator: chart with caption, full text, CSV, comments.
        sent = await whole_pack(emu, CASEY, since=before)
        photos = [m for m in sent if m.photo is not None]
        assert photos and "Should hub meetings move to evenings?" in (photos[-1].caption or "")
        assert any(m.text and m.text.startswith("Results: Should hub") for m in sent)
        documents = [m for m in sent if m.document is not None]
        assert documents and documents[-1].document.filename.endswith(".csv")
        rows = list(csv.reader(io.StringIO(documents[-1].document.data.decode("utf-8-sig"))))
        assert rows
        assert any("Evenings suit people who work." in text for text in bot_texts(emu, CASEY))

        # A second press on the old confirm changes nothing and says so kindly.
        query = await emu.press_button(CASEY, confirm, yes_close, forge=True)
        await emu.wait_for_answer(query, timeout=5)
        again = await emu.wait_for_message(CASEY, lambda m: bool(m.text and "has closed" in m.text))
        assert "no longer change" in again.text

        # Now it shows under closed lately, with its buttons.
        items, recent = await open_consultations(bot)
        assert items == []
        assert "Closed lately" in recent.text
        closed_item = await bot.next(CASEY)
        assert "evenings" in closed_item.text
        assert [label for label, _ in closed_item.buttons] == ["Results", "You said, we did"]


async def test_a_member_cannot_use_polls(tmp_path: Path, emu: BotApiEmulator) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultation = await bot.services.consultations.create(CASEY, draft(clock))
        await invited_everyone(bot)
        refused = await bot.say(NW[0], "/polls")
        assert "only for coordinators" in refused.text
        forged = await bot.emu.press_button(NW[0], refused, f"pa:{consultation.id}:cy", forge=True)
        await bot.emu.wait_for_answer(forged, timeout=5)
        reply = await bot.next(NW[0])
        assert "only for coordinators" in reply.text
        assert (await bot.services.consultations.get(consultation.id)).state != CLOSED


async def test_extend_moves_the_deadline_and_refuses_an_earlier_time(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultations = bot.services.consultations
        consultation = await consultations.create(CASEY, draft(clock))
        (item,), _ = await open_consultations(bot)

        choose = await bot.press(CASEY, item, "Extend")
        assert "It closes on Saturday 12 December 2026 at 14:30" in choose.text
        labels = [label for label, _ in choose.buttons]
        assert labels[:4] == ["1 more day", "3 more days", "1 more week", "Type a time"]
        one_more_day = dict(choose.buttons)["1 more day"]
        done = await bot.press(CASEY, choose, "1 more day")
        assert "now closes on Sunday 13 December 2026 at 14:30" in done.text
        stored = await consultations.get(consultation.id)
        assert stored.closes_at == consultation.closes_at + timedelta(days=1)

        # The same quick button pressed again (a repeat) adds nothing more.
        edits = emu.count("editMessageText")
        query = await bot.emu.press_button(CASEY, done, one_more_day, forge=True)
        await bot.emu.wait_for_answer(query, timeout=5)
        await until(lambda: emu.count("editMessageText") > edits)  # handled to the end
        assert (await consultations.get(consultation.id)).closes_at == stored.closes_at

        choose = await bot.press(CASEY, item, "Extend")
        ask = await bot.press(CASEY, choose, "Type a time")
        assert "Send the new closing time" in ask.text
        refused = await bot.say(CASEY, "12/12/2026 10:00")
        assert "too soon" in refused.text
        assert (await consultations.get(consultation.id)).closes_at == stored.closes_at

        unclear = await bot.say(CASEY, "whenever suits")
        assert "could not read" in unclear.text

        done = await bot.say(CASEY, "20/12/2026 17:00")
        assert "now closes on Sunday 20 December 2026 at 17:00" in done.text
        assert (await consultations.get(consultation.id)).closes_at == datetime(
            2026, 12, 20, 17, 0, tzinfo=UTC
        )

        (item,), _ = await open_consultations(bot)
        assert "Closes on Sunday 20 December 2026 at 17:00" in item.text


async def test_cancel_tells_members_and_deletes_answers(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultations = bot.services.consultations
        consultation = await consultations.create(CASEY, draft(clock))
        for member_id in NW[:3]:
            await consultations.vote(member_id, consultation.id, 0)
        await invited_everyone(bot)
        (item,), _ = await open_consultations(bot)

        confirm = await bot.press(CASEY, item, "Cancel")
        assert "Take this question down?" in confirm.text
        assert "The 9 people who were asked will be told" in confirm.text
        assert "deleted" in confirm.text
        done = await bot.press(CASEY, confirm, "Yes, take it down")
        assert "telling the 9 people" in done.text

        stored = await consultations.get(consultation.id)
        assert stored.state == CANCELLED
        results = await consultations.tally(stored)
        assert results.answered == 0
        assert sum(results.counts) == 0
        for member_id in EVERYONE_ASKED:
            told = await emu.wait_for_message(
                member_id,
                lambda m: bool(m.text and "taken this question down" in m.text),
                timeout=15,
            )
            assert "Should hub meetings move to evenings?" in told.text
            assert "deleted" in told.text

        items, _ = await open_consultations(bot)
        assert items == []


async def test_you_said_we_did_reaches_everyone_asked(tmp_path: Path, emu: BotApiEmulator) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultations = bot.services.consultations
        consultation = await consultations.create(CASEY, draft(clock))
        for member_id in NW[:5]:
            await consultations.vote(member_id, consultation.id, 0)
        await invited_everyone(bot)
        await consultations.close_now(CASEY, consultation.id)
        await whole_pack(emu, CASEY)

        items, recent = await open_consultations(bot)
        assert items == [] and "Closed lately" in recent.text
        closed_item = await bot.next(CASEY)
        ask = await bot.press(CASEY, closed_item, "You said, we did")
        assert "Please type what came of this question" in ask.text
        assert "Should hub meetings move to evenings?" in ask.text

        too_long = await bot.say(CASEY, "x" * 3001)
        assert "a bit long" in too_long.text

        preview = await bot.say(CASEY, "Hub meetings move to 6pm from January.")
        assert "You said, we did" in preview.text
        assert "Hub meetings move to 6pm from January." in preview.text
        check = await bot.next(CASEY)
        assert "9 people" in check.text
        assert [label for label, _ in check.buttons] == ["Send", "Change", "Cancel"]

        ask = await bot.press(CASEY, check, "Change")
        assert "Please type what came of this question" in ask.text
        preview = await bot.say(CASEY, "You asked for evenings. Hub meetings move to 6pm.")
        assert "move to 6pm" in preview.text
        check = await bot.next(CASEY)
        send_data = dict(check.buttons)["Send"]
        sent = await bot.press(CASEY, check, "Send")
        assert "Sent to 9 people" in sent.text
        assert "delivery report" in sent.text

        for member_id in EVERYONE_ASKED:
            got = await emu.wait_for_message(
                member_id, lambda m: bool(m.text and "You said, we did" in m.text), timeout=15
            )
            assert "Should hub meetings move to evenings?" in got.text
            assert "You asked for evenings. Hub meetings move to 6pm." in got.text
        await emu.wait_for_message(
            CASEY, lambda m: bool(m.text and "is done" in m.text), timeout=20
        )

        # Send pressed again does not send twice.
        query = await emu.press_button(CASEY, check, send_data, forge=True)
        await emu.wait_for_answer(query, timeout=5)
        stale = await bot.next(CASEY)
        assert "out of date" in stale.text
        for member_id in EVERYONE_ASKED:
            followups = [t for t in bot_texts(emu, member_id) if "You said, we did" in t]
            assert len(followups) == 1


async def test_you_said_we_did_waits_for_the_close(tmp_path: Path, emu: BotApiEmulator) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultation = await bot.services.consultations.create(CASEY, draft(clock))
        (item,), _ = await open_consultations(bot)
        query = await emu.press_button(CASEY, item, f"paf:{consultation.id}:w", forge=True)
        await emu.wait_for_answer(query, timeout=5)
        reply = await bot.next(CASEY)
        assert "still open" in reply.text


async def test_a_follow_up_that_the_crisis_net_answers_is_kept(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        consultations = bot.services.consultations
        consultation = await consultations.create(CASEY, draft(clock))
        await consultations.close_now(CASEY, consultation.id)
        await whole_pack(emu, CASEY)
        await invited_everyone(bot)
        items, recent = await open_consultations(bot)
        assert items == [] and "Closed lately" in recent.text
        closed_item = await bot.next(CASEY)
        await bot.press(CASEY, closed_item, "You said, we did")

        wording = "You told us people who want to die wait too long. Crisis beds open in March."
        crisis = await bot.say(CASEY, wording)
        assert "Carry on" in [label for label, _ in crisis.buttons]
        await emu.press_button(CASEY, crisis, text="Carry on")
        preview = await emu.wait_for_message(
            CASEY, lambda m: bool(m.text and m.text.startswith("You said, we did"))
        )
        assert "Crisis beds open in March." in preview.text
        check = await bot.next(CASEY)
        sent = await bot.press(CASEY, check, "Send")
        assert "Sent to 9 people" in sent.text
        got = await emu.wait_for_message(
            NW[0], lambda m: bool(m.text and "You said, we did" in m.text), timeout=15
        )
        assert "Crisis beds open in March." in got.text
