"""/contribution and /progression end to end: the real Application and the Bot API emulator.
A coordinator notes a contribution step by step (a wrong day and too many words refused
kindly, nothing lost) and the member is told; /progression sends text, a chart and a CSV; a
reader granted with /grant reads it, and cannot once revoked; a member is refused kindly."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import Clock
from emulator import BotApiEmulator
from tests.e2e.harness import running_bot

CASEY = 700_000_004
DANA = 700_000_005
SAM = 700_000_001
OTHERS = [600_000_100 + i for i in range(11)]


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """The emulator with Telegram's limits."""
    async with BotApiEmulator() as emulator:
        emulator.set_limits(per_chat_burst=20)
        yield emulator


@pytest.mark.timeout(180)
async def test_a_contribution_is_noted_and_the_report_read(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    for user, name in ((CASEY, "Casey"), (DANA, "Dana"), (SAM, "Sam")):
        emu.add_user(user, name)
        emu.chat(user).started = True
    clock = Clock(datetime(2026, 12, 10, 14, 30, tzinfo=UTC))
    async with running_bot(tmp_path, emu, clock=clock, coordinator_ids=[CASEY]) as bot:
        services = bot.services
        for member_id, name in [(SAM, "Sam"), *((m, "Alex") for m in OTHERS)]:
            if member_id != SAM:
                emu.add_user(member_id, name)
                emu.chat(member_id).started = True
            await services.members.join(member_id, name)
            await services.members.choose_region(member_id, "north_west")
            await services.members.finish_setup(member_id)

        # /contribution, step by step
        ask = await bot.say(CASEY, "/contribution")
        assert "Who is it for?" in ask.text
        nobody = await bot.say(CASEY, "Zed")
        assert 'Nobody who has joined has a name like "Zed"' in nobody.text
        pick = await bot.say(CASEY, "sa")
        assert "Which one?" in pick.text
        assert pick.buttons[0][0] == "Sam (North West)"
        kind = await bot.press(CASEY, pick, "Sam (North West)")
        assert "What did Sam do?" in kind.text
        detail = await bot.press(CASEY, kind, "A role at a meeting")
        assert 'what did Sam do? Write it to follow "you"' in detail.text
        too_long = await bot.say(CASEY, "x" * 201)
        assert "up to two hundred letters" in too_long.text
        day = await bot.say(CASEY, "chaired the June meeting")
        assert "When was it?" in day.text
        unclear = await bot.say(CASEY, "the 31st of Febtober")
        assert "could not read that day" in unclear.text
        future = await bot.say(CASEY, "25/12/2026")
        assert "has not come yet" in future.text
        preview = await bot.say(CASEY, "12 June")
        assert "Check before saving" in preview.text
        assert "Who: Sam" in preview.text and "When: 12 June 2026" in preview.text
        assert "Casey noted that you chaired the June meeting (12 June 2026)." in preview.text
        saved = await bot.press(CASEY, preview, "Save and tell them")
        assert "Saved. Sam has been told." in saved.text
        note = await bot.next(SAM, wait=10)
        assert note.text.startswith(
            "Casey noted that you chaired the June meeting (12 June 2026). Thank you."
        )
        # The same preview pressed again saves nothing more.
        await emu.press_button(CASEY, preview, text="Save and tell them")
        stored = await services.progression.contributions_of(SAM)
        assert [c.detail for c in stored] == ["chaired the June meeting"]

        # /progression: text, chart and CSV
        report = await bot.say(CASEY, "/progression")
        assert "How members are moving on" in report.text
        assert "Members: 12, against a target of 200." in report.text
        assert "• Contributed: fewer than 5" in report.text
        chart = await bot.next(CASEY)
        assert chart.photo is not None
        assert "Members by stage now" in (chart.caption or "")
        document = await bot.next(CASEY)
        assert document.document is not None
        assert document.document.filename == "progression-2026-12-10.csv"
        rows = list(csv.reader(io.StringIO(document.document.data.decode("utf-8-sig"))))
        assert ["Members by stage now", "Contributed", "fewer than 5"] in rows
        assert b"Sam" not in document.document.data

        # A person with no role is refused kindly; a reader can read; revoked, cannot.
        refused = await bot.say(DANA, "/progression")
        assert refused.text == services.texts.plain("progression.not_allowed")
        granted = await bot.say(CASEY, f"/grant {DANA} reader")
        assert f"{DANA} is now a reader" in granted.text
        assert "/progression" in granted.text
        read = await bot.say(DANA, "/progression")
        assert "How members are moving on" in read.text
        assert (await bot.next(DANA)).photo is not None
        assert (await bot.next(DANA)).document is not None
        await bot.say(CASEY, f"/revoke {DANA} reader")
        again = await bot.say(DANA, "/progression")
        assert again.text == services.texts.plain("progression.not_allowed")
        member = await bot.say(OTHERS[0], "/progression")
        assert member.text == services.texts.plain("progression.not_allowed")
        contribution = await bot.say(OTHERS[0], "/contribution")
        assert contribution.text == services.texts.plain("errors.not_allowed")

        # The member sees it in /mydata; the audit log says what was done.
        mine = await bot.say(SAM, "/mydata")
        while "Contributions noted for you" not in (mine.text or ""):
            mine = await bot.next(SAM)
        assert "Contributions noted for you: 1" in mine.text
        assert "12 June 2026: chaired the June meeting" in mine.text
        audit = await bot.say(CASEY, "/audit")
        assert "You noted a contribution by Sam: a role at a meeting." in audit.text
        full = audit.text
        while "You became a coordinator" not in full:  # a long day comes in parts
            full += (await bot.next(CASEY)).text
        # Dana is not a member, so the record knows her by her Telegram id.
        assert f"Telegram user {DANA} looked at the progression report." in full
        assert f"You made Telegram user {DANA} a reader." in full
        assert f"You took the reader role away from Telegram user {DANA}." in full
        assert "(progression report). It was not allowed." in full
