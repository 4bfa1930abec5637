"""Never lose a person's place: crisis words at any step, then "Carry on", ask that step's
question again at the bottom of the chat, with its buttons (the draft kept); text typed where
a button is expected gets a kind line and the question again; joining never asks for consent
twice, also after a restart of the bot, when the step is found again in the database.

The real bot on the Bot API emulator. Only "116 123" and the "Carry on" label of the crisis
reply are relied on, not its wording.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import Clock
from emulator.emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.e2e.harness import RunningBot, running_bot

pytestmark = pytest.mark.timeout(120)

CRISIS = "I want to kill myself"
CASEY = 900_000_001  # the coordinator
ALEX = 700_000_601
NW = [700_000_611, 700_000_612]
DAYTIME = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)  # a Thursday, 14:30 in London

PRIVACY = "What we keep"
REGION_Q = "Which region are you in?"
HUB_Q = "Which hub in Midlands"
PREFS_Q = "What would you like to get from us?"
HUB_1 = "Midlands hub 1 (placeholder name)"
JOINING_STEPS = ["consent", "region", "hub", "prefs"]


Snapshot = tuple[str, list[tuple[str, str | None]]]


def labels(message: MessageRecord) -> list[str]:
    """The button labels on a message."""
    return [label for label, _ in message.buttons]


def snapshot(message: MessageRecord) -> Snapshot:
    """A message's text and buttons (label and data) as they are now (records change on edit)."""
    return message.text or "", list(message.buttons)


def sent_since(bot: RunningBot, user: int, cursor: int) -> list[MessageRecord]:
    """The new messages the bot sent in a chat since a cursor."""
    return [record for kind, record in bot.emu.chat(user).events[cursor:] if kind == "sent"]


def fresh(bot: RunningBot, user: int, cursor: int = 0) -> list[str]:
    """The texts of the bot's new messages in a chat since a cursor."""
    return [m.text or "" for m in sent_since(bot, user, cursor)]


async def crisis_then_carry_on(bot: RunningBot, user: int) -> MessageRecord:
    """Crisis words; the reply has 116 123 and "Carry on"; press it; the bot's next new message."""
    emu = bot.emu
    start = emu.cursor(user)
    await emu.send_text(user, CRISIS)
    reply = await emu.wait_for_message(user, lambda m: "Carry on" in labels(m), since=start)
    assert any("116 123" in text for text in fresh(bot, user, start))
    after = emu.cursor(user)
    await emu.press_button(user, reply, text="Carry on")
    return await emu.wait_for_message(user, kinds=("sent",), since=after)


async def assert_carry_on(bot: RunningBot, user: int, question: MessageRecord) -> MessageRecord:
    """After crisis words and "Carry on" the same question comes again, with the same buttons
    (a draft's buttons carry its id, so the draft was kept); return the new message."""
    expected = snapshot(question)
    again = await crisis_then_carry_on(bot, user)
    assert snapshot(again) == expected
    assert again.message_id != question.message_id  # at the bottom of the chat
    return again


async def assert_typed_repeats(
    bot: RunningBot, user: int, question: MessageRecord, kind_words: str
) -> MessageRecord:
    """Text where a button is expected: a kind line, then the same question and buttons."""
    expected = snapshot(question)
    emu = bot.emu
    start = emu.cursor(user)
    await emu.send_text(user, "hello there")
    kind = await emu.wait_for_message(user, kinds=("sent",), since=start)
    again = await emu.wait_for_message(user, kinds=("sent",))
    assert kind_words in (kind.text or "")
    assert snapshot(again) == expected
    return again


async def pressed(
    bot: RunningBot, user: int, message: MessageRecord, label: str, wanted: str
) -> MessageRecord:
    """Press a button by its label; the bot's next message or edit containing ``wanted``."""
    await bot.emu.press_button(user, message, text=label)
    return await bot.emu.wait_for_message(user, lambda m: wanted in (m.text or ""), timeout=10)


async def said(bot: RunningBot, user: int, text: str, wanted: str) -> MessageRecord:
    """Send text; the bot's next message or edit containing ``wanted``."""
    await bot.emu.send_text(user, text)
    return await bot.emu.wait_for_message(user, lambda m: wanted in (m.text or ""), timeout=10)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """The emulator with Telegram's rules, and room for whole conversations at test speed
    (flood control has its own tests)."""
    async with BotApiEmulator() as emulator:
        emulator.set_limits(global_per_second=1000, per_chat_burst=1000)
        yield emulator


# Joining


async def reach(bot: RunningBot, user: int, step: str) -> MessageRecord:
    """A newcomer goes as far as a joining step (Midlands, its first hub); that step's question."""
    bot.emu.add_user(user, "Alex")
    question = await said(bot, user, "/start", PRIVACY)
    if step == "consent":
        return question
    await bot.emu.press_button(user, question, text="Yes, I agree")
    question = await bot.emu.wait_for_message(user, lambda m: REGION_Q in (m.text or ""))
    if step == "region":
        return question
    question = await pressed(bot, user, question, "Midlands", HUB_Q)
    if step == "hub":
        return question
    return await pressed(bot, user, question, HUB_1, PREFS_Q)


async def finish_joining(bot: RunningBot, user: int, question: MessageRecord) -> None:
    """Answer from this question on (agree, Midlands, its first hub, Done): all set."""
    if "Yes, I agree" in labels(question):
        await bot.emu.press_button(user, question, text="Yes, I agree")
        question = await bot.emu.wait_for_message(user, lambda m: REGION_Q in (m.text or ""))
    if "Midlands" in labels(question):
        question = await pressed(bot, user, question, "Midlands", HUB_Q)
    if HUB_1 in labels(question):
        question = await pressed(bot, user, question, HUB_1, PREFS_Q)
    assert "Done" in labels(question)
    await pressed(bot, user, question, "Done", "You are all set")
    member = await bot.services.members.get(user)
    assert member is not None and member.setup_done


def asked_for_consent(bot: RunningBot, user: int) -> int:
    """How many times the privacy notice was sent to this person (also if edited since)."""
    return sum(
        any(PRIVACY in (text or "") for text in [m.text, *(v.text for v in m.history)])
        for m in sent_since(bot, user, 0)
    )


def expected_question(step: str) -> str:
    """Words of each joining step's question."""
    return {"consent": PRIVACY, "region": REGION_Q, "hub": HUB_Q, "prefs": PREFS_Q}[step]


@pytest.mark.parametrize("step", JOINING_STEPS)
async def test_crisis_words_at_a_joining_step_then_carry_on_asks_that_step_again(
    bot: RunningBot, step: str
) -> None:
    question = await reach(bot, ALEX, step)

    again = await assert_carry_on(bot, ALEX, question)

    assert expected_question(step) in again.text
    assert "🆘 Help now" in labels(again)
    assert asked_for_consent(bot, ALEX) == (2 if step == "consent" else 1)
    await finish_joining(bot, ALEX, again)
    assert asked_for_consent(bot, ALEX) == (2 if step == "consent" else 1)


@pytest.mark.parametrize("step", JOINING_STEPS)
async def test_text_typed_at_a_joining_step_repeats_it_with_its_buttons(
    bot: RunningBot, step: str
) -> None:
    question = await reach(bot, ALEX, step)

    kind = 'Tap "Not now"' if step == "consent" else "Please tap one of the buttons"
    again = await assert_typed_repeats(bot, ALEX, question, kind)

    assert expected_question(step) in again.text
    await finish_joining(bot, ALEX, again)
    assert asked_for_consent(bot, ALEX) == (2 if step == "consent" else 1)


async def test_joining_never_asks_for_consent_twice(bot: RunningBot) -> None:
    question = await reach(bot, ALEX, "hub")
    member = await bot.services.members.get(ALEX)
    assert member is not None
    consented_at = member.consented_at

    # /menu leaves the step; "Join the forum" goes on with joining, not to the notice.
    menu = await said(bot, ALEX, "/menu", "Here is what I can do")
    again = await pressed(bot, ALEX, menu, "Join the forum", HUB_Q)
    assert snapshot(again)[1] == snapshot(question)[1]
    # /start says they have agreed already and asks the same question.
    start = bot.emu.cursor(ALEX)
    await said(bot, ALEX, "/start", HUB_Q)
    assert "already said yes" in fresh(bot, ALEX, start)[0]
    # An old "Yes, I agree" (as a replayed press) records nothing new and asks the question.
    await bot.emu.press_button(ALEX, again, "consent:yes", forge=True)
    await bot.emu.wait_for_message(ALEX, lambda m: HUB_Q in (m.text or ""))
    # An old "Not now" does not pretend nothing is kept.
    await bot.emu.press_button(ALEX, again, "consent:no", forge=True)
    reply = await bot.emu.wait_for_message(ALEX)
    assert "not kept anything" not in reply.text

    assert asked_for_consent(bot, ALEX) == 1
    member = await bot.services.members.get(ALEX)
    assert member is not None and member.consented_at == consented_at and not member.setup_done


async def test_a_finished_or_left_step_is_not_asked_again(bot: RunningBot) -> None:
    await reach(bot, ALEX, "region")
    # /menu clears the step: typed text gets the usual reply, not the region question.
    await said(bot, ALEX, "/menu", "Here is what I can do")
    start = bot.emu.cursor(ALEX)
    await said(bot, ALEX, "the weather today", "did not understand")
    assert not any(REGION_Q in text for text in fresh(bot, ALEX, start))

    menu = await said(bot, ALEX, "/menu", "Here is what I can do")
    question = await pressed(bot, ALEX, menu, "Join the forum", REGION_Q)
    await finish_joining(bot, ALEX, question)

    # Joined: text and "Carry on" no longer bring any joining question back.
    start = bot.emu.cursor(ALEX)
    await said(bot, ALEX, "the weather today", "did not understand")
    after = await crisis_then_carry_on(bot, ALEX)
    assert "What would you like to do?" in after.text
    texts = fresh(bot, ALEX, start)
    assert not any(q in t for t in texts for q in (REGION_Q, HUB_Q, PREFS_Q, PRIVACY))


# Joining across a restart of the bot (user_data is in memory; the database is not)


def restarted(tmp_path: Path, emu: BotApiEmulator):
    """The bot on the same database (and emulator) as before."""
    return running_bot(tmp_path, emu, coordinator_ids=[CASEY])


@pytest.mark.parametrize("step", ["region", "hub", "prefs"])
@pytest.mark.parametrize("how", ["typed", "carry_on", "start"])
async def test_after_a_restart_joining_goes_on_at_the_same_question(
    tmp_path: Path, emu: BotApiEmulator, step: str, how: str
) -> None:
    async with restarted(tmp_path, emu) as before:
        question = await reach(before, ALEX, step)
        expected = snapshot(question)
        if how == "carry_on":  # the crisis reply comes before the restart, "Carry on" after
            start = emu.cursor(ALEX)
            await emu.send_text(ALEX, CRISIS)
            crisis = await emu.wait_for_message(ALEX, lambda m: "Carry on" in labels(m))
            assert any("116 123" in text for text in fresh(before, ALEX, start))

    async with restarted(tmp_path, emu) as after:
        start = emu.cursor(ALEX)
        if how == "typed":
            again = await assert_typed_repeats(after, ALEX, question, "Please tap one")
        elif how == "carry_on":
            await emu.press_button(ALEX, crisis, text="Carry on")
            again = await emu.wait_for_message(ALEX, kinds=("sent",), since=start)
        else:
            await emu.send_text(ALEX, "/start")
            greeting = await emu.wait_for_message(ALEX, kinds=("sent",), since=start)
            assert "already said yes" in greeting.text
            again = await emu.wait_for_message(ALEX, kinds=("sent",))
        # The preferences switches are redrawn from the database: the same.
        assert snapshot(again) == expected
        await finish_joining(after, ALEX, again)
        assert asked_for_consent(after, ALEX) == 1

    # Joined: after another restart text gets the usual reply, not a joining question.
    async with restarted(tmp_path, emu) as again_after:
        start = emu.cursor(ALEX)
        await said(again_after, ALEX, "the weather today", "did not understand")
        assert not any(REGION_Q in text for text in fresh(again_after, ALEX, start))


@pytest.mark.parametrize(
    ("answer", "asked_after"),
    [("Not sure or national only", REGION_Q), ("Not sure yet", HUB_Q)],
)
async def test_after_a_restart_an_unsure_answer_is_asked_again_never_skipped(
    tmp_path: Path, emu: BotApiEmulator, answer: str, asked_after: str
) -> None:
    """The database cannot tell "national only" from "no region yet" (nor "not sure" from "no
    hub yet"), so after a restart the earliest question that may be unanswered comes again."""
    async with restarted(tmp_path, emu) as before:
        question = await reach(
            before, ALEX, "region" if answer.endswith("national only") else "hub"
        )
        await pressed(before, ALEX, question, answer, PREFS_Q)

    async with restarted(tmp_path, emu) as after:
        again = await crisis_then_carry_on(after, ALEX)
        assert asked_after in again.text
        prefs = await pressed(after, ALEX, again, answer, PREFS_Q)
        await pressed(after, ALEX, prefs, "Done", "You are all set")
        assert asked_for_consent(after, ALEX) == 1


# /settings and /leave


async def test_settings_pickers_carry_on_and_typed_text_then_the_step_ends(bot: RunningBot) -> None:
    await bot.join(ALEX, "Alex", region="Midlands")
    summary = await said(bot, ALEX, "/settings", "Your settings")

    region = await pressed(bot, ALEX, summary, "Change region", REGION_Q)
    region = await assert_carry_on(bot, ALEX, region)
    region = await assert_typed_repeats(bot, ALEX, region, "Please tap one")
    hub = await pressed(bot, ALEX, region, "North West", "Which hub in North West")
    hub = await assert_carry_on(bot, ALEX, hub)
    summary = await pressed(bot, ALEX, hub, "Not sure yet", "Your settings")
    assert "Region: North West" in summary.text

    prefs = await pressed(bot, ALEX, summary, "What I get", PREFS_Q)
    prefs = await pressed(bot, ALEX, prefs, "✅ Forum news", PREFS_Q)
    prefs = await assert_carry_on(bot, ALEX, prefs)
    assert "⬜ Forum news" in labels(prefs)
    prefs = await assert_typed_repeats(bot, ALEX, prefs, "Please tap one")
    summary = await pressed(bot, ALEX, prefs, "Done", "Your settings")
    assert "Forum news: No" in summary.text

    # The change is done: text and "Carry on" no longer ask a picker's question.
    start = bot.emu.cursor(ALEX)
    await said(bot, ALEX, "the weather today", "did not understand")
    after = await crisis_then_carry_on(bot, ALEX)
    assert "What would you like to do?" in after.text
    assert not any(q in t for t in fresh(bot, ALEX, start) for q in (REGION_Q, PREFS_Q))


async def test_leave_confirmation_carry_on_and_typed_text(bot: RunningBot) -> None:
    await bot.join(ALEX, "Alex", region="Midlands")
    confirm = await said(bot, ALEX, "/leave", "Do you want to leave")

    confirm = await assert_carry_on(bot, ALEX, confirm)
    confirm = await assert_typed_repeats(bot, ALEX, confirm, "Please tap one")
    await pressed(bot, ALEX, confirm, "No, keep me in", "still a member")
    await said(bot, ALEX, "the weather today", "did not understand")

    confirm = await said(bot, ALEX, "/leave", "Do you want to leave")
    await pressed(bot, ALEX, confirm, "Yes, delete my data", "deleted everything")
    assert await bot.services.members.get(ALEX) is None
    await said(bot, ALEX, "the weather today", "did not understand")


# Coordinator conversations


@pytest.fixture
async def office(tmp_path: Path, emu: BotApiEmulator) -> AsyncIterator[RunningBot]:
    """Casey the coordinator, two North West members, a fixed daytime clock, no quiet hours."""
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    async with running_bot(
        tmp_path,
        emu,
        clock=Clock(DAYTIME),
        coordinator_ids=[CASEY],
        quiet_hours_start=0,
        quiet_hours_end=0,
    ) as bot:
        for member_id in NW:
            emu.add_user(member_id, "Member")
            emu.chat(member_id).started = True
            await bot.services.members.join(member_id, "Member")
            await bot.services.members.choose_region(member_id, "north_west")
            await bot.services.members.finish_setup(member_id)
        yield bot


async def test_newmeeting_every_step_carries_on_with_the_draft_kept(office: RunningBot) -> None:
    bot, use_buttons = office, "Please use the buttons"
    title = await said(bot, CASEY, "/newmeeting", "What is the meeting called?")
    title = await assert_carry_on(bot, CASEY, title)
    when = await said(bot, CASEY, "Hub meeting", "When does it start?")
    when = await assert_carry_on(bot, CASEY, when)
    length = await said(bot, CASEY, "tomorrow 10:30", "How long is it?")
    length = await assert_carry_on(bot, CASEY, length)
    where = await pressed(bot, CASEY, length, "90 minutes", "Where is it?")
    where = await assert_carry_on(bot, CASEY, where)
    audience = await said(bot, CASEY, "Central Library", "Who is it")
    audience = await assert_carry_on(bot, CASEY, audience)
    audience = await assert_typed_repeats(bot, CASEY, audience, use_buttons)
    regions = await pressed(bot, CASEY, audience, "One region", "Which region?")
    regions = await assert_carry_on(bot, CASEY, regions)  # the list, not the question before
    regions = await assert_typed_repeats(bot, CASEY, regions, use_buttons)
    notes = await pressed(bot, CASEY, regions, "North West", "anything people should know")
    notes = await assert_carry_on(bot, CASEY, notes)
    repeat = await pressed(bot, CASEY, notes, "No notes", "Does it repeat?")
    repeat = await assert_carry_on(bot, CASEY, repeat)
    repeat = await assert_typed_repeats(bot, CASEY, repeat, use_buttons)
    feedback = await pressed(bot, CASEY, repeat, "Just once", "feedback survey")
    feedback = await assert_carry_on(bot, CASEY, feedback)
    feedback = await assert_typed_repeats(bot, CASEY, feedback, use_buttons)
    preview = await pressed(bot, CASEY, feedback, "No feedback survey", "Please check")
    preview = await assert_carry_on(bot, CASEY, preview)
    preview = await assert_typed_repeats(bot, CASEY, preview, use_buttons)
    assert "I will invite 2 people" in preview.text

    await pressed(bot, CASEY, preview, "Send invitations", "Invitations are on")
    [meeting] = await bot.services.db.fetch_all("SELECT * FROM meetings")
    assert (meeting["title"], meeting["place"]) == ("Hub meeting", "Central Library")
    assert (meeting["duration_minutes"], meeting["audience_place"]) == (90, "north_west")


async def test_newpoll_every_step_carries_on_with_the_draft_kept(office: RunningBot) -> None:
    bot, use_buttons = office, "Please use the buttons"
    question = await said(bot, CASEY, "/newpoll", "New question for members")
    question = await assert_carry_on(bot, CASEY, question)
    answers = await said(bot, CASEY, "Should hub meetings move to evenings?", "ready set")
    answers = await assert_carry_on(bot, CASEY, answers)
    answers = await assert_typed_repeats(bot, CASEY, answers, use_buttons)
    first = await pressed(bot, CASEY, answers, "Write my own", "Send the first answer")
    first = await assert_carry_on(bot, CASEY, first)
    second = await said(bot, CASEY, "Yes", "1 so far")
    second = await assert_carry_on(bot, CASEY, second)
    more = await said(bot, CASEY, "No", "2 so far")
    more = await assert_carry_on(bot, CASEY, more)
    multiple = await pressed(bot, CASEY, more, "That's all", "one answer, or more")
    multiple = await assert_carry_on(bot, CASEY, multiple)
    multiple = await assert_typed_repeats(bot, CASEY, multiple, use_buttons)
    comment = await pressed(bot, CASEY, multiple, "One answer", "tell us more")
    comment = await assert_carry_on(bot, CASEY, comment)
    audience = await pressed(bot, CASEY, comment, "No", "Who should we ask?")
    audience = await assert_carry_on(bot, CASEY, audience)
    hubs = await pressed(bot, CASEY, audience, "One hub", "Which hub?")
    hubs = await assert_carry_on(bot, CASEY, hubs)
    hubs = await assert_typed_repeats(bot, CASEY, hubs, use_buttons)
    opens = await pressed(bot, CASEY, hubs, hubs.buttons[0][0], "When should it open?")
    opens = await assert_carry_on(bot, CASEY, opens)
    opens_time = await pressed(bot, CASEY, opens, "At a set time", "Send the date and time")
    opens_time = await assert_carry_on(bot, CASEY, opens_time)
    closes = await said(bot, CASEY, "tomorrow 9am", "When should it close?")
    closes = await assert_carry_on(bot, CASEY, closes)
    visibility = await pressed(bot, CASEY, closes, "In 1 week", "When can members see")
    visibility = await assert_carry_on(bot, CASEY, visibility)
    visibility = await assert_typed_repeats(bot, CASEY, visibility, use_buttons)
    note = await pressed(bot, CASEY, visibility, "After it closes", "Here is our suggestion")
    note = await assert_carry_on(bot, CASEY, note)
    preview = await pressed(bot, CASEY, note, "Use this", "Please check the question")
    preview = await assert_carry_on(bot, CASEY, preview)
    preview = await assert_typed_repeats(bot, CASEY, preview, use_buttons)

    await pressed(bot, CASEY, preview, "Send", "Done. The question")
    [consultation] = await bot.services.db.fetch_all("SELECT * FROM consultations")
    assert consultation["question"] == "Should hub meetings move to evenings?"
    options = await bot.services.db.fetch_all("SELECT * FROM consultation_options")
    assert [o["label"] for o in options] == ["Yes", "No"]


async def test_broadcast_steps_carry_on_with_the_draft_kept(office: RunningBot) -> None:
    bot = office
    audience = await said(bot, CASEY, "/broadcast", "Who should get it?")
    audience = await assert_carry_on(bot, CASEY, audience)
    audience = await assert_typed_repeats(bot, CASEY, audience, "Please pick who gets it")
    regions = await pressed(bot, CASEY, audience, "One region", "Which region?")
    regions = await assert_carry_on(bot, CASEY, regions)  # the list, with its "Go back"
    assert "Go back" in labels(regions)
    regions = await assert_typed_repeats(bot, CASEY, regions, "Please pick who gets it")
    # "Write your message": here typed text is the message itself, so it is not asked again.
    await pressed(bot, CASEY, regions, "North West", "write your message")
    summary = await said(bot, CASEY, "The hub meeting moves to Friday.", "Above is how members")
    when = await pressed(bot, CASEY, summary, "🕒 Send it later", "When should it go out?")
    when = await assert_carry_on(bot, CASEY, when)
    summary = await said(bot, CASEY, "tomorrow 10:00", "Above is how members")

    # /broadcast again with a draft kept: go on with it, or start again?
    resume = await said(bot, CASEY, "/broadcast", "did not send yet")
    resume = await assert_carry_on(bot, CASEY, resume)
    resume = await assert_typed_repeats(bot, CASEY, resume, "Please tap one")
    await pressed(bot, CASEY, resume, "Go on with it", "Above is how members")
    preview = [t for t in fresh(bot, CASEY) if "The hub meeting moves to Friday." in t]
    assert len(preview) == 3  # typed, at a time, gone on with: the draft's text kept all along


async def test_polls_and_attendance_choices_carry_on(office: RunningBot) -> None:
    from datetime import timedelta

    from bot.delivery import Audience
    from bot.delivery.audience import EVERYONE
    from bot.services.consultations.rules import ConsultationDraft

    bot = office
    await bot.services.consultations.create(
        CASEY,
        ConsultationDraft(
            question="Should hub meetings move to evenings?",
            options=("Yes", "No"),
            multiple=False,
            ask_comment=False,
            audience=Audience(EVERYONE),
            closes_at=DAYTIME + timedelta(days=2),
            member_note="The national board reads the results.",
        ),
    )
    item = await said(bot, CASEY, "/polls", "evenings")
    assert "Close now" in labels(item)

    confirm = await pressed(bot, CASEY, item, "Close now", "evenings")
    confirm = await assert_carry_on(bot, CASEY, confirm)
    confirm = await assert_typed_repeats(bot, CASEY, confirm, "Please tap one")
    await pressed(bot, CASEY, confirm, "No, leave it", "Nothing has changed")
    more = await pressed(bot, CASEY, item, "Extend", "How much more time")
    more = await assert_carry_on(bot, CASEY, more)
    await pressed(bot, CASEY, more, "1 more day", "evenings")
    await said(bot, CASEY, "the weather today", "did not understand")  # the choice is made
    # The offer says "tap one, or type a new closing time": a typed time is taken.
    more = await pressed(bot, CASEY, item, "Extend", "How much more time")
    more = await assert_carry_on(bot, CASEY, more)
    await said(bot, CASEY, "20/12/2026 17:00", "Sunday 20 December")
    await said(bot, CASEY, "the weather today", "did not understand")

    reports = await said(bot, CASEY, "/attendance", "Who came to meetings")
    reports = await assert_carry_on(bot, CASEY, reports)
    await assert_typed_repeats(bot, CASEY, reports, "Please tap one")
