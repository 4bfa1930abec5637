"""/broadcast and /broadcasts end to end: the real bot, the emulator, and bad input at each step."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.e2e.harness import RunningBot, running_bot

pytestmark = pytest.mark.timeout(90)

CASEY = 900_000_001  # the coordinator named in settings
NW = [600_000_001, 600_000_002, 600_000_003, 600_000_004]
PAUSED, NO_NEWS, BLOCKED = 600_000_005, 600_000_006, 600_000_007
MIDLANDS = [600_000_011, 600_000_012]
SAM = 600_000_099  # a member who is not a coordinator
# Thursday 10 December 2026, 14:30 in London.
DAYTIME = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)
NIGHT = datetime(2026, 12, 10, 22, 0, tzinfo=UTC)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """An emulator with Telegram's limits (a coordinator's chat gets short bursts)."""
    async with BotApiEmulator() as emulator:
        emulator.set_limits(per_chat_burst=6)
        yield emulator


async def start_bot(tmp_path: Path, emu: BotApiEmulator, moment: datetime, **settings: object):
    """The running bot with Casey as coordinator, on a clock fixed at ``moment``."""
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    return running_bot(
        tmp_path,
        emu,
        clock=Clock(moment),
        coordinator_ids=[CASEY],
        delivery_progress_seconds=1,
        **settings,
    )


async def seed_members(bot: RunningBot) -> None:
    """Members in North West (four who want news, one paused, one without news, one gone),
    two in Midlands, and Sam."""
    services = bot.services
    places = [(m, "north_west") for m in [*NW, PAUSED, NO_NEWS, BLOCKED]]
    places += [(m, "midlands") for m in MIDLANDS] + [(SAM, "midlands")]
    for member_id, region in places:
        bot.emu.add_user(member_id, f"Member{member_id % 100}")
        bot.emu.chat(member_id).started = True
        await services.members.join(member_id, f"Member{member_id % 100}")
        await services.members.choose_region(member_id, region)
        await services.members.finish_setup(member_id)
    await services.members.pause(PAUSED, 2)
    await services.members.toggle_preference(NO_NEWS, "news")
    await services.members.mark_reachable(BLOCKED, False)


def labels(message: MessageRecord) -> list[str]:
    """The button labels on a message."""
    return [label for label, _ in message.buttons]


async def said(bot: RunningBot, user: int, text: str, wanted: str) -> MessageRecord:
    """Send text and wait for the bot's message containing ``wanted``."""
    await bot.emu.send_text(user, text)
    return await wait_text(bot, user, wanted)


async def pressed(bot: RunningBot, user: int, message: MessageRecord, label: str, wanted: str):
    """Press a button and wait for the bot's message containing ``wanted``."""
    query = await bot.emu.press_button(user, message, text=label)
    reply = await wait_text(bot, user, wanted)
    await bot.emu.wait_for_answer(query)
    return reply


async def wait_text(bot: RunningBot, user: int, wanted: str, timeout: float = 10) -> MessageRecord:  # noqa: ASYNC109
    """The next bot message (or edit) in the chat containing ``wanted``."""
    return await bot.emu.wait_for_message(
        user, lambda m: wanted in (m.text or "") + (m.caption or ""), timeout=timeout
    )


def copies(bot: RunningBot, user: int, text: str) -> int:
    """How many bot messages in the chat contain ``text``."""
    return sum(
        1 for m in bot.emu.chat(user).bot_messages if text in (m.text or "") + (m.caption or "")
    )


async def test_a_coordinator_broadcasts_to_a_region_with_bad_input_at_every_step(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    async with await start_bot(tmp_path, emu, DAYTIME) as bot:
        await seed_members(bot)

        ask = await said(bot, CASEY, "/broadcast", "Who should get it?")
        assert labels(ask) == ["Everyone", "One region", "One hub", "Cancel"]
        again = await said(bot, CASEY, "the north west please", "Please pick who gets it")
        ask = await wait_text(bot, CASEY, "Who should get it?")
        assert "buttons" in again.text

        regions = await pressed(bot, CASEY, ask, "One region", "Which region?")
        write = await pressed(bot, CASEY, regions, "North West", "write your message")
        assert "members in North West who want forum news" in write.text
        assert "Right now that is 4 people" in write.text  # not paused, news on, reachable

        too_long = await said(bot, CASEY, "<b>" * 1400, "a bit too long")  # 4,200 shown
        assert "shorter" in too_long.text

        text = "Hello from the forum & friends <3. The <i>hub</i> meets on Friday."
        summary = await said(bot, CASEY, text, "Above is how members will see it")
        preview = bot.emu.chat(CASEY).bot_messages[-2]
        assert preview.text == text  # shown exactly, nothing read as HTML
        assert "It goes to members in North West: 4 people." in summary.text
        assert "It will start as soon as you press Send." in summary.text
        assert "Urgent: no" in summary.text
        assert "✅ Send now" in labels(summary)

        ask_time = await pressed(bot, CASEY, summary, "🕒 Send it later", "When should it go out?")
        await said(bot, CASEY, "whenever suits", "could not read that time")
        await said(bot, CASEY, "today 10:00", "That time has passed")
        await said(bot, CASEY, "1 march 2027 12:00", "in the next 60 days")
        summary = await said(bot, CASEY, "tomorrow 9:30", "Above is how members will see it")
        assert "It will start at 11 Dec 2026, 09:30." in summary.text
        assert "Send at 11 Dec 2026, 09:30" in labels(summary)
        assert ask_time.message_id != summary.message_id

        done = await pressed(bot, CASEY, summary, "Send now", "is on its way to 4 people")
        assert "Message 1" in done.text
        report = await wait_text(bot, CASEY, "Message 1 is done.", timeout=15)

        for member_id in NW:
            assert copies(bot, member_id, "Hello from the forum") == 1
            [received] = bot.emu.chat(member_id).bot_messages
            assert received.text == preview.text and received.entities == preview.entities
        for member_id in (PAUSED, NO_NEWS, BLOCKED, *MIDLANDS, SAM):
            assert copies(bot, member_id, "Hello from the forum") == 0
        assert "Got it: 4" in report.text
        assert "Have blocked the bot: 0" in report.text
        assert "Not sure if they got it: 0" in report.text
        assert "How long it took:" in report.text

        audit = await bot.services.db.fetch_all(
            "SELECT actor_id, action, detail FROM audit_log WHERE action LIKE '%broadcast%' "
            "OR action = 'delivery.finished' ORDER BY id"
        )
        assert [(row["actor_id"], row["action"]) for row in audit] == [
            (CASEY, "broadcast.created"),
            (None, "delivery.finished"),
        ]
        assert "region:north_west, 4 people" in audit[0]["detail"]


async def test_a_file_goes_with_the_message_and_can_be_taken_off(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    async with await start_bot(tmp_path, emu, DAYTIME) as bot:
        await seed_members(bot)
        ask = await said(bot, CASEY, "/broadcast", "Who should get it?")
        await bot.emu.send_document(CASEY, "early.pdf", b"%PDF-1.4 too soon", "application/pdf")
        await wait_text(bot, CASEY, "when you write the message")
        ask = await wait_text(bot, CASEY, "Who should get it?")
        write = await pressed(bot, CASEY, ask, "Everyone", "write your message")
        assert "all members who want forum news" in write.text
        assert "7 people" in write.text  # North West, Midlands and Sam

        await bot.emu.send_document(
            CASEY, "agenda.pdf", b"%PDF-1.4 agenda", "application/pdf", caption="Hello: agenda"
        )
        summary = await wait_text(bot, CASEY, "Above is how members will see it")
        preview = bot.emu.chat(CASEY).bot_messages[-2]
        assert preview.document is not None and preview.caption == "Hello: agenda"
        assert "Take off the photo or file" in labels(summary)

        words = await said(bot, CASEY, "Hello: the agenda for Friday", "Above is how members")
        assert "Take off the photo or file" in labels(words)  # new words keep the file
        await pressed(bot, CASEY, words, "✅ Send now", "is on its way to 7 people")
        await wait_text(bot, CASEY, "is done.", timeout=15)
        for member_id in NW + MIDLANDS:
            [received] = bot.emu.chat(member_id).bot_messages
            assert received.document is not None
            assert received.caption == "Hello: the agenda for Friday"


async def test_at_night_only_an_urgent_broadcast_goes_out(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    async with await start_bot(tmp_path, emu, NIGHT) as bot:
        await seed_members(bot)
        ask = await said(bot, CASEY, "/broadcast", "Who should get it?")
        await pressed(bot, CASEY, ask, "Everyone", "write your message")
        summary = await said(bot, CASEY, "Hello: tonight's meeting is off", "Above is how")
        assert "It is night time then, so it will wait until 11 Dec 2026, 08:00." in summary.text

        urgent = await pressed(bot, CASEY, summary, "Make it urgent", "Urgent: yes")
        assert "It will start as soon as you press Send." in urgent.text
        assert "Make it not urgent" in labels(urgent)
        await pressed(bot, CASEY, urgent, "✅ Send now", "is on its way")
        await wait_text(bot, CASEY, "is done.", timeout=15)
        assert all(copies(bot, m, "meeting is off") == 1 for m in NW + MIDLANDS)

        # The same without urgency waits for the morning.
        ask = await said(bot, CASEY, "/broadcast", "Who should get it?")
        await pressed(bot, CASEY, ask, "Everyone", "write your message")
        summary = await said(bot, CASEY, "Hello: see you soon", "Above is how")
        assert "✅ Send now" not in labels(summary)  # at night the button says when
        queued = await pressed(bot, CASEY, summary, "Send at 08:00 tomorrow", "Done.")
        assert "at 11 Dec 2026, 08:00" in queued.text
        await asyncio.sleep(1.5)
        assert all(copies(bot, m, "see you soon") == 0 for m in NW + MIDLANDS)

        bot.clock.set(datetime(2026, 12, 11, 8, 0, tzinfo=UTC))
        bot.services.delivery.wake()
        await wait_text(bot, CASEY, "Message 2 is done.", timeout=15)
        assert all(copies(bot, m, "see you soon") == 1 for m in NW + MIDLANDS)


async def test_broadcasts_lists_them_and_a_waiting_one_can_be_stopped(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    async with await start_bot(tmp_path, emu, DAYTIME) as bot:
        await seed_members(bot)
        empty = await said(bot, CASEY, "/broadcasts", "No messages have been sent")
        assert "/broadcast" in empty.text

        ask = await said(bot, CASEY, "/broadcast", "Who should get it?")
        hubs = await pressed(bot, CASEY, ask, "One hub", "Which hub?")
        assert any("(North West)" in label for label in labels(hubs))
        regions_back = await pressed(bot, CASEY, hubs, "Go back", "Who should get it?")
        await pressed(bot, CASEY, regions_back, "Everyone", "write your message")
        summary = await said(bot, CASEY, "Hello: the plan for next week", "Above is how")
        await pressed(bot, CASEY, summary, "🕒 Send it later", "When should it go out?")
        summary = await said(bot, CASEY, "friday 10:00", "Above is how")
        await pressed(bot, CASEY, summary, "Send at 11 Dec 2026, 10:00", "will go to 7 people")

        listing = await said(bot, CASEY, "/broadcasts", "Your last messages")
        assert "Message 1" in listing.text and "To all members." in listing.text
        assert "Waiting. It will start at 11 Dec 2026, 10:00." in listing.text
        confirm = await pressed(bot, CASEY, listing, "Stop message 1", "Stop message 1?")
        kept = await pressed(bot, CASEY, confirm, "No, keep it going", "will keep going")
        assert "Message 1" in kept.text
        confirm = await pressed(bot, CASEY, listing, "Stop message 1", "Stop message 1?")
        stopped = await pressed(bot, CASEY, confirm, "Yes, stop it", "Stopped.")
        assert "7 people" in stopped.text
        report = await wait_text(bot, CASEY, "Message 1 was stopped.", timeout=15)
        assert "Not sent, as it was stopped: 7" in report.text
        assert "How long it took" not in report.text  # it never started

        bot.clock.set(DAYTIME + timedelta(days=1))
        bot.services.delivery.wake()
        await asyncio.sleep(1)
        assert all(copies(bot, m, "the plan") == 0 for m in NW + MIDLANDS)
        listing = await said(bot, CASEY, "/broadcasts", "Your last messages")
        assert "Stopped: 0 of 7 got it." in listing.text
        assert not listing.buttons
        cancelled = await bot.services.db.fetch_all(
            "SELECT * FROM audit_log WHERE action = 'broadcast.cancelled'"
        )
        assert len(cancelled) == 1 and cancelled[0]["actor_id"] == CASEY


async def test_a_member_and_forged_buttons_change_nothing(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    async with await start_bot(tmp_path, emu, DAYTIME) as bot:
        await seed_members(bot)
        await said(bot, SAM, "/broadcast", "only for coordinators")
        await said(bot, SAM, "/broadcasts", "only for coordinators")
        anchor = bot.emu.chat(SAM).bot_messages[-1]
        for forged in ("bc:abcd1234:now", "bc:abcd1234:r:north_west", "bcl:yes:1", "bcl:stop:1"):
            await bot.emu.press_button(SAM, anchor, forged, forge=True)
            await wait_text(bot, SAM, "only for coordinators")

        # The coordinator's own forged or stale presses are refused kindly too.
        casey_anchor = await said(bot, CASEY, "/broadcasts", "No messages have been sent")
        for forged, answer in (
            ("bc:deadbeef:now", "out of date"),
            ("bcl:yes:999", "out of date"),
            ("bc:x", "out of date"),
            ("bcl:yes:abc", "out of date"),
        ):
            await bot.emu.press_button(CASEY, casey_anchor, forged, forge=True)
            await wait_text(bot, CASEY, answer)

        assert await bot.services.db.fetch_value("SELECT COUNT(*) FROM broadcasts") == 0
        refused = await bot.services.db.fetch_all(
            "SELECT * FROM audit_log WHERE action = 'refused' AND actor_id = ?", (SAM,)
        )
        assert len(refused) == 6


async def test_crisis_words_are_answered_mid_conversation_and_the_draft_is_kept(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    async with await start_bot(tmp_path, emu, DAYTIME) as bot:
        await seed_members(bot)
        ask = await said(bot, CASEY, "/broadcast", "Who should get it?")
        await pressed(bot, CASEY, ask, "Everyone", "write your message")

        text = "Hello. Some days I want to kill myself, and the forum helps."
        crisis = await said(bot, CASEY, text, "You do not have to face this alone")
        summary = await pressed(bot, CASEY, crisis, "Carry on", "Above is how members")
        assert bot.emu.chat(CASEY).bot_messages[-2].text == text  # the words were kept

        await said(bot, CASEY, "/cancel", "Nothing was sent")
        stale = await bot.emu.press_button(CASEY, summary, text="✅ Send now")
        await wait_text(bot, CASEY, "out of date")
        await bot.emu.wait_for_answer(stale)
        await said(bot, CASEY, "/cancel", "nothing to stop")
        assert await bot.services.db.fetch_value("SELECT COUNT(*) FROM broadcasts") == 0


async def test_an_old_draft_can_be_carried_on_or_dropped(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    async with await start_bot(tmp_path, emu, DAYTIME) as bot:
        await seed_members(bot)
        ask = await said(bot, CASEY, "/broadcast", "Who should get it?")
        await pressed(bot, CASEY, ask, "Everyone", "write your message")
        await said(bot, CASEY, "Hello: first words", "Above is how")
        await said(bot, CASEY, "/menu", "Here is what I can do")

        offer = await said(bot, CASEY, "/broadcast", "did not send yet")
        summary = await pressed(bot, CASEY, offer, "Go on with it", "Above is how")
        assert bot.emu.chat(CASEY).bot_messages[-2].text == "Hello: first words"

        offer = await said(bot, CASEY, "/broadcast", "did not send yet")
        await pressed(bot, CASEY, offer, "Start again", "Who should get it?")
        await bot.emu.press_button(CASEY, summary, text="✅ Send now")  # the old draft's button
        await wait_text(bot, CASEY, "out of date")
        assert await bot.services.db.fetch_value("SELECT COUNT(*) FROM broadcasts") == 0


async def test_the_coordinator_sees_progress_then_the_report(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    async with await start_bot(tmp_path, emu, DAYTIME, delivery_rate_per_second=2) as bot:
        await seed_members(bot)
        bot.emu.block_user(NW[0])
        ask = await said(bot, CASEY, "/broadcast", "Who should get it?")
        await pressed(bot, CASEY, ask, "Everyone", "write your message")
        summary = await said(bot, CASEY, "Hello: a slow one", "Above is how")
        await pressed(bot, CASEY, summary, "✅ Send now", "is on its way to 7 people")

        report = await wait_text(bot, CASEY, "Message 1 is done.", timeout=15)
        assert "Got it: 6" in report.text and "Have blocked the bot: 1" in report.text
        [progress] = [
            m for m in bot.emu.chat(CASEY).bot_messages if "Message 1: all 7 done." in m.text
        ]
        earlier = [version.text for version in progress.history]
        assert any(text.startswith("Sending message 1:") for text in earlier), earlier
        member = await bot.services.members.get(NW[0])
        assert not member.reachable

        # Coming back with /start makes them reachable again.
        await bot.emu.send_text(NW[0], "/start")
        await wait_text(bot, NW[0], "Welcome back")
        assert (await bot.services.members.get(NW[0])).reachable


async def test_a_coordinator_who_blocks_the_bot_does_not_hold_anything_up(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    async with await start_bot(tmp_path, emu, DAYTIME, delivery_rate_per_second=4) as bot:
        await seed_members(bot)
        ask = await said(bot, CASEY, "/broadcast", "Who should get it?")
        await pressed(bot, CASEY, ask, "Everyone", "write your message")
        summary = await said(bot, CASEY, "Hello: going out anyway", "Above is how")
        await pressed(bot, CASEY, summary, "✅ Send now", "is on its way to 7 people")
        bot.emu.block_user(CASEY)

        async def reported() -> bool:
            row = await bot.services.db.fetch_one("SELECT reported FROM broadcasts")
            return bool(row["reported"])

        deadline = asyncio.get_running_loop().time() + 15
        while not await reported():
            assert asyncio.get_running_loop().time() < deadline, "the report was never settled"
            await asyncio.sleep(0.1)
        assert all(copies(bot, m, "going out anyway") == 1 for m in [*NW, *MIDLANDS, SAM])
        refused = bot.emu.requests(chat_id=CASEY, status=403)
        assert 1 <= len(refused) <= 5  # a few tries, then it stops trying
