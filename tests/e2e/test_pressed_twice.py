"""A press delivered twice counts once, everywhere.

Every button that creates or sends something is pressed twice at once (a double tap: two
presses, two callback queries, the second sent before the first is handled), and its first
press is then delivered again (the same callback query, as when Telegram sends an update
twice). Each test checks what people would notice: one broadcast, one meeting, one question,
one notice each, one "you said, we did", one leaver; a mark on the attendance sheet that stays
as pressed; and the coordinator's message still saying what was done.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import Audience
from bot.delivery.audience import EVERYONE
from bot.services.consultations.rules import ConsultationDraft
from bot.services.meetings import MeetingDraft
from emulator import BotApiEmulator
from emulator.html_parser import parse_html
from emulator.records import MessageRecord
from handlers.consultations import newpoll
from handlers.meetings import newmeeting
from handlers.shared import common
from storage.meetings import MAYBE
from tests.e2e.harness import RunningBot, running_bot

pytestmark = pytest.mark.timeout(90)

CASEY = 900_000_001
MEMBERS = [600_700_001, 600_700_002]
SETTLE = 1.0  # seconds in which a second effect would have shown


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The real bot on the emulator (Telegram's limits on), no quiet hours, two members."""
    async with BotApiEmulator() as emu:
        emu.set_limits(per_chat_burst=20)
        emu.add_user(CASEY, "Casey")
        emu.chat(CASEY).started = True
        async with running_bot(
            tmp_path,
            emu,
            clock=Clock(),
            coordinator_ids=[CASEY],
            quiet_hours_start=0,
            quiet_hours_end=0,
        ) as running:
            for member_id in MEMBERS:
                emu.add_user(member_id, "Member")
                emu.chat(member_id).started = True
                await running.services.members.join(member_id, "Member")
                await running.services.members.choose_region(member_id, "north_west")
                await running.services.members.finish_setup(member_id)
            yield running


# Helpers


async def twice(bot: RunningBot, user: int, message: MessageRecord, data: str) -> None:
    """A double tap (two presses before either is handled), then the first press delivered
    again; returns once all three are answered or left alone."""
    emu = bot.emu
    first = await emu.press_button(user, message, data, forge=True)
    second = await emu.press_button(user, message, data, forge=True)
    await emu.wait_for_answer(first, timeout=10)
    await emu.wait_for_answer(second, timeout=10)
    with LeftAlone() as left_alone:
        update_id = await emu.replay_press(first)
        # The replay is seen and left alone (logged by PressesInOrder with its update id),
        # rather than hoped to be within a fixed pause.
        await eventually(lambda: update_id in left_alone.updates)
    await asyncio.sleep(SETTLE)  # background work of the two taps (notices, edits) shows


class LeftAlone(logging.Handler):
    """Collects the ids of updates PressesInOrder left alone as presses delivered again."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.updates: set[int] = set()
        self._logger = logging.getLogger(common.__name__)
        self._level = self._logger.level

    def emit(self, record: logging.LogRecord) -> None:
        """Note the update id of a press left alone."""
        if record.msg == common.LEFT_ALONE:
            self.updates.add(int(record.args[0]))

    def __enter__(self) -> LeftAlone:
        self._logger.addHandler(self)
        self._logger.setLevel(logging.INFO)
        return self

    def __exit__(self, *_: object) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._level)


async def with_button(
    bot: RunningBot, user: int, since: int, suffix: str, wait: float = 10.0
) -> tuple[MessageRecord, str]:
    """The first bot message in the chat after ``since`` with a button whose data ends with
    ``suffix``, and that button's data."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        for message in bot.emu.chat(user).messages[since:]:
            for _label, data in message.buttons:
                if data and data.endswith(suffix):
                    return message, data
        if loop.time() > deadline:
            raise AssertionError(f"no button ending {suffix!r} in chat {user}")
        await asyncio.sleep(0.02)


def at(bot: RunningBot, user: int) -> int:
    """Where the chat is now."""
    return len(bot.emu.chat(user).messages)


def received(bot: RunningBot, user: int, words: str) -> int:
    """How many of the bot's messages in a chat show these words."""
    return sum(words in m.content for m in bot.emu.chat(user).bot_messages)


async def eventually(condition: Callable[[], bool], wait: float = 15.0) -> None:
    """Wait until a condition holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("not reached in time")
        await asyncio.sleep(0.05)


async def count(bot: RunningBot, sql: str, *args: object) -> int:
    """A number from the database."""
    return int(await bot.services.db.fetch_value(sql, args))


async def audited(bot: RunningBot, action: str) -> int:
    """How many times the audit log records an action."""
    return await count(bot, "SELECT COUNT(*) FROM audit_log WHERE action = ?", action)


def shown(bot: RunningBot, key: str, **values: object) -> str:
    """A catalogue text as a person reads it."""
    return parse_html(bot.services.texts.get(key, **values))[0]


async def a_message(bot: RunningBot, user: int) -> MessageRecord:
    """Some bot message in the chat to press a button on (the reply to /help)."""
    since = at(bot, user)
    await bot.emu.send_text(user, "/help")
    await eventually(lambda: at(bot, user) > since + 1)
    return bot.emu.chat(user).bot_messages[-1]


async def open_question(bot: RunningBot, question: str, *, closes_in_days: int = 2) -> int:
    """A consultation for everyone, open now; its id."""
    services = bot.services
    created = await services.consultations.create(
        CASEY,
        ConsultationDraft(
            question=question,
            options=("Yes", "No"),
            multiple=False,
            ask_comment=False,
            audience=Audience(EVERYONE),
            closes_at=services.clock.now() + timedelta(days=closes_in_days),
            member_note="Thanks for your view.",
        ),
    )
    for member_id in MEMBERS:
        await bot.emu.wait_for_message(member_id, lambda m: question in m.content, timeout=10)
    return created.id


# Broadcast, /newmeeting and /newpoll: the confirm button


async def test_send_now_pressed_twice_sends_one_broadcast_and_still_says_so(
    bot: RunningBot,
) -> None:
    since = at(bot, CASEY)
    await bot.emu.send_text(CASEY, "/broadcast")
    ask, everyone = await with_button(bot, CASEY, since, ":all")
    since = at(bot, CASEY)
    await bot.emu.press_button(CASEY, ask, everyone)
    await with_button(bot, CASEY, since, ":aud")  # "now write your message"
    since = at(bot, CASEY)
    await bot.emu.send_text(CASEY, "Hub news: the garden opens on Saturday.")
    summary, send_now = await with_button(bot, CASEY, since, ":now")

    await twice(bot, CASEY, summary, send_now)

    await eventually(lambda: all(received(bot, m, "garden opens") for m in MEMBERS))
    await asyncio.sleep(SETTLE)
    assert [received(bot, m, "garden opens") for m in MEMBERS] == [1, 1]
    assert await count(bot, "SELECT COUNT(*) FROM broadcasts WHERE kind = 'broadcast'") == 1
    # It still says what was done (the second tap did not turn it into "out of date").
    assert summary.content == shown(bot, "broadcast.queued_now", id=1, count=len(MEMBERS))
    assert not summary.buttons


async def test_the_meeting_confirm_pressed_twice_makes_one_meeting(bot: RunningBot) -> None:
    starts = bot.services.clock.now() + timedelta(days=9)
    data = bot.app.user_data[CASEY]
    data[newmeeting.DRAFTS.key] = newmeeting.Draft(
        title="Hub catch-up",
        starts_at=starts,
        minutes=60,
        place="Town hall",
        audience=Audience(EVERYONE),
        notes="-",
        repeat=newmeeting.ONCE,
        feedback="-",  # no feedback survey
    )
    data["awaiting"] = newmeeting.STEP_BUTTONS
    since = at(bot, CASEY)
    await bot.emu.send_text(CASEY, "ok")  # a typed word at the preview asks it again
    preview, confirm = await with_button(bot, CASEY, since, ":go")

    await twice(bot, CASEY, preview, confirm)

    await eventually(lambda: all(received(bot, m, "Hub catch-up") for m in MEMBERS))
    await asyncio.sleep(SETTLE)
    assert await count(bot, "SELECT COUNT(*) FROM meetings") == 1
    assert [received(bot, m, "Hub catch-up") for m in MEMBERS] == [1, 1]
    assert preview.content == shown(bot, "meetings.new_created", count=len(MEMBERS))


async def test_the_question_confirm_pressed_twice_asks_once(bot: RunningBot) -> None:
    data = bot.app.user_data[CASEY]
    data[newpoll.DRAFTS.key] = newpoll.Draft(
        question="Should hubs meet in the evening?",
        options=("Yes", "No"),
        options_done=True,
        multiple=False,
        ask_comment=False,
        audience=Audience(EVERYONE),
        opens_chosen=True,
        closes_at=bot.services.clock.now() + timedelta(days=3),
        readers_done=True,
        show_results="after_close",
        note="Thanks for your view.",
    )
    data["awaiting"] = newpoll.STEP_BUTTONS
    since = at(bot, CASEY)
    await bot.emu.send_text(CASEY, "ok")
    preview, confirm = await with_button(bot, CASEY, since, ":go")

    await twice(bot, CASEY, preview, confirm)

    await eventually(lambda: all(received(bot, m, "in the evening?") for m in MEMBERS))
    await asyncio.sleep(SETTLE)
    assert await count(bot, "SELECT COUNT(*) FROM consultations") == 1
    assert [received(bot, m, "in the evening?") for m in MEMBERS] == [1, 1]
    opened = shown(bot, "newpoll.created_now", count=len(MEMBERS), closes="")
    assert preview.content.startswith(opened.removesuffix("."))  # then the closing time


# /polls: close now, more time, take down, and "You said, we did"


async def test_close_more_time_and_take_down_pressed_twice_act_once(bot: RunningBot) -> None:
    emu = bot.emu
    closing = await open_question(bot, "Close this one?")
    longer = await open_question(bot, "Give this one longer?")
    gone = await open_question(bot, "Take this one down?")
    before = (await bot.services.consultations.get(longer)).closes_at

    for consultation_id, what, confirm in [
        (closing, "c", f"pa:{closing}:cy"),
        (gone, "x", f"pa:{gone}:xy"),
        (longer, "e", f"pa:{longer}:ed:"),  # the first quick button: a day more
    ]:
        message = await a_message(bot, CASEY)
        since = at(bot, CASEY)
        await emu.press_button(CASEY, message, f"pa:{consultation_id}:{what}", forge=True)
        asked, _ = await with_button(bot, CASEY, since, f"pa:{consultation_id}:keep")
        data = next(d for _, d in asked.buttons if d and d.startswith(confirm))
        await twice(bot, CASEY, asked, data)

    assert await audited(bot, "consultation.closed") == 1
    assert await audited(bot, "consultation.cancelled") == 1
    assert await audited(bot, "consultation.extended") == 1
    extended = await bot.services.consultations.get(longer)
    assert timedelta(hours=23) <= extended.closes_at - before <= timedelta(hours=25)  # a day
    await eventually(lambda: all(received(bot, m, "Take this one down?") >= 2 for m in MEMBERS))
    await eventually(lambda: any(m.photo for m in emu.chat(CASEY).bot_messages), wait=20)
    await asyncio.sleep(SETTLE)
    # One notice that it was taken down (after the question itself), one results chart.
    assert [received(bot, m, "Take this one down?") for m in MEMBERS] == [2, 2]
    assert sum(bool(m.photo) for m in emu.chat(CASEY).bot_messages) == 1


async def test_you_said_we_did_pressed_twice_is_sent_once(bot: RunningBot) -> None:
    emu = bot.emu
    consultation_id = await open_question(bot, "Shall we try Saturdays?")
    await bot.services.consultations.close_now(CASEY, consultation_id)
    message = await a_message(bot, CASEY)
    since = at(bot, CASEY)
    await emu.press_button(CASEY, message, f"paf:{consultation_id}:w", forge=True)
    await eventually(lambda: at(bot, CASEY) > since)
    since = at(bot, CASEY)
    await emu.send_text(CASEY, "We tried Saturdays and they worked well.")
    check, send = await with_button(bot, CASEY, since, f"paf:{consultation_id}:send")

    await twice(bot, CASEY, check, send)

    await eventually(lambda: all(received(bot, m, "they worked well") for m in MEMBERS))
    await asyncio.sleep(SETTLE)
    assert [received(bot, m, "they worked well") for m in MEMBERS] == [1, 1]
    assert await count(bot, "SELECT COUNT(*) FROM consultation_followups") == 1
    assert await audited(bot, "consultation.followup") == 1


# Attendance, leaving, consent, contact requests


async def test_an_attendance_mark_and_save_pressed_twice_stay_as_pressed(bot: RunningBot) -> None:
    services = bot.services
    created = await services.meetings.create(
        CASEY,
        MeetingDraft(
            title="Garden day",
            starts_at=services.clock.now() + timedelta(hours=1),
            duration_minutes=60,
            audience=Audience(EVERYONE),
            place="The garden",
        ),
    )
    meeting_id = created.meeting.id
    await services.meetings.rsvp(MEMBERS[0], meeting_id, MAYBE)  # on the sheet, not ticked
    bot.clock.advance(timedelta(hours=3))  # it has happened
    message = await a_message(bot, CASEY)
    since = at(bot, CASEY) - 1  # the sheet is drawn in the pressed message
    await bot.emu.press_button(CASEY, message, f"ma:{meeting_id}:open", forge=True)
    sheet, mark = await with_button(bot, CASEY, since, f":{MEMBERS[0]}:1")

    await twice(bot, CASEY, sheet, mark)  # a flip pressed twice used to undo itself

    attended = "SELECT attended FROM meeting_rsvps WHERE meeting_id = ? AND member_id = ?"
    assert await count(bot, attended, meeting_id, MEMBERS[0]) == 1
    assert f"ma:{meeting_id}:{MEMBERS[0]}:0" in [data for _, data in sheet.buttons]
    await twice(bot, CASEY, sheet, f"ma:{meeting_id}:save")
    saved = "SELECT COUNT(*) FROM meeting_attendance_saved WHERE meeting_id = ?"
    assert await count(bot, saved, meeting_id) == 1
    came = "SELECT COALESCE(SUM(count), 0) FROM meeting_attendance WHERE meeting_id = ?"
    assert await count(bot, came, meeting_id) == 1
    assert await count(bot, attended, meeting_id, MEMBERS[0]) == 1


async def test_leaving_pressed_twice_erases_once_and_counts_one_leaver(bot: RunningBot) -> None:
    since = at(bot, MEMBERS[0])
    await bot.emu.send_text(MEMBERS[0], "/leave")
    confirm, yes = await with_button(bot, MEMBERS[0], since, "leave:yes")

    await twice(bot, MEMBERS[0], confirm, yes)

    assert await bot.services.members.get(MEMBERS[0]) is None
    assert await audited(bot, "member.erased") == 1
    leavers = await count(bot, "SELECT COALESCE(SUM(count), 0) FROM leaver_counts")
    assert leavers == 1
    assert confirm.content == shown(bot, "leave.done")


async def test_agreeing_pressed_twice_joins_once_and_asks_the_region_once(
    bot: RunningBot,
) -> None:
    newcomer = 600_700_099
    bot.emu.add_user(newcomer, "Robin")
    since = at(bot, newcomer)
    await bot.emu.send_text(newcomer, "/start")
    privacy, agree = await with_button(bot, newcomer, since, "consent:yes")
    asked = at(bot, newcomer)

    await twice(bot, newcomer, privacy, agree)

    member = await bot.services.members.get(newcomer)
    assert member is not None
    messages = bot.emu.chat(newcomer).messages[asked:]
    pickers = [m for m in messages if any((d or "").startswith("reg:") for _, d in m.buttons)]
    assert len(pickers) == 1  # the region question, asked once


async def test_taking_and_marking_a_request_pressed_twice_act_once(bot: RunningBot) -> None:
    emu, contact = bot.emu, bot.services.contact
    asked = await contact.ask(MEMBERS[0], "Member", None, urgent=True)
    request_id = asked.request.id
    notice = await emu.wait_for_message(
        CASEY, lambda m: any(d == f"take:{request_id}" for _, d in m.buttons), timeout=10
    )
    since = at(bot, CASEY)

    await twice(bot, CASEY, notice, f"take:{request_id}")

    taken = await contact.get_for_coordinator(CASEY, request_id)
    assert taken.claimed_by == CASEY
    assert await audited(bot, "contact.claimed") == 1
    claimed, done = await with_button(bot, CASEY, since, f"handled:{request_id}")
    await twice(bot, CASEY, claimed, done)

    assert await audited(bot, "contact.handled") == 1
    words = [m.content for m in emu.chat(CASEY).messages[since:] if m.from_bot]
    marked = shown(bot, "contact.marked_handled", name="Member", request_id=request_id)
    assert words.count(marked) == 1
    assert not any("went wrong" in text for text in words)


async def test_a_grant_from_a_request_sent_twice_at_once_grants_once(bot: RunningBot) -> None:
    asked = await bot.services.contact.ask(MEMBERS[1], "Member", "I'd like to help run things")
    since = at(bot, CASEY)
    command = f"/grant request {asked.request.id} decision-maker"

    await bot.emu.send_text(CASEY, command)
    await bot.emu.send_text(CASEY, command)

    await eventually(lambda: at(bot, CASEY) >= since + 4)  # both answered
    await asyncio.sleep(SETTLE)
    roles = "SELECT COUNT(*) FROM roles WHERE telegram_id = ? AND role = 'decision_maker'"
    assert await count(bot, roles, MEMBERS[1]) == 1
    granted = "SELECT COUNT(*) FROM audit_log WHERE action = 'role.granted' AND target_id = ?"
    assert await count(bot, granted, MEMBERS[1]) == 1
