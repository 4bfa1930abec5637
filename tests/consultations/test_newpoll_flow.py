"""/newpoll end to end: the real bot on the emulator. A coordinator sets up a question step
by step; bad input at each step gets a kind message and another go without losing anything;
the preview shows what was understood; Send stores it and members get the question with
its buttons, now or at the opening time. Cancel stores nothing, old or forged buttons get a
kind reply, and members cannot use /newpoll."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import Clock
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from handlers.shared.opening import days_after
from storage.roles import DECISION_MAKER
from tests.consultations.world import CASEY, DAYTIME, MIDLANDS, NW, seed, start_bot
from tests.e2e.harness import RunningBot

pytestmark = pytest.mark.timeout(90)

NEVER_JOINED = 700_000_001  # a decision-maker who never started the bot


async def wait_text(bot: RunningBot, user: int, wanted: str, timeout: float = 10) -> MessageRecord:  # noqa: ASYNC109
    """The next bot message (or edit) in the chat containing ``wanted``."""
    return await bot.emu.wait_for_message(
        user, lambda m: wanted in (m.text or "") + (m.caption or ""), timeout=timeout
    )


async def said(bot: RunningBot, user: int, text: str, wanted: str) -> MessageRecord:
    """Send text and wait for the bot's message containing ``wanted``."""
    await bot.emu.send_text(user, text)
    return await wait_text(bot, user, wanted)


async def pressed(bot: RunningBot, user: int, message: MessageRecord, label: str, wanted: str):
    """Press a button by its label and wait for the bot's message containing ``wanted``."""
    await bot.emu.press_button(user, message, text=label)
    return await wait_text(bot, user, wanted)


async def count_consultations(bot: RunningBot) -> int:
    """How many consultations are stored."""
    return await bot.services.db.fetch_value("SELECT COUNT(*) FROM consultations")


def question_in(bot: RunningBot, member_id: int, words: str) -> list[MessageRecord]:
    """Messages the bot sent to a member containing ``words``."""
    return [m for m in bot.emu.messages if m.chat_id == member_id and words in (m.text or "")]


async def test_a_coordinator_writes_own_answers_with_bad_input_at_each_step(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        await bot.services.roles.grant(CASEY, NW[0], DECISION_MAKER)
        await bot.services.roles.grant(CASEY, NEVER_JOINED, DECISION_MAKER)

        # 1. The question.
        await said(bot, CASEY, "/newpoll", "What would you like to ask?")
        await said(bot, CASEY, "x" * 301, "up to 300 letters")
        await said(bot, CASEY, " ", "up to 300 letters")
        answers = await said(bot, CASEY, "Should hub meetings move to <evenings>?", "ready set")

        # 2. Own answers: a repeat and a too-long one are refused; nothing is lost.
        await pressed(bot, CASEY, answers, "Write my own", "Send the first answer")
        first = await said(bot, CASEY, "Yes", "1 so far")
        assert "That's all" not in str(first.buttons)
        await said(bot, CASEY, " yes ", "different from the others")
        await said(bot, CASEY, "x" * 61, "up to 60 letters")
        two = await said(bot, CASEY, "No", "2 so far")
        assert "• Yes" in two.text and "• No" in two.text
        three = await said(bot, CASEY, "Only <sometimes>", "3 so far")
        multiple = await pressed(bot, CASEY, three, "That's all", "more than one?")

        # 3 and 4. Buttons, with typing answered kindly.
        await said(bot, CASEY, "one please", "use the buttons")
        multiple = await wait_text(bot, CASEY, "more than one?")
        comment = await pressed(bot, CASEY, multiple, "One answer", "tell us more?")

        # 5. A region.
        audience = await pressed(bot, CASEY, comment, "Yes, ask them", "Who should we ask?")
        regions = await pressed(bot, CASEY, audience, "One region", "Which region?")
        opens = await pressed(bot, CASEY, regions, "North West", "When should it open?")

        # 6 and 7. Opens now; closing times that cannot be used are explained.
        closes = await pressed(bot, CASEY, opens, "Now", "When should it close?")
        await said(bot, CASEY, "whenever", "could not read")
        await said(bot, CASEY, "1/12/2026 10:00", "has passed")
        await said(bot, CASEY, "today 14:35", "too soon")
        await said(bot, CASEY, "20/12/2027 10:00", "within 4 months")
        readers = await pressed(bot, CASEY, closes, "In 1 week", "Who else should get them?")

        # 8. Decision-makers: a first name, or the id of one who never joined.
        labels = [row[0] for row in readers.buttons]
        assert "Member1" in labels and f"Decision-maker {NEVER_JOINED}" in labels
        ticked = await pressed(bot, CASEY, readers, "Member1", "Who else should get them?")
        assert "✅ Member1" in [row[0] for row in ticked.buttons]
        visibility = await pressed(bot, CASEY, ticked, "Done", "When can members see")

        # 9 and 10. Visibility, then a note that is too long, then our own.
        note = await pressed(bot, CASEY, visibility, "As answers come in", "our suggestion")
        assert "decision-makers we chose" in note.text
        await said(bot, CASEY, "x" * 501, "up to 500 letters")
        await wait_text(bot, CASEY, "our suggestion")
        preview = await said(
            bot, CASEY, "The NW board & coordinators read this. No names.", "Please check"
        )

        # 11. The preview shows everything entered, as text, not HTML.
        text = preview.text
        assert "Should hub meetings move to <evenings>?" in text
        assert "• Yes" in text and "• No" in text and "• Only <sometimes>" in text
        assert "People pick one answer." in text
        assert "We ask if they want to tell us more." in text
        assert "For: members in North West. That is 7 people now." in text
        assert "Opens: As soon as you tap Send" in text
        assert "Closes: Thursday 17 December 2026 at 17:00" in text
        assert "Results go to: Coordinators, and Member1" in text
        assert "Members see results: As answers come in" in text
        assert "The NW board & coordinators read this. No names." in text

        send = dict(preview.buttons)["Send"]
        done = await pressed(bot, CASEY, preview, "Send", "The question is open")
        assert "It went to 7 people" in done.text
        assert "Thursday 17 December 2026 at 17:00" in done.text

        for member_id in NW:
            invite = await wait_text(bot, member_id, "evenings")
            assert [row[0] for row in invite.buttons] == ["Yes", "No", "Only <sometimes>"]
            assert "The NW board & coordinators read this." in invite.text
        assert not question_in(bot, MIDLANDS[0], "evenings")

        assert await count_consultations(bot) == 1
        consultation_id = await bot.services.db.fetch_value("SELECT id FROM consultations")
        stored = await bot.services.consultations.get(consultation_id)
        assert stored.state == "open" and stored.question.endswith("<evenings>?")
        assert stored.options == ("Yes", "No", "Only <sometimes>")
        assert not stored.multiple and stored.ask_comment
        assert stored.audience_label == "region:north_west"
        assert stored.show_results == "while_open"
        assert stored.closes_at == datetime(2026, 12, 17, 17, 0, tzinfo=UTC)
        readers_stored = await bot.services.db.fetch_value(
            "SELECT group_concat(telegram_id) FROM consultation_readers"
        )
        assert str(readers_stored) == str(NW[0])

        # A second tap on the old preview, once the draft is used up (a press delivered again),
        # is answered and makes nothing.
        query = await bot.emu.press_button(CASEY, preview, send, forge=True)
        await bot.emu.wait_for_answer(query)
        # Forged data of the wrong shape gets a kind reply too.
        await bot.emu.press_button(CASEY, preview, "np:zz", forge=True)
        await wait_text(bot, CASEY, "out of date")
        assert await count_consultations(bot) == 1


async def test_a_ready_set_with_several_answers_opens_at_its_time(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        await said(bot, CASEY, "/newpoll", "What would you like to ask?")
        answers = await said(bot, CASEY, "How were the evening sessions?", "ready set")
        multiple = await pressed(bot, CASEY, answers, "Agree scale", "more than one?")
        comment = await pressed(bot, CASEY, multiple, "More than one", "tell us more?")
        audience = await pressed(bot, CASEY, comment, "No", "Who should we ask?")
        opens = await pressed(bot, CASEY, audience, "The whole forum", "When should it open?")
        await pressed(bot, CASEY, opens, "At a set time", "When should it open? Send")
        await said(bot, CASEY, "99/99", "could not read")
        await said(bot, CASEY, "1/6/2027 09:00", "within the next 4 months")
        closes = await said(bot, CASEY, "tomorrow 9am", "When should it close?")
        await said(bot, CASEY, "tomorrow 9:05am", "too soon")  # only 5 minutes open
        await said(bot, CASEY, "today 16:00", "too soon")  # before it opens
        await bot.emu.press_button(CASEY, closes, text="In 3 days")
        await wait_text(bot, CASEY, "no decision-makers yet")
        visibility = await wait_text(bot, CASEY, "When can members see")
        note = await pressed(bot, CASEY, visibility, "After it closes", "our suggestion")
        assert "coordinators will read the results" in note.text
        assert "decision-makers" not in note.text
        preview = await pressed(bot, CASEY, note, "Use this", "Please check")

        text = preview.text
        for label in ("Strongly agree", "Neither agree nor disagree", "Strongly disagree"):
            assert f"• {label}" in text
        assert "People can pick more than one answer." in text
        assert "We do not ask for comments." in text
        assert "For: all members. That is 9 people now." in text
        assert "Opens: Friday 11 December 2026 at 09:00" in text
        assert "Closes: Monday 14 December 2026 at 17:00" in text
        assert "Results go to: Coordinators\n" in text
        assert "Members see results: After it closes" in text
        assert "reported without your name" in text

        done = await pressed(bot, CASEY, preview, "Send", "opens on")
        assert "Friday 11 December 2026 at 09:00" in done.text and "9 people" in done.text
        consultation_id = await bot.services.db.fetch_value("SELECT id FROM consultations")
        stored = await bot.services.consultations.get(consultation_id)
        assert stored.state == "scheduled" and stored.multiple and not stored.ask_comment
        assert len(stored.options) == 5 and stored.audience_label == "everyone"

        # Nothing is sent before the opening time.
        await bot.services.consultations.tick()
        await asyncio.sleep(0.5)
        assert not question_in(bot, NW[0], "evening sessions")

        clock.set(datetime(2026, 12, 11, 9, 1, tzinfo=UTC))
        await bot.services.consultations.tick()
        for member_id in [*NW, *MIDLANDS]:
            invite = await wait_text(bot, member_id, "evening sessions")
            labels = [row[0] for row in invite.buttons]
            assert labels[:5] == [
                "Strongly agree",
                "Agree",
                "Neither agree nor disagree",
                "Disagree",
                "Strongly disagree",
            ]
            assert labels[5] == "Done"
        stored = await bot.services.consultations.get(consultation_id)
        assert stored.state == "open"


async def test_cancel_start_again_and_the_most_answers(tmp_path: Path, emu: BotApiEmulator) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        # Ten answers is the most: the tenth moves on by itself, an eleventh cannot be added.
        await said(bot, CASEY, "/newpoll", "What would you like to ask?")
        answers = await said(bot, CASEY, "Which day suits you?", "ready set")
        await pressed(bot, CASEY, answers, "Write my own", "Send the first answer")
        for n in range(1, 10):
            await said(bot, CASEY, f"Choice {n}", f"{n} so far")
        await said(bot, CASEY, "Choice 10", "That is 10 answers")
        multiple = await wait_text(bot, CASEY, "more than one?")
        await said(bot, CASEY, "Choice 11", "use the buttons")
        await wait_text(bot, CASEY, "more than one?")

        # "Start again" from a later step starts afresh; older buttons are out of date.
        comment = await pressed(bot, CASEY, multiple, "One answer", "tell us more?")
        audience = await pressed(bot, CASEY, comment, "No", "Who should we ask?")
        hubs = await pressed(bot, CASEY, audience, "One hub", "Which hub?")
        opens = await pressed(bot, CASEY, hubs, hubs.buttons[0][0], "When should it open?")
        closes = await pressed(bot, CASEY, opens, "Now", "When should it close?")
        await bot.emu.press_button(CASEY, closes, text="In 2 weeks")
        await wait_text(bot, CASEY, "no decision-makers yet")
        visibility = await wait_text(bot, CASEY, "When can members see")
        note = await pressed(bot, CASEY, visibility, "Not shown to members", "our suggestion")
        preview = await pressed(bot, CASEY, note, "Use this", "Please check")
        assert "• Choice 10" in preview.text and "Choice 11" not in preview.text
        assert "members of the North West hub 1" in preview.text
        assert "Members see results: Not shown to members" in preview.text
        await pressed(bot, CASEY, preview, "Start again", "What would you like to ask?")
        await bot.emu.press_button(CASEY, preview, text="Send")
        await wait_text(bot, CASEY, "out of date")
        assert await count_consultations(bot) == 0

        # Cancel at a step stores nothing, and its buttons are then out of date.
        answers = await said(bot, CASEY, "A new question", "ready set")
        multiple = await pressed(bot, CASEY, answers, "Yes / No / Not sure", "more than one?")
        one = dict(multiple.buttons)["One answer"]
        await pressed(bot, CASEY, multiple, "Cancel", "nothing was sent")
        await bot.emu.press_button(CASEY, multiple, one, forge=True)
        await wait_text(bot, CASEY, "out of date")
        reply = await said(bot, CASEY, "hello", "")  # no step is waiting any more
        assert "Please use the buttons" not in reply.text and "out of date" not in reply.text
        assert await count_consultations(bot) == 0


async def test_a_member_cannot_make_a_question(tmp_path: Path, emu: BotApiEmulator) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        member = MIDLANDS[0]
        await said(bot, member, "/newpoll", "only for coordinators")
        # Nothing is waiting for their text, and nothing was stored.
        reply = await said(bot, member, "Should we meet more?", "")
        assert "ready set" not in reply.text and "only for coordinators" not in reply.text
        assert await count_consultations(bot) == 0
        refused = await bot.services.db.fetch_value(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'refused' AND actor_id = ?", (member,)
        )
        assert refused == 1
        # A forged draft button is refused the same way.
        await bot.emu.press_button(member, reply, "np:abcd1234:go", forge=True)
        await wait_text(bot, member, "only for coordinators")
        assert await count_consultations(bot) == 0


def test_quick_closing_times_are_5pm_local_time() -> None:
    london = ZoneInfo("Europe/London")
    # Winter: 17:00 in London is 17:00 UTC.
    assert days_after(DAYTIME, 3, london) == datetime(2026, 12, 13, 17, 0, tzinfo=UTC)
    # Across the clocks going forward (29 March 2026): 17:00 BST is 16:00 UTC.
    start = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)
    assert days_after(start, 7, london) == datetime(2026, 4, 3, 16, 0, tzinfo=UTC)
    # Late in the evening UTC is still the same local day in winter.
    late = datetime(2026, 12, 10, 23, 30, tzinfo=UTC)
    assert days_after(late, 3, london).date() == datetime(2026, 12, 13).date()
    assert days_after(late, 3, london) - late < timedelta(days=3)


async def test_a_question_opened_at_night_says_when_it_reaches_people(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    night = DAYTIME.replace(hour=23, minute=30)  # 23:30 in London, in December
    async with start_bot(
        tmp_path, emu, Clock(night), quiet_hours_start=21, quiet_hours_end=8
    ) as bot:
        await seed(bot)
        await said(bot, CASEY, "/newpoll", "What would you like to ask?")
        answers = await said(bot, CASEY, "Which day suits you?", "ready set")
        multiple = await pressed(bot, CASEY, answers, "Yes / No / Not sure", "more than one?")
        comment = await pressed(bot, CASEY, multiple, "One answer", "tell us more?")
        audience = await pressed(bot, CASEY, comment, "No", "Who should we ask?")
        opens = await pressed(bot, CASEY, audience, "The whole forum", "When should it open?")
        closes = await pressed(bot, CASEY, opens, "Now", "When should it close?")
        await bot.emu.press_button(CASEY, closes, text="In 2 weeks")
        visibility = await wait_text(bot, CASEY, "When can members see")
        note = await pressed(bot, CASEY, visibility, "Not shown to members", "our suggestion")
        preview = await pressed(bot, CASEY, note, "Use this", "Please check")

        done = await pressed(bot, CASEY, preview, "Send", "The question is open")

        assert "It is night time, so it will reach 9 people at" in done.text
        assert "08:00" in done.text and "It went to" not in done.text
