"""Marking who came after a meeting: starts from the going list, coordinators only, counts by
region and hub kept without names (they outlive a member's erasure); and end to end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import Audience
from bot.delivery.audience import EVERYONE
from bot.services.errors import InvalidChoice, NotAllowed
from bot.services.meetings import MeetingDraft
from emulator import BotApiEmulator
from storage.attendance import PlaceAttendance
from storage.erasure import erase_person
from storage.meetings import GOING, MAYBE, NO
from tests.e2e.harness import running_bot
from tests.meetings.conftest import CASEY, MIDLANDS, NW, World

START = datetime(2026, 12, 15, 14, 0, tzinfo=UTC)


def national(starts_at: datetime = START) -> MeetingDraft:
    """A national meeting online."""
    return MeetingDraft(
        title="National forum",
        starts_at=starts_at,
        duration_minutes=60,
        audience=Audience(EVERYONE),
        link="https://meet.example.org/national",
    )


async def test_marking_starts_from_going_and_keeps_counts_by_place(world: World) -> None:
    meeting = (await world.meetings.create(CASEY, national())).meeting
    await world.meetings.rsvp(NW[0], meeting.id, GOING)
    await world.meetings.rsvp(NW[1], meeting.id, GOING)
    await world.meetings.rsvp(NW[2], meeting.id, MAYBE)
    await world.meetings.rsvp(NW[3], meeting.id, NO)
    await world.meetings.rsvp(MIDLANDS, meeting.id, GOING)
    with pytest.raises(InvalidChoice):
        await world.attendance.sheet(CASEY, meeting.id)  # not started yet

    world.clock.set(START + timedelta(hours=2))
    assert [m.id for m in await world.attendance.recent(CASEY)] == [meeting.id]
    _meeting, lines = await world.attendance.sheet(CASEY, meeting.id)
    assert {x.member_id for x in lines if x.attended} == {NW[0], NW[1], MIDLANDS}
    assert [x.answer for x in lines] == [GOING, GOING, GOING, MAYBE]  # going first
    assert {x.member_id for x in lines} == {NW[0], NW[1], NW[2], MIDLANDS}  # not "can't"
    assert await world.attendance.toggle_attended(CASEY, meeting.id, NW[1]) is False
    assert await world.attendance.toggle_attended(CASEY, meeting.id, NW[2]) is True
    with pytest.raises(InvalidChoice):
        await world.attendance.toggle_attended(CASEY, meeting.id, NW[3])
    with pytest.raises(NotAllowed):
        await world.attendance.toggle_attended(NW[0], meeting.id, NW[0])

    assert await world.attendance.save_attendance(CASEY, meeting.id) == 3
    # Saved again as it is (a double tap): the same counts, one line in the audit log; a real
    # change saved is another line.
    assert await world.attendance.save_attendance(CASEY, meeting.id) == 3
    saves = "SELECT COUNT(*) FROM audit_log WHERE action = 'meeting.attendance'"
    assert await world.db.fetch_value(saves) == 1
    await world.attendance.toggle_attended(CASEY, meeting.id, NW[2])
    assert await world.attendance.save_attendance(CASEY, meeting.id) == 2
    assert await world.db.fetch_value(saves) == 2
    await world.attendance.toggle_attended(CASEY, meeting.id, NW[2])
    assert await world.attendance.save_attendance(CASEY, meeting.id) == 3
    assert await world.attendance.attendance(CASEY, meeting.id) == [
        PlaceAttendance("midlands", "", 1),
        PlaceAttendance("north_west", "nw_hub_1", 2),
    ]
    await erase_person(world.db, NW[0])
    assert await world.attendance.attendance(CASEY, meeting.id) == [
        PlaceAttendance("midlands", "", 1),
        PlaceAttendance("north_west", "nw_hub_1", 2),
    ]
    audit = await world.db.fetch_value(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'meeting.attendance'"
    )
    assert audit == 3  # three saves that changed the sheet; the repeated save added none


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """The emulator with Telegram's limits."""
    async with BotApiEmulator() as emulator:
        emulator.set_limits(per_chat_burst=20)
        yield emulator


@pytest.mark.timeout(90)
async def test_a_coordinator_marks_who_came_from_meetings(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    sam, alex = 600_000_001, 600_000_002
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    clock = Clock(datetime(2026, 12, 10, 14, 30, tzinfo=UTC))
    async with running_bot(tmp_path, emu, clock=clock, coordinator_ids=[CASEY]) as bot:
        for member_id, name in ((sam, "Sam"), (alex, "Alex")):
            emu.add_user(member_id, name)
            emu.chat(member_id).started = True
            await bot.services.members.join(member_id, name)
            await bot.services.members.choose_region(member_id, "north_west")
            await bot.services.members.finish_setup(member_id)
        meeting = (await bot.services.meetings.create(CASEY, national())).meeting
        await bot.services.meetings.rsvp(sam, meeting.id, GOING)
        await bot.services.meetings.rsvp(alex, meeting.id, MAYBE)
        clock.set(START + timedelta(hours=1))

        await emu.send_text(CASEY, "/meetings")
        item = await emu.wait_for_message(CASEY, lambda m: "Mark who came" in str(m.buttons))
        await emu.press_button(CASEY, item, text="Mark who came")
        sheet = await emu.wait_for_message(CASEY, lambda m: "Who came to" in (m.text or ""))
        assert [label for label, _ in sheet.buttons] == ["✅ Sam", "⬜ Alex", "Save"]
        await emu.press_button(CASEY, sheet, text="⬜ Alex")
        sheet = await emu.wait_for_message(CASEY, lambda m: "✅ Alex" in str(m.buttons))
        await emu.press_button(CASEY, sheet, text="Save")
        done = await emu.wait_for_message(CASEY, lambda m: "Saved." in (m.text or ""))
        assert "2 people came" in done.text
