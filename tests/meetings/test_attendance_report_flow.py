"""/attendance end to end: the real Application and the Bot API emulator. A coordinator opens
one meeting's report and a summary with its CSV file (nine members: under the small-group
threshold, so no exact answer and no breakdown); with a one-member hub, that hub is never
shown on its own; a member is refused kindly."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import Audience
from bot.delivery.audience import EVERYONE
from bot.services.meetings import MeetingDraft
from emulator import BotApiEmulator
from storage.meetings import GOING
from tests.e2e.harness import running_bot
from tests.meetings.conftest import CASEY

START = datetime(2026, 12, 15, 14, 0, tzinfo=UTC)
NORTH_WEST = [600_000_100 + i for i in range(7)]
MIDLANDS = [600_000_200 + i for i in range(2)]


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """The emulator with Telegram's limits."""
    async with BotApiEmulator() as emulator:
        emulator.set_limits(per_chat_burst=20)
        yield emulator


@pytest.mark.timeout(120)
async def test_a_coordinator_reads_attendance_and_gets_the_csv(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    clock = Clock(datetime(2026, 12, 10, 14, 30, tzinfo=UTC))
    async with running_bot(tmp_path, emu, clock=clock, coordinator_ids=[CASEY]) as bot:
        services = bot.services
        people = [(m, "north_west") for m in NORTH_WEST] + [(m, "midlands") for m in MIDLANDS]
        for member_id, region in people:
            emu.add_user(member_id, "Sam")
            emu.chat(member_id).started = True
            await services.members.join(member_id, "Sam")
            await services.members.choose_region(member_id, region)
            await services.members.finish_setup(member_id)
        draft = MeetingDraft(
            title="National forum",
            starts_at=START,
            duration_minutes=60,
            audience=Audience(EVERYONE),
            link="https://meet.example.org/national",
        )
        meeting = (await services.meetings.create(CASEY, draft)).meeting
        for member_id, _ in people:
            await services.meetings.rsvp(member_id, meeting.id, GOING)
        clock.set(START + timedelta(hours=2))
        assert await services.attendance.save_attendance(CASEY, meeting.id) == 9

        menu = await bot.say(CASEY, "/attendance")
        assert "Who came to meetings" in menu.text
        assert "Last three months" in str(menu.buttons)
        assert "15 Dec: National forum" in str(menu.buttons)

        report = await bot.press(CASEY, menu, "15 Dec: National forum")
        assert "Who came: National forum" in report.text
        assert "15 Dec 2026, 14:00" in report.text  # London time (GMT in December)
        # Nine invited is under the threshold (10): "all nine said going" would be an answer
        # about everyone in a small group, and so would a region's line.
        assert "Invited: 9. Said going: fewer than 10." in report.text
        assert "Came: fewer than 10." in report.text
        assert "Midlands" not in report.text and "North West" not in report.text
        assert "Sam" not in report.text

        summary = await bot.press(CASEY, menu, "Last three months")
        assert "Who came: the last three months" in summary.text
        assert "Meetings held: 1." in summary.text
        assert "Members now: fewer than 10." in summary.text
        assert "Times people came: hidden." in summary.text
        assert "By region and hub" not in summary.text
        document = await bot.next(CASEY)
        assert document.document is not None
        assert document.document.filename.endswith(".csv")
        assert "no names" in (document.caption or "")
        data = document.document.data
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert ["Meetings held", "1"] in rows
        assert ["Place", "Region", "Members now", "Times people came"] in rows
        assert rows[-1] == ["Whole forum", "", "fewer than 10", "hidden"]
        people_rows = rows[4:]  # after the period and the meeting counts
        assert not any(cell in {"1", "2", "3", "4"} for row in people_rows for cell in row)
        assert not any(str(m) in data.decode("utf-8-sig") for m, _ in people)
        assert b"Sam" not in data

        actions = [line.action for line in (await services.reports.audit_log(CASEY)).lines]
        assert actions.count("attendance.report") == 2

        # A member is told kindly, and gets no figures.
        refused = await bot.say(NORTH_WEST[0], "/attendance")
        assert "Who came" not in refused.text
        assert refused.text == services.texts.plain("errors.not_allowed")


@pytest.mark.timeout(120)
async def test_an_empty_sheet_can_be_saved_as_nobody_came(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    clock = Clock(datetime(2026, 12, 10, 14, 30, tzinfo=UTC))
    async with running_bot(tmp_path, emu, clock=clock, coordinator_ids=[CASEY]) as bot:
        draft = MeetingDraft(
            title="Quiet meeting",
            starts_at=START,
            duration_minutes=60,
            audience=Audience(EVERYONE),
            link="https://meet.example.org/quiet",
        )
        await bot.services.meetings.create(CASEY, draft)
        clock.set(START + timedelta(hours=1))

        await emu.send_text(CASEY, "/meetings")
        item = await emu.wait_for_message(CASEY, lambda m: "Mark who came" in str(m.buttons))
        sheet = await bot.press(CASEY, item, "Mark who came")
        assert "No one said they would come to Quiet meeting" in sheet.text
        saved = await bot.press(CASEY, sheet, "Save: no one came")
        assert "Saved. 0 people came." in saved.text
        report = await bot.press(CASEY, saved, "See who came")
        assert "Who came: Quiet meeting" in report.text
        assert "No one came to this meeting." in report.text


@pytest.mark.timeout(120)
async def test_a_one_member_hub_is_never_shown_on_its_own(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    """North West: twelve in hub 1, one in hub 2, ten with no hub yet. A meeting for North
    West that all came to: hub 2's one person cannot stand alone, and "other places" with them
    alone would be worked out from the rest, so the smallest line shown joins them."""
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    clock = Clock(datetime(2026, 12, 10, 14, 30, tzinfo=UTC))
    hub_1 = [600_001_000 + i for i in range(12)]
    hub_2 = [600_002_000]
    no_hub = [600_003_000 + i for i in range(10)]
    async with running_bot(tmp_path, emu, clock=clock, coordinator_ids=[CASEY]) as bot:
        services = bot.services
        for members, hub in ((hub_1, "nw_hub_1"), (hub_2, "nw_hub_2"), (no_hub, None)):
            for member_id in members:
                await services.members.join(member_id, "Sam")
                await services.members.choose_region(member_id, "north_west")
                if hub is not None:
                    await services.members.choose_hub(member_id, hub)
                await services.members.finish_setup(member_id)
        draft = MeetingDraft(
            title="North West forum",
            starts_at=START,
            duration_minutes=60,
            audience=Audience("region", "north_west"),
            link="https://meet.example.org/north-west",
        )
        meeting = (await services.meetings.create(CASEY, draft)).meeting
        everyone = [*hub_1, *hub_2, *no_hub]
        for member_id in everyone:
            await services.meetings.rsvp(member_id, meeting.id, GOING)
        clock.set(START + timedelta(hours=2))
        assert await services.attendance.save_attendance(CASEY, meeting.id) == 23

        menu = await bot.say(CASEY, "/attendance")
        report = await bot.press(CASEY, menu, "15 Dec: North West forum")
        assert "Invited: 23. Said going: 23." in report.text
        assert "Came: 23." in report.text
        assert "• North West hub 1 (placeholder name): 12" in report.text
        assert (
            "• Other places (North West hub 2 (placeholder name); North West, no hub yet; "
            "From other regions): 11" in report.text
        )
        assert not re.search(r"• North West hub 2[^;]*: ", report.text)

        summary = await bot.press(CASEY, menu, "Last three months")
        assert "North West: came 23. Members: 23." in summary.text
        assert "• North West hub 1 (placeholder name): came 12. Members: 12." in summary.text
        assert "• Other places (North West hub 2 (placeholder name); North West, no hub yet)" in (
            summary.text
        )
        document = await bot.next(CASEY)
        rows = list(csv.reader(io.StringIO(document.document.data.decode("utf-8-sig"))))
        places = [row[0] for row in rows if row]
        assert "North West hub 2 (placeholder name)" not in places
        assert not any(cell in {"1", "2", "3", "4"} for row in rows[8:] for cell in row[2:])
