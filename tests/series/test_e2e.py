"""Series end to end, the real bot on the emulator: /newpoll's and /newsurvey's optional Repeat
step (a typed rule, a refusal that keeps the draft, a ready rule), the preview saying the rule
in words, rounds that reach members when their day comes, and /series: pause, change the days,
the time and the rule (each asked first, the open round left alone), stop; members cannot use
it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.consultations.world import draft
from tests.e2e.harness import RunningBot
from tests.surveys.e2e_world import (  # noqa: F401 - the fixtures `bot` and `emu`
    CASEY,
    MIDLANDS,
    NW,
    arrives,
    emu,
    labels,
    seeded_bot,
)

pytestmark = pytest.mark.timeout(120)

MONDAY_4_JAN_10 = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)


async def said(bot: RunningBot, text: str, wanted: str, person: int = CASEY) -> MessageRecord:
    """Someone sends text; the bot's message holding ``wanted``."""
    await bot.emu.send_text(person, text)
    return await arrives(bot, person, wanted)


async def pressed(bot: RunningBot, message: MessageRecord, label: str, wanted: str):
    """Casey presses a button; the bot's message holding ``wanted``."""
    await bot.emu.press_button(CASEY, message, text=label)
    return await arrives(bot, CASEY, wanted)


async def count(bot: RunningBot, table: str) -> int:
    """Rows in a table."""
    return await bot.services.db.fetch_value(f"SELECT COUNT(*) FROM {table}")


async def _poll_preview(bot: RunningBot) -> MessageRecord:
    """Casey writes a once-only question up to its preview."""
    await said(bot, "/newpoll", "What would you like to ask?")
    answers = await said(bot, "How easy was it to get help this month?", "ready set")
    multiple = await pressed(bot, answers, "Yes / No / Not sure", "more than one?")
    comment = await pressed(bot, multiple, "One answer", "tell us more?")
    audience = await pressed(bot, comment, "No", "Who should we ask?")
    opens = await pressed(bot, audience, "The whole forum", "When should it open?")
    closes = await pressed(bot, opens, "Now", "When should it close?")
    await bot.emu.press_button(CASEY, closes, text="In 1 week")
    visibility = await arrives(bot, CASEY, "When can members see")
    note = await pressed(bot, visibility, "After it closes", "our suggestion")
    return await pressed(bot, note, "Use this", "Please check")


async def test_newpoll_repeats_by_a_typed_rule_and_rounds_reach_members(bot: RunningBot) -> None:
    """Just once by default; "How it repeats" takes a typed rule (a rule without its day is
    refused kindly, the draft kept); the preview says the rule and the first round's day; Send
    stores a series and no question yet; on Monday 4 January at 10:00 members get round 1."""
    preview = await _poll_preview(bot)
    assert "Repeats: No, just once." in preview.text
    what = await pressed(bot, preview, "✏️ Change something", "What would you like to change?")
    assert "How it repeats" in labels(what)
    ask = await pressed(bot, what, "How it repeats", "Should this repeat by itself")
    assert labels(ask)[0] == "No, just once"
    await pressed(bot, ask, "Something else: I'll type it", "When should it repeat?")
    await said(bot, "every month at 10:00 for 7 days", "Which day of the week")
    await said(bot, "every month on the first Monday at 10 for 7 days", "What time should it open?")
    check = await said(bot, "every month on the first Monday at 10:00 for 7 days", "Please check")
    assert (
        "Repeats: Every month on the first Monday at 10:00, open for 7 days. "
        "Next: Monday 4 January 2027." in check.text
    )
    assert "Opens: Monday 4 January 2027 at 10:00" in check.text
    assert "Closes: Monday 11 January 2027 at 10:00" in check.text
    assert "How easy was it to get help this month?" in check.text  # nothing else was lost
    done = await pressed(bot, check, "Send", "will repeat by itself")
    assert "The first round opens on Monday 4 January 2027 at 10:00" in done.text
    assert "/series" in done.text
    assert (await count(bot, "series"), await count(bot, "consultations")) == (1, 0)

    bot.clock.set(MONDAY_4_JAN_10)
    await bot.services.series.sweep()
    for member in NW + MIDLANDS:
        question = await arrives(bot, member, "How easy was it to get help this month?")
        assert labels(question)[:3] == ["Yes", "No", "Not sure"]
    assert await count(bot, "consultations") == 1


async def test_newsurvey_repeats_by_a_ready_rule(bot: RunningBot) -> None:
    """A ready rule button; "just once" again afterwards asks for the times again."""
    files = await said(bot, "/newsurvey", "Which survey should go out?")
    opens = await pressed(bot, files, "Getting help", "When should it open?")
    closes = await pressed(bot, opens, "Now", "When should it close?")
    readers = await pressed(bot, closes, "In 1 week", "Is this right?")
    assert "Repeats: No, just once." in readers.text
    what = await pressed(bot, readers, "✏️ Change something", "What would you like to change?")
    ask = await pressed(bot, what, "How it repeats", "Should this repeat by itself")
    weekly = "Weekly: Monday, 10:00, 3 days"
    check = await pressed(bot, ask, weekly, "Is this right?")
    assert (
        "Repeats: Every week on Monday at 10:00, open for 3 days. Next: Monday 14 December."
        in check.text
    )
    what = await pressed(bot, check, "✏️ Change something", "What would you like to change?")
    ask = await pressed(bot, what, "How it repeats", "Should this repeat by itself")
    opens = await pressed(bot, ask, "No, just once", "When should it open?")
    closes = await pressed(bot, opens, "Now", "When should it close?")
    check = await pressed(bot, closes, "In 1 week", "Is this right?")
    assert "Repeats: No, just once." in check.text
    what = await pressed(bot, check, "✏️ Change something", "What would you like to change?")
    ask = await pressed(bot, what, "How it repeats", "Should this repeat by itself")
    check = await pressed(bot, ask, weekly, "Is this right?")
    done = await pressed(bot, check, "Open the survey", "will repeat by itself")
    assert "Getting help" in done.text
    assert (await count(bot, "series"), await count(bot, "surveys")) == (1, 0)


async def test_series_pause_change_and_stop_each_asked_first(bot: RunningBot) -> None:
    """/series lists the series; pausing, the days open, the opening time and the rule are
    each asked first; a round open now is said to stay as it is; stop ends it; members are
    refused and the list is empty for nobody."""
    services = bot.services
    empty = await said(bot, "/series", "Nothing repeats yet")
    assert "/newpoll" in empty.text
    preview = await _poll_preview(bot)
    what = await pressed(bot, preview, "✏️ Change something", "What would you like to change?")
    ask = await pressed(bot, what, "How it repeats", "Should this repeat by itself")
    check = await pressed(bot, ask, "Monthly: first Monday, 10:00, 7 days", "Please check")
    await pressed(bot, check, "Send", "will repeat by itself")
    bot.clock.set(MONDAY_4_JAN_10)
    await services.series.sweep()

    await said(bot, "/series", "Repeating questions and surveys")
    card = await arrives(bot, CASEY, "Rounds so far: 1")
    assert "Running. Next round: Monday 1 February 2027 at 10:00." in card.text
    assert "Round 1 is open now and closes on Monday 11 January 2027 at 10:00" in card.text
    assert labels(card) == [
        "Pause",
        "Days open",
        "Opening time",
        "How it repeats",
        "Who gets results",
        "Stop for good",
    ]
    ask = await pressed(bot, card, "Pause", "No new rounds open until")
    assert "Round 1 is open now" in ask.text
    await pressed(bot, ask, "Yes, pause it", "Saved")
    paused = await arrives(bot, CASEY, "Paused. No new rounds")

    days = await pressed(bot, paused, "Days open", "How many days")
    confirm = await pressed(bot, days, "3 days", "Change how this one repeats?")
    assert "It is paused. When you resume it" in confirm.text
    assert "Every month on the first Monday at 10:00, open for 3 days." in confirm.text
    assert "Changes here do not touch it" in confirm.text
    await pressed(bot, confirm, "Yes, change it", "Saved")
    card = await arrives(bot, CASEY, "open for 3 days")
    ask = await pressed(bot, card, "Resume", "Resume this one?")
    assert "The next round opens on Monday 1 February 2027 at 10:00" in ask.text
    await pressed(bot, ask, "Yes, resume it", "Saved")
    card = await arrives(bot, CASEY, "Running. Next round")

    await pressed(bot, card, "Opening time", "What time should each round open?")
    await said(bot, "whenever", "What time should it open?")
    confirm = await said(bot, "9:30am", "Change how this one repeats?")
    assert "at 09:30, open for 3 days" in confirm.text
    await pressed(bot, confirm, "No, leave it", "Nothing was changed")
    card_before = await services.series.listing(CASEY)
    assert card_before[0].rule.clock_text == "10:00"

    await pressed(bot, card, "How it repeats", "How should it repeat?")
    confirm = await said(
        bot, "every week on Wednesday at 18:00 for 2 days", "Change how this one repeats?"
    )
    assert "The next round opens on Wednesday 6 January 2027 at 18:00" in confirm.text
    await pressed(bot, confirm, "Yes, change it", "Saved")
    card = await arrives(bot, CASEY, "Every week on Wednesday at 18:00")

    ask = await pressed(bot, card, "Stop for good", "No more rounds will open")
    await pressed(bot, ask, "Yes, stop it", "Saved")
    stopped = await arrives(bot, CASEY, "Stopped. No more rounds.")
    assert labels(stopped) == []
    (item,) = await services.series.listing(CASEY)
    assert item.state == "stopped"
    rounds = await services.db.fetch_all("SELECT state, closes_at FROM consultations")
    assert [(r["state"], r["closes_at"]) for r in rounds] == [("open", "2027-01-11T10:00:00+00:00")]
    actions = await services.db.fetch_all(
        "SELECT action FROM audit_log WHERE action LIKE 'series.%' ORDER BY id"
    )
    assert [a["action"] for a in actions] == [
        "series.created",
        "series.round",
        "series.paused",
        "series.changed",
        "series.resumed",
        "series.changed",
        "series.stopped",
    ]
    audit = await said(bot, "/audit", "What has been done lately")
    assert "paused the repeating “How easy was it to get help this month?”" in audit.text

    refused = await said(bot, "/series", "only for coordinators", person=NW[0])
    assert "Contact a coordinator" in refused.text


async def test_a_forged_series_button_changes_nothing(
    bot: RunningBot,
    emu: BotApiEmulator,  # noqa: F811
) -> None:
    """A press for a series that is not there, a rule code that is not one, or from a member:
    a kind reply, nothing stored or changed."""
    empty = await said(bot, "/series", "Nothing repeats yet")
    await emu.press_button(CASEY, empty, "sr:99:py", forge=True)
    await arrives(bot, CASEY, "could not find that repeating question")
    created = await bot.services.series.start_consultation(
        CASEY,
        draft(bot.clock),
        bot.services.series.read_rule("every week on Friday at 10:00 for 2 days"),
    )
    await emu.press_button(CASEY, empty, f"sr:{created.id}:uy:zz-9-9-9999-99", forge=True)
    await arrives(bot, CASEY, "out of date")
    refused = await said(bot, "/menu", "", person=NW[0])
    await emu.press_button(NW[0], refused, f"sr:{created.id}:sy", forge=True)
    await arrives(bot, NW[0], "only for coordinators")
    (item,) = await bot.services.series.listing(CASEY)
    assert item.state == "active" and item.rule.weekday == 4
