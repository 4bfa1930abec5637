"""Whatever a member (or a coordinator) writes arrives whole wherever the bot shows it again.

Property tests (hypothesis, a few examples each plus the worst cases at each input's limit:
runs of "&", quotes, apostrophes, "<" and emoji, all of which HTML escaping makes longer)
push text through every place the bot echoes it, against the emulator, which keeps
Telegram's rules: 4,096 characters as Telegram counts them, HTML that must parse. Each
example checks that Telegram accepted every part (no 400 from a send or an edit) and that the
whole text arrived, read back from what the emulator recorded (plain text, unescaped).

The real bot runs in its own event loop on a thread for the whole module, so hypothesis
drives one bot through many examples.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, assume, example, given, reject, settings
from hypothesis import strategies as st

from bot.delivery import Audience
from bot.delivery.audience import EVERYONE
from bot.services.consultations.rules import (
    MAX_COMMENT,
    MAX_FOLLOWUP,
    MAX_NOTE,
    MAX_OPTION,
    MAX_QUESTION,
    ConsultationDraft,
)
from bot.services.contact import MAX_MESSAGE_LENGTH, MAX_NAME_LENGTH
from bot.services.meetings import MAX_NOTES, MAX_PLACE, MAX_TITLE, MeetingDraft
from bot.textsplit import TELEGRAM_LIMIT, units
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.e2e.harness import RunningBot, running_bot

T = TypeVar("T")
CASEY = 900_000_001
MEMBERS = [600_500_001, 600_500_002]
FRESH_PEOPLE = itertools.count(650_000_001)  # someone new for each contact example
WHITESPACE = re.compile(r"\s+")
CRISIS_REPLY = "116 123"  # every crisis or concern reply gives Samaritans' number
SENDS = ("sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageCaption")
# What HTML escaping makes longer, emoji (two UTF-16 units), joined characters.
HOSTILE = ["&", '"', "'", "<", ">", "\U0001f44d", "\U0001f44d\U0001f3fd", "e\u0301", "&amp;"]
EXAMPLES = dict(deadline=None, database=None, suppress_health_check=list(HealthCheck))


# The bot, on its own loop


@dataclass
class World:
    """The running bot and the loop it runs in; ``run`` waits for a coroutine there."""

    bot: RunningBot
    loop: asyncio.AbstractEventLoop

    @property
    def emu(self) -> BotApiEmulator:
        """The emulator."""
        return self.bot.emu

    def run(self, work: Awaitable[T], wait: float = 60.0) -> T:
        """Run ``work`` on the bot's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(_coro(work), self.loop).result(wait)


async def _coro(work: Awaitable[T]) -> T:
    """An awaitable as a coroutine."""
    return await work


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The emulator and the real bot (no quiet hours), with two members and Casey."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="bot-loop", daemon=True)
    thread.start()
    emu = BotApiEmulator()
    holder: list[AbstractAsyncContextManager[RunningBot]] = []

    async def start() -> RunningBot:
        await emu.start()
        # Telegram's overall limit stays; chats may take bursts (flood rules have their tests).
        emu.set_limits(per_chat_burst=60, per_chat_per_second=20)
        emu.add_user(CASEY, "Casey")
        emu.chat(CASEY).started = True
        running = running_bot(
            Path(tmp_path_factory.mktemp("echo")),
            emu,
            coordinator_ids=[CASEY],
            quiet_hours_start=0,
            quiet_hours_end=0,
        )
        holder.append(running)
        bot = await running.__aenter__()
        for member_id in MEMBERS:
            emu.add_user(member_id, "Member")
            emu.chat(member_id).started = True
            await bot.services.members.join(member_id, "Member")
            await bot.services.members.choose_region(member_id, "north_west")
            await bot.services.members.finish_setup(member_id)
        return bot

    world = World(asyncio.run_coroutine_threadsafe(start(), loop).result(30), loop)
    try:
        yield world
    finally:

        async def stop() -> None:
            try:
                await holder[0].__aexit__(None, None, None)
            finally:
                await emu.stop()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


# Checks


def _ink(text: str) -> str:
    """A text without whitespace (a split may drop a space or line break at its cut)."""
    return WHITESPACE.sub("", text)


def _shown(emu: BotApiEmulator, chat_id: int, since: int) -> str:
    """Everything the bot's messages in a chat say now, from position ``since`` on."""
    return "".join(m.content for m in emu.chat(chat_id).messages[since:] if m.from_bot)


async def arrives(
    emu: BotApiEmulator, chat_id: int, since: int, *texts: str, wait: float = 20.0
) -> None:
    """Wait until every text has arrived whole in the chat (in one message or in parts)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        shown = _ink(_shown(emu, chat_id, since))
        missing = [text for text in texts if _ink(text) not in shown]
        if not missing:
            return
        if loop.time() > deadline:
            raise AssertionError(
                f"not arrived whole in chat {chat_id}: {missing!r}; shown: {shown[-300:]!r}"
            )
        await asyncio.sleep(0.05)


def refused(emu: BotApiEmulator, since: int) -> list[str]:
    """Sends and edits Telegram refused since request ``since`` (a 'not modified' is fine)."""
    return [
        f"{r.method}: {r.description}"
        for r in list(emu.state.request_log)[since:]
        if r.method in SENDS and r.status == 400 and "not modified" not in (r.description or "")
    ]


def position(emu: BotApiEmulator, chat_id: int) -> int:
    """Where a chat's messages are now."""
    return len(emu.chat(chat_id).messages)


async def next_reply(emu: BotApiEmulator, chat_id: int, since: int, wait: float = 10.0) -> str:
    """The text of the bot's first message in a chat after ``since`` (waiting for it)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        replies = [m for m in emu.chat(chat_id).messages[since:] if m.from_bot]
        if replies:
            return replies[0].content
        if loop.time() > deadline:
            raise AssertionError(f"no reply in chat {chat_id}")
        await asyncio.sleep(0.02)


def in_crisis(emu: BotApiEmulator, chat_id: int, since: int) -> bool:
    """Whether the crisis net answered the text (random words can sound like a crisis)."""
    return CRISIS_REPLY in _shown(emu, chat_id, since)


async def button_ending(
    emu: BotApiEmulator, chat_id: int, since: int, suffix: str, wait: float = 10.0
) -> tuple[MessageRecord, str]:
    """The first bot message after ``since`` with a button whose data ends with ``suffix``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        for message in emu.chat(chat_id).messages[since:]:
            for _label, data in message.buttons:
                if data and data.endswith(suffix):
                    return message, data
        if loop.time() > deadline:
            raise AssertionError(f"no button ending {suffix!r} in chat {chat_id}")
        await asyncio.sleep(0.02)


# What people write


def member_text(limit: int, *, lines: bool = True) -> st.SearchStrategy[str]:
    """Text of up to ``limit`` characters as a person types it: any characters (often the
    hostile ones), sometimes long runs of one, never empty; not a /command."""
    chars = st.one_of(
        st.characters(exclude_categories=["Cs", "Cc"]),
        st.sampled_from([c for c in HOSTILE if len(c) == 1] + ([" ", "\n"] if lines else [" "])),
    )
    mixed = st.text(chars, min_size=1, max_size=min(limit, 200))
    runs = st.builds(
        lambda piece, count, tail: piece * count + tail,
        st.sampled_from(HOSTILE),
        st.integers(1, limit),
        st.text(chars, max_size=20),
    )
    return st.one_of(mixed, runs).map(lambda text: fit(text, limit)).filter(bool)


def fit(text: str, limit: int, unit_limit: int | None = None) -> str:
    """Trimmed as Telegram trims a message, at most ``limit`` characters (and units)."""
    text = text.strip()[:limit].strip()
    while unit_limit is not None and units(text) > unit_limit:
        text = text[:-1].strip()
    return text


def sendable(text: str) -> None:
    """What a person types goes to the step waiting for it, not to a command."""
    assume(text and not text.startswith("/"))


# Contact notes and names


@settings(max_examples=8, **EXAMPLES)
@given(note=member_text(MAX_MESSAGE_LENGTH), name=member_text(MAX_NAME_LENGTH, lines=False))
@example(note="&" * MAX_MESSAGE_LENGTH, name="&" * MAX_NAME_LENGTH)
@example(note='"' * MAX_MESSAGE_LENGTH, name='"' * MAX_NAME_LENGTH)
@example(note="'" * MAX_MESSAGE_LENGTH, name="<b>" * 21)
@example(note="<i>x</i> &amp; " * 66, name="\U0001f44d" * 32)
def test_a_note_to_the_coordinators_and_the_name_arrive_whole(
    world: World, note: str, name: str
) -> None:
    sendable(note)
    if not world.run(_contact(world, next(FRESH_PEOPLE), name, note)):
        reject()


async def _contact(world: World, person: int, name: str, note: str) -> bool:
    """Someone asks a coordinator to get in touch with a note; False if the crisis net took
    the note instead."""
    emu = world.emu
    emu.add_user(person, name)
    since = position(emu, person)
    await emu.send_text(person, "/help")
    await next_reply(emu, person, since)
    asked = position(emu, person)
    last = emu.chat(person).bot_messages[-1]
    await emu.press_button(person, last, "contact:start", forge=True)
    await next_reply(emu, person, asked)
    log, casey, before = len(emu.state.request_log), position(emu, CASEY), position(emu, person)
    await emu.send_text(person, note)
    await next_reply(emu, person, before)
    if in_crisis(emu, person, before):
        return False
    await arrives(emu, CASEY, casey, name.strip(), note)
    assert refused(emu, log) == []
    return True


# Broadcasts: the preview and what members get


BROADCAST = TELEGRAM_LIMIT  # a Telegram message: 4,096 UTF-16 units


@settings(max_examples=5, **EXAMPLES)
@given(text=member_text(BROADCAST).map(lambda text: fit(text, BROADCAST, BROADCAST)))
@example(text="&" * BROADCAST)
@example(text='"' * BROADCAST)
@example(text="'<>" * (BROADCAST // 3))
@example(text="\U0001f44d" * (BROADCAST // 2))
def test_a_broadcast_arrives_whole_in_its_preview_and_with_members(world: World, text: str) -> None:
    sendable(text)
    if not world.run(_broadcast(world, text)):
        reject()


async def _broadcast(world: World, text: str) -> bool:
    """Casey writes a broadcast to everyone, checks the preview and sends it."""
    emu = world.emu
    since = position(emu, CASEY)
    await emu.send_text(CASEY, "/cancel")  # no draft left from an earlier example
    await next_reply(emu, CASEY, since)
    since = position(emu, CASEY)
    await emu.send_text(CASEY, "/broadcast")
    ask, data = await button_ending(emu, CASEY, since, ":all")
    since = position(emu, CASEY)
    await emu.press_button(CASEY, ask, data)
    await next_reply(emu, CASEY, since)
    log, preview = len(emu.state.request_log), position(emu, CASEY)
    await emu.send_text(CASEY, text)
    try:
        summary, send_now = await button_ending(emu, CASEY, preview, ":now")
    except AssertionError:
        if in_crisis(emu, CASEY, preview):
            return False
        raise
    await arrives(emu, CASEY, preview, text)  # the preview: as members will see it
    member = position(emu, MEMBERS[0])
    await emu.press_button(CASEY, summary, send_now)
    await arrives(emu, MEMBERS[0], member, text)
    assert refused(emu, log) == []
    return True


# Meetings: title, place and notes in every invitation


@settings(max_examples=5, **EXAMPLES)
@given(
    title=member_text(MAX_TITLE, lines=False),
    place=member_text(MAX_PLACE, lines=False),
    notes=member_text(MAX_NOTES),
)
@example(title="&" * MAX_TITLE, place='"' * MAX_PLACE, notes="'" * MAX_NOTES)
@example(title="<" * MAX_TITLE, place="\U0001f44d" * MAX_PLACE, notes="&amp;" * (MAX_NOTES // 5))
def test_a_meetings_title_place_and_notes_arrive_whole(
    world: World, title: str, place: str, notes: str
) -> None:
    world.run(_meeting(world, title, place, notes))


async def _meeting(world: World, title: str, place: str, notes: str) -> None:
    """Casey makes a meeting for everyone; the invitation shows what was written."""
    emu, services = world.emu, world.bot.services
    log, member = len(emu.state.request_log), position(emu, MEMBERS[1])
    created = await services.meetings.create(
        CASEY,
        MeetingDraft(
            title=title,
            starts_at=services.clock.now() + timedelta(days=20),
            duration_minutes=60,
            audience=Audience(EVERYONE),
            place=place,
            notes=notes,
        ),
    )
    meeting = created.meeting
    await arrives(emu, MEMBERS[1], member, meeting.title, meeting.place, meeting.notes)
    assert refused(emu, log) == []


def test_the_coordinators_meeting_list_shows_the_longest_title_and_place_whole(
    world: World,
) -> None:
    async def check() -> None:
        emu = world.emu
        await _meeting(world, "&" * MAX_TITLE, '"' * MAX_PLACE, "'" * MAX_NOTES)
        log, since = len(emu.state.request_log), position(emu, CASEY)
        await emu.send_text(CASEY, "/meetings")
        await arrives(emu, CASEY, since, "&" * MAX_TITLE, '"' * MAX_PLACE)
        assert refused(emu, log) == []

    world.run(check())


# Consultations: question, answers and note; comments in the results pack; follow-ups


def options_strategy() -> st.SearchStrategy[tuple[str, ...]]:
    """Two to four distinct answers, each within the limit and shown on a button."""
    return st.lists(
        member_text(MAX_OPTION, lines=False).map(lambda t: " ".join(t.split())).filter(bool),
        min_size=2,
        max_size=4,
        unique=True,
    ).map(tuple)


@settings(max_examples=4, **EXAMPLES)
@given(
    question=member_text(MAX_QUESTION),
    options=options_strategy(),
    note=member_text(MAX_NOTE),
)
@example(
    question="&" * MAX_QUESTION, options=('"' * MAX_OPTION, "'" * MAX_OPTION), note="<" * MAX_NOTE
)
def test_a_question_its_answers_and_note_arrive_whole_and_stay_whole_once_answered(
    world: World, question: str, options: tuple[str, ...], note: str
) -> None:
    world.run(_question(world, question, options, note))


async def _open(world: World, question: str, options: tuple[str, ...], note: str, comment: bool):
    """Casey opens a consultation for everyone."""
    services = world.bot.services
    return await services.consultations.create(
        CASEY,
        ConsultationDraft(
            question=question,
            options=options,
            multiple=False,
            ask_comment=comment,
            audience=Audience(EVERYONE),
            closes_at=services.clock.now() + timedelta(days=2),
            member_note=note,
        ),
    )


async def _question(world: World, question: str, options: tuple[str, ...], note: str) -> None:
    """The invitation shows the question and note, with one button per answer; answering
    redraws the message, still whole."""
    emu = world.emu
    log, member = len(emu.state.request_log), position(emu, MEMBERS[0])
    consultation = await _open(world, question, options, note, comment=False)
    await arrives(emu, MEMBERS[0], member, consultation.question, consultation.member_note)
    invitation, vote = await button_ending(emu, MEMBERS[0], member, f"cv:{consultation.id}:0")
    assert [label for label, _ in invitation.buttons] == list(consultation.options)
    edits = len(invitation.history)
    await emu.press_button(MEMBERS[0], invitation, vote)
    await _until(lambda: len(invitation.history) > edits)  # the redraw lane drew it
    assert _ink(consultation.question) in _ink(invitation.content)
    assert refused(emu, log) == []
    await world.bot.services.consultations.cancel(CASEY, consultation.id)


async def _until(condition: Callable[[], bool], wait: float = 10.0) -> None:
    """Wait until a condition holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@settings(max_examples=3, **EXAMPLES)
@given(comment=member_text(MAX_COMMENT), followup=member_text(MAX_FOLLOWUP))
@example(comment="&" * MAX_COMMENT, followup='"' * MAX_FOLLOWUP)
@example(comment="'" * MAX_COMMENT, followup="<\U0001f44d" * (MAX_FOLLOWUP // 2))
def test_a_comment_arrives_whole_in_the_results_pack_and_a_follow_up_with_members(
    world: World, comment: str, followup: str
) -> None:
    sendable(comment)
    if not world.run(_comment_and_followup(world, comment, followup), wait=90):
        reject()


async def _comment_and_followup(world: World, comment: str, followup: str) -> bool:
    """A member answers and comments; closing sends Casey the pack with the comment; Casey's
    "You said, we did" reaches the member."""
    emu, consultations = world.emu, world.bot.services.consultations
    log, member = len(emu.state.request_log), position(emu, MEMBERS[1])
    consultation = await _open(world, "What should we do?", ("This", "That"), "Thanks.", True)
    invitation, vote = await button_ending(emu, MEMBERS[1], member, f"cv:{consultation.id}:0")
    await emu.press_button(MEMBERS[1], invitation, vote)
    await button_ending(emu, MEMBERS[1], member, f"cc:{consultation.id}")  # "Tell us more"
    asked = position(emu, MEMBERS[1])
    await emu.press_button(MEMBERS[1], invitation, f"cc:{consultation.id}")
    await next_reply(emu, MEMBERS[1], asked)
    said = position(emu, MEMBERS[1])
    await emu.send_text(MEMBERS[1], comment)
    await next_reply(emu, MEMBERS[1], said)
    if in_crisis(emu, MEMBERS[1], said):
        await consultations.cancel(CASEY, consultation.id)
        return False
    casey = position(emu, CASEY)
    await consultations.close_now(CASEY, consultation.id)
    await arrives(emu, CASEY, casey, comment, wait=40)  # the comments part of the pack
    member = position(emu, MEMBERS[1])
    await consultations.follow_up(CASEY, consultation.id, followup)
    await arrives(emu, MEMBERS[1], member, followup, wait=30)
    assert refused(emu, log) == []
    return True
