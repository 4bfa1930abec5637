"""The warm hand-off, whole bot against the Bot API emulator: a crisis message, "Ask a
coordinator to contact me", every coordinator told at once, the first to press "I'll take
this" takes it, the others see who did, one reminder if nobody does; and presses delivered
twice count once."""

from __future__ import annotations

import os
import signal
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import build_services
from bot.clock import Clock
from bot.contact_jobs import JOB_NAME
from bot.services.contact import KIND_REMINDER, KIND_URGENT
from emulator.emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.conftest import make_settings
from tests.contact.conftest import ALEX, CASEY, REMINDER_HOURS, open_chats
from tests.e2e.harness import RunningBot, running_bot
from tests.queue_faults import killed_child

JO = 700_000_501
ROBIN = 700_000_502
SAM = 700_000_503
CRISIS = "I want to kill myself"
ASK = "Ask a coordinator to contact me"
TAKE = "I'll take this"
COORDINATORS = (CASEY, ALEX)
BIG = 5000
FIRST_RECIPIENT = 610_000_001


def labels(message: MessageRecord) -> list[str]:
    """The button labels on a message."""
    return [label for label, _ in message.buttons]


def is_notice(message: MessageRecord) -> bool:
    """The urgent notice a coordinator gets."""
    return "Urgent: request" in (message.text or "")


def is_reminder(message: MessageRecord) -> bool:
    """The one reminder."""
    return "Still waiting: request" in (message.text or "")


def copies(emu: BotApiEmulator, chat_id: int, text: str) -> int:
    """Messages from the bot in a chat that contain ``text`` (as they read now)."""
    chat = emu.state.chats.get(chat_id)
    if chat is None:
        return 0
    return sum(1 for m in chat.messages if m.from_bot and text in (m.text or ""))


async def crisis_ask(bot: RunningBot, user_id: int, name: str) -> tuple[MessageRecord, str]:
    """A person writes crisis words and presses "Ask a coordinator to contact me"; return the
    crisis reply and what they were told."""
    bot.emu.add_user(user_id, name)
    crisis = await bot.say(user_id, CRISIS)
    assert "116 123" in crisis.text
    assert ASK in labels(crisis) and "Carry on" in labels(crisis)
    told = await bot.press(user_id, crisis, ASK)
    return crisis, told.text


async def notices(bot: RunningBot, wait: float = 10) -> dict[int, MessageRecord]:
    """Each coordinator's urgent notice."""
    return {c: await bot.emu.wait_for_message(c, is_notice, timeout=wait) for c in COORDINATORS}


async def the_request(bot: RunningBot) -> dict:
    """The one contact request stored."""
    [row] = await bot.services.db.fetch_all("SELECT * FROM contact_requests")
    return dict(row)


async def sweep(bot: RunningBot) -> None:
    """Run the reminder job now (as its timer would)."""
    [job] = bot.app.job_queue.get_jobs_by_name(JOB_NAME)
    await job.run(bot.app)


async def audit(bot: RunningBot, action: str) -> list[dict]:
    """Audit entries of one action."""
    rows = await bot.services.db.fetch_all(
        "SELECT * FROM audit_log WHERE action = ? ORDER BY id", (action,)
    )
    return [dict(row) for row in rows]


async def test_a_crisis_ask_reaches_every_coordinator_and_the_first_to_press_takes_it(
    bot: RunningBot,
) -> None:
    _, told = await crisis_ask(bot, JO, "Jo")

    # The person: urgent, not an emergency service, where help is now; never a time.
    assert "urgent" in told and "not an emergency service" in told
    assert "999" in told and "116 123" in told and "Samaritans" in told
    assert "working days" not in told
    told_to = await notices(bot)
    for notice in told_to.values():
        assert labels(notice) == [TAKE]
        assert "Jo asked for help" in notice.text and "I want to" not in notice.text
    request = await the_request(bot)
    assert request["urgent"] == 1

    mine = await bot.press(ALEX, told_to[ALEX], TAKE)

    assert "is yours now" in mine.text and "Jo" in mine.text
    assert f"tg://user?id={JO}" in mine.html and str(JO) in mine.text
    assert labels(mine) == ["Mark as done"]
    casey_copy = await bot.emu.wait_for_message(
        CASEY, lambda m: "Alex is taking this" in (m.text or ""), kinds=("edited",)
    )
    assert casey_copy.message_id == told_to[CASEY].message_id and labels(casey_copy) == []
    alex_copy = await bot.emu.wait_for_message(
        ALEX, lambda m: "You are taking this" in (m.text or ""), kinds=("edited",)
    )
    assert alex_copy.message_id == told_to[ALEX].message_id and labels(alex_copy) == []
    taken = await the_request(bot)
    assert (taken["claimed_by"], taken["claimed_name"]) == (ALEX, "Alex")

    # A second press (Casey's old button, replayed) and Alex's replayed press change nothing.
    data = f"take:{taken['id']}"
    await bot.emu.press_button(CASEY, told_to[CASEY], data, forge=True)
    late = await bot.next(CASEY)
    assert "Alex is already taking request" in late.text
    await bot.emu.press_button(ALEX, told_to[ALEX], data, forge=True)
    again = await bot.next(ALEX)
    assert "already yours" in again.text
    assert await the_request(bot) == taken
    assert len(await audit(bot, "contact.claimed")) == 1

    # Once taken, no reminder.
    bot.clock.advance(timedelta(hours=REMINDER_HOURS, minutes=1))
    await sweep(bot)
    assert (await the_request(bot))["reminded_at"] is None
    assert not await bot.services.db.fetch_all(
        "SELECT id FROM broadcasts WHERE kind = ?", (KIND_REMINDER,)
    )

    # "Mark as done" still works for a taken request.
    done = await bot.press(ALEX, mine, "Mark as done")
    assert "marked as done" in done.text
    assert (await the_request(bot))["handled_by"] == ALEX


async def test_nobody_takes_it_so_coordinators_are_reminded_once_even_across_a_restart(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    open_chats(emu, (CASEY, "Casey"), (ALEX, "Alex"))
    clock = Clock()
    settings = {"coordinator_ids": [CASEY, ALEX], "quiet_hours_start": 0, "quiet_hours_end": 0}
    async with running_bot(tmp_path, emu, clock=clock, **settings) as bot:
        await crisis_ask(bot, JO, "Jo")
        await notices(bot)

        clock.advance(timedelta(hours=REMINDER_HOURS) - timedelta(minutes=1))
        await sweep(bot)
        assert (await the_request(bot))["reminded_at"] is None
        clock.advance(timedelta(minutes=1))
        await sweep(bot)
        reminders = {
            c: await emu.wait_for_message(c, is_reminder, timeout=10) for c in COORDINATORS
        }
        for reminder in reminders.values():
            assert labels(reminder) == [TAKE] and "Jo asked for help" in reminder.text
        await sweep(bot)

    async with running_bot(tmp_path, emu, clock=clock, **settings) as bot:  # a restart
        await sweep(bot)
        clock.advance(timedelta(days=1))
        await sweep(bot)
        rows = await bot.services.db.fetch_all(
            "SELECT id FROM broadcasts WHERE kind = ?", (KIND_REMINDER,)
        )
        assert len(rows) == 1

        # Taken from the reminder: both of Alex's messages now say Casey has it.
        mine = await bot.press(CASEY, reminders[CASEY], TAKE)
        assert "is yours now" in mine.text
        for _ in range(2):
            edited = await emu.wait_for_message(
                ALEX, lambda m: "Casey is taking this" in (m.text or ""), kinds=("edited",)
            )
            assert labels(edited) == []
    for coordinator in COORDINATORS:
        assert copies(emu, coordinator, "Still waiting: request") == 1


async def test_a_copy_that_cannot_be_changed_gets_a_short_line_instead(bot: RunningBot) -> None:
    await crisis_ask(bot, JO, "Jo")
    told_to = await notices(bot)
    told_to[CASEY].deleted = True  # Casey deleted it: Telegram cannot edit it any more

    await bot.press(ALEX, told_to[ALEX], TAKE)

    line = await bot.emu.wait_for_message(CASEY, lambda m: "is taken" in (m.text or ""))
    assert "Alex is getting in touch" in line.text and "Jo" in line.text
    assert labels(line) == []


async def test_send_without_a_note_pressed_twice_at_once_or_again_later_sends_one_request(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    open_chats(emu, (CASEY, "Casey"), (ALEX, "Alex"))
    clock = Clock()
    settings = {"coordinator_ids": [CASEY, ALEX], "quiet_hours_start": 0, "quiet_hours_end": 0}
    async with running_bot(tmp_path, emu, clock=clock, **settings) as bot:
        emu.add_user(ROBIN, "Robin")
        await bot.say(ROBIN, "/start")
        privacy = await bot.next(ROBIN)
        menu = await bot.press(ROBIN, privacy, "Not now")
        ask = await bot.press(ROBIN, menu, "Contact a coordinator")

        # A double tap: the same press arrives twice before the first is answered.
        first = await emu.press_button(ROBIN, ask, text="Send without a note")
        second = await emu.press_button(ROBIN, ask, text="Send without a note")
        replies = [await bot.next(ROBIN), await bot.next(ROBIN)]
        await emu.wait_for_answer(first)
        await emu.wait_for_answer(second)
        # One is told as today (a normal request keeps its wording), the other it is sent.
        assert len([r for r in replies if "within 2 working days" in r.text]) == 1
        [repeat] = [r.text for r in replies if "You have already sent this" in r.text]
        assert "within 2 working days" not in repeat

        again = await bot.press(ROBIN, ask, "Send without a note")
        assert "You have already sent this" in again.text
        clock.advance(timedelta(hours=3))  # long after: the button's own key still counts

    async with running_bot(tmp_path, emu, clock=clock, **settings) as bot:  # a restart
        replayed = await bot.press(ROBIN, ask, "Send without a note")
        assert "You have already sent this" in replayed.text
        assert len(await bot.services.db.fetch_all("SELECT id FROM contact_requests")) == 1
    for coordinator in COORDINATORS:
        assert copies(emu, coordinator, "Please get in touch: request") == 1


async def test_ask_pressed_twice_on_a_crisis_reply_is_one_urgent_request(
    bot: RunningBot,
) -> None:
    bot.emu.add_user(JO, "Jo")
    crisis = await bot.say(JO, CRISIS)

    presses = [await bot.emu.press_button(JO, crisis, text=ASK) for _ in range(2)]
    replies = [(await bot.next(JO)).text, (await bot.next(JO)).text]
    for query in presses:
        await bot.emu.wait_for_answer(query)

    assert len([r for r in replies if "I have told all the coordinators" in r]) == 1
    assert len([r for r in replies if "You have already asked" in r]) == 1
    assert all("116 123" in reply and "999" in reply for reply in replies)
    await notices(bot)
    assert len(await bot.services.db.fetch_all("SELECT id FROM contact_requests")) == 1
    rows = await bot.services.db.fetch_all(
        "SELECT id FROM broadcasts WHERE kind = ?", (KIND_URGENT,)
    )
    assert len(rows) == 1  # the only way a notice is sent: each coordinator gets one

    # /mydata shows it.
    mydata = await bot.say(JO, "/mydata")
    assert "Notes you sent to coordinators: 1" in mydata.text


async def test_someone_who_is_not_a_coordinator_cannot_take_it(bot: RunningBot) -> None:
    await crisis_ask(bot, JO, "Jo")
    told_to = await notices(bot)
    request = await the_request(bot)
    bot.emu.add_user(SAM, "Sam")
    in_their_chat = {SAM: await bot.say(SAM, "/start"), JO: await bot.say(JO, "/menu")}

    for person, message in in_their_chat.items():
        await bot.emu.press_button(person, message, f"take:{request['id']}", forge=True)
        await bot.emu.wait_for_message(person, lambda m: "only for coordinators" in (m.text or ""))

    assert await the_request(bot) == request
    assert [r["actor_id"] for r in await audit(bot, "refused")] == [SAM, JO]
    assert await audit(bot, "contact.claimed") == []
    for notice in told_to.values():
        assert labels(notice) == [TAKE]  # nobody's copy changed


async def ordinary_ask(bot: RunningBot, user_id: int, name: str) -> dict[int, MessageRecord]:
    """Someone who never joined asks from the menu without a note; each coordinator's copy."""
    bot.emu.add_user(user_id, name)
    await bot.say(user_id, "/start")
    privacy = await bot.next(user_id)
    menu = await bot.press(user_id, privacy, "Not now")
    ask = await bot.press(user_id, menu, "Contact a coordinator")
    await bot.press(user_id, ask, "Send without a note")
    return {
        c: await bot.emu.wait_for_message(c, lambda m: "Please get in touch" in (m.text or ""))
        for c in COORDINATORS
    }


async def test_two_coordinators_marking_done_at_once_are_told_apart(bot: RunningBot) -> None:
    copies_of = await ordinary_ask(bot, ROBIN, "Robin")
    since = {c: len(bot.emu.chat(c).messages) for c in COORDINATORS}

    presses = [
        await bot.emu.press_button(c, copies_of[c], text="Mark as done") for c in COORDINATORS
    ]
    replies = {c: (await bot.next(c)).text for c in COORDINATORS}
    for query in presses:
        await bot.emu.wait_for_answer(query)

    marked = [c for c, text in replies.items() if text.startswith("Thanks.")]
    told_done = [c for c, text in replies.items() if "is already marked as done" in text]
    assert len(marked) == 1 and len(told_done) == 1, replies
    assert "Request 1 from Robin is marked as done" in replies[marked[0]]
    assert (await the_request(bot))["handled_by"] == marked[0]
    assert [r["actor_id"] for r in await audit(bot, "contact.handled")] == marked
    for coordinator, copy in copies_of.items():  # each button is done with
        await bot.emu.wait_for_message(
            coordinator, lambda m, copy=copy: m.message_id == copy.message_id, kinds=("edited",)
        )
        assert labels(copy) == []
        said = [m for m in bot.emu.chat(coordinator).messages[since[coordinator] :] if m.from_bot]
        assert len(said) == 1  # one reply each, nothing went wrong


async def test_marking_done_pressed_by_someone_else_is_refused_as_what_they_tried(
    bot: RunningBot,
) -> None:
    copies_of = await ordinary_ask(bot, ROBIN, "Robin")
    request = await the_request(bot)
    bot.emu.add_user(SAM, "Sam")
    menu = await bot.say(SAM, "/start")

    await bot.emu.press_button(SAM, menu, f"handled:{request['id']}", forge=True)
    await bot.emu.wait_for_message(SAM, lambda m: "only for coordinators" in (m.text or ""))

    assert await the_request(bot) == request
    assert [(r["actor_id"], r["detail"]) for r in await audit(bot, "refused")] == [
        (SAM, "mark contact handled")
    ]
    for copy in copies_of.values():
        assert labels(copy) == ["Mark as done"]


async def test_people_telegram_gave_no_name_read_as_the_catalogue_words(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    open_chats(emu, (CASEY, "Casey"), (ALEX, " "))
    settings = {"coordinator_ids": [CASEY, ALEX], "quiet_hours_start": 0, "quiet_hours_end": 0}
    async with running_bot(tmp_path, emu, clock=Clock(), **settings) as bot:
        await crisis_ask(bot, JO, " ")
        told_to = await notices(bot)
        assert all("Someone asked for help" in n.text for n in told_to.values())

        mine = await bot.press(ALEX, told_to[ALEX], TAKE)

        assert "Please get in touch with Someone soon" in mine.text
        casey_copy = await emu.wait_for_message(
            CASEY, lambda m: "is taking this" in (m.text or ""), kinds=("edited",)
        )
        assert "Another coordinator is taking this." in casey_copy.text
        taken = await the_request(bot)
        assert (taken["claimed_by"], taken["claimed_name"], taken["first_name"]) == (
            ALEX,
            None,
            "",
        )
        late = await bot.emu.press_button(CASEY, told_to[CASEY], f"take:{taken['id']}", forge=True)
        assert "Another coordinator is already taking request" in (await bot.next(CASEY)).text
        await emu.wait_for_answer(late)
        done = await bot.press(ALEX, mine, "Mark as done")
        assert f"Request {taken['id']} from Someone is marked as done." in done.text


async def test_the_notice_overtakes_a_5000_member_broadcast(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    open_chats(emu, (CASEY, "Casey"), (ALEX, "Alex"))
    recipients = list(range(FIRST_RECIPIENT, FIRST_RECIPIENT + BIG))
    open_chats(emu, *((r, "Member") for r in recipients))
    settings = {"coordinator_ids": [CASEY, ALEX], "quiet_hours_start": 0, "quiet_hours_end": 0}
    async with running_bot(tmp_path, emu, clock=Clock(), **settings) as bot:
        # Coordinators are among the 5000 too, so their chats are paced by the broadcast.
        broadcast_id = await bot.services.delivery.enqueue(
            "broadcast", "News from the forum.", [*COORDINATORS, *recipients]
        )
        await emu.wait_for_message(FIRST_RECIPIENT, timeout=10)  # sending has begun

        emu.add_user(JO, "Jo")
        crisis = await bot.say(JO, CRISIS)
        pressed_at = len(emu.messages)
        told = await bot.press(JO, crisis, ASK)
        assert "urgent" in told.text
        await notices(bot, wait=30)

        news = [
            m for m in emu.messages[pressed_at:] if is_notice(m) or m.text == "News from the forum."
        ]
        overtaken = next(i for i, m in enumerate(news) if is_notice(m))
        status = await bot.services.delivery.status(broadcast_id)
        assert not status.finished
        # Sent after the press, before the notice: a few rounds of the queue, not thousands.
        assert overtaken < 150, overtaken
        await bot.services.delivery.cancel(broadcast_id)


async def pressed_then_killed(folder: Path) -> None:
    """In a child process: the person presses, the request is stored, the bot dies at once."""
    services = await build_services(make_settings(folder, coordinator_ids=[CASEY, ALEX]), Clock())
    outcome = await services.contact.ask(JO, "Jo", None, urgent=True)
    assert outcome.request.notice_broadcast_id is not None
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.timeout(120)
async def test_a_crash_right_after_the_press_loses_nothing(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    await killed_child(tmp_path, f"{__name__}:pressed_then_killed")
    open_chats(emu, (CASEY, "Casey"), (ALEX, "Alex"))
    settings = {"coordinator_ids": [CASEY, ALEX], "quiet_hours_start": 0, "quiet_hours_end": 0}

    async with running_bot(tmp_path, emu, clock=Clock(), **settings) as bot:
        told_to = await notices(bot)

        assert all(labels(n) == [TAKE] and "Jo" in n.text for n in told_to.values())
        assert (await the_request(bot))["urgent"] == 1
