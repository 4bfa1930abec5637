"""Issue 12, "Words people use", end to end: /mydata in words and local time, /audit as
sentences with names (newest first, filtered by person and by kind, coordinators only and
recorded), and a friendly answer to hello and thanks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import Audience
from bot.delivery.audience import REGION
from bot.services.broadcasts import Draft
from bot.services.meetings import MeetingDraft
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.e2e.harness import RunningBot, running_bot

pytestmark = pytest.mark.timeout(90)

CASEY = 900_000_001  # the coordinator named in settings
PRIYA, SAM, JO, ALEX = 700_000_301, 700_000_302, 700_000_303, 700_000_304
# Thursday 10 December 2026, 14:30 in London (no summer time in December).
DAYTIME = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)


@pytest.fixture
async def bot(tmp_path: Path, emu: BotApiEmulator) -> AsyncIterator[RunningBot]:
    """The real bot on a clock fixed in the daytime, Casey coordinating."""
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    async with running_bot(tmp_path, emu, clock=Clock(DAYTIME), coordinator_ids=[CASEY]) as running:
        yield running


async def member(bot: RunningBot, user_id: int, name: str, region: str = "north_west") -> None:
    """Someone who has joined and finished setting up."""
    bot.emu.add_user(user_id, name)
    bot.emu.chat(user_id).started = True
    await bot.services.members.join(user_id, name)
    await bot.services.members.choose_region(user_id, region)
    await bot.services.members.finish_setup(user_id)


def labels(message: MessageRecord) -> list[str]:
    """The button labels on a message."""
    return [label for label, _ in message.buttons]


async def wait_text(bot: RunningBot, user: int, wanted: str) -> MessageRecord:
    """The next bot message (or edit) in the chat containing ``wanted``."""
    return await bot.emu.wait_for_message(
        user, lambda m: wanted in (m.text or "") + (m.caption or ""), timeout=10
    )


# /mydata


async def test_mydata_reads_in_words_with_local_times_and_leaves_out_what_is_empty(
    bot: RunningBot,
) -> None:
    await member(bot, SAM, "Sam")

    words = await bot.say(SAM, "/mydata")
    other = await bot.next(SAM)
    document = await bot.next(SAM)

    assert f"Your Telegram account number (not a phone number): {SAM}" in words.text
    assert "Telegram number:" not in words.text
    assert "Joined: Thursday 10 December 2026 at 14:30" in words.text
    for machine_time in ("2026-12-10", "T14:30", "+00:00"):
        assert machine_time not in words.text + other.text
    # Nothing paused and no roles: those lines are left out, never "No".
    assert "aused" not in words.text
    assert "Roles" not in other.text and "roles" not in other.text
    assert ": No\n" not in words.text + "\n" and "Paused until: No" not in words.text
    assert "Notes you sent to coordinators: none" in other.text
    assert "Meetings you were asked to: none" in other.text
    # The file keeps exact times, and says how they are written.
    assert "UTC" in document.caption
    data = json.loads(document.document.data)
    assert data["member"]["consented_at"] == "2026-12-10T14:30:00+00:00"


async def test_mydata_shows_a_pause_and_roles_in_words(bot: RunningBot) -> None:
    await member(bot, SAM, "Sam")
    await bot.services.members.pause(SAM, 2)
    await bot.services.roles.grant(CASEY, SAM, "decision_maker")

    words = await bot.say(SAM, "/mydata")
    other = await bot.next(SAM)

    assert "Messages are paused until Thursday 24 December 2026." in words.text
    assert "Your roles: decision-maker" in other.text
    assert "decision_maker" not in other.text
    assert "Records of coordinator actions about you: 1" in other.text


async def test_mydata_for_a_coordinator_who_never_joined(bot: RunningBot) -> None:
    other = await bot.say(CASEY, "/mydata")

    assert "What we keep about you" in other.text
    assert f"Your Telegram account number (not a phone number): {CASEY}" in other.text
    assert "Your roles: coordinator" in other.text
    document = await bot.next(CASEY)
    data = json.loads(document.document.data)  # the file says the same
    assert (data["telegram_id"], data["member"], data["roles"]) == (CASEY, None, ["coordinator"])


# Hello and thanks


async def test_hello_and_thanks_get_a_friendly_reply_with_the_menu(bot: RunningBot) -> None:
    bot.emu.add_user(JO, "Jo")  # has not joined
    for hello in ("hello", "Hi!", "hiya", "Good morning", "hey there"):
        reply = await bot.say(JO, hello)
        assert reply.text.startswith("Hello. Good to see you."), hello
        assert "did not understand" not in reply.text
        assert "Get support" in labels(reply) and "🆘 Help now" in labels(reply)

    await member(bot, SAM, "Sam")
    reply = await bot.say(SAM, "hiya")
    assert reply.text.startswith("Hello, Sam. Good to see you.")
    assert "Meetings" in labels(reply)
    for thanks in ("thanks", "cheers!", "Thank you so much", "ta"):
        reply = await bot.say(SAM, thanks)
        assert reply.text.startswith("You are welcome, Sam."), thanks
        assert "Meetings" in labels(reply) and "🆘 Help now" in labels(reply)

    # More than a hello still gets the usual answer, never silence.
    reply = await bot.say(SAM, "hi, what's the weather like")
    assert "did not understand" in reply.text


async def test_the_crisis_net_still_hears_a_hello_first(bot: RunningBot) -> None:
    await member(bot, SAM, "Sam")

    reply = await bot.say(SAM, "hi. I want to kill myself")

    assert "116 123" in reply.text
    assert "Good to see you" not in reply.text


# /audit


async def audit(bot: RunningBot, words: str = "") -> MessageRecord:
    """Casey sends /audit (with any words) and gets the list (delivery reports may come too)."""
    await bot.emu.send_text(CASEY, f"/audit {words}".strip())
    return await bot.emu.wait_for_message(
        CASEY,
        lambda m: any(
            part in (m.text or "") for part in ("What has been done", "could not find anyone")
        ),
        timeout=10,
    )


async def pressed(bot: RunningBot, message: MessageRecord, label: str) -> MessageRecord:
    """Casey presses a button on the list and gets the list again."""
    query = await bot.emu.press_button(CASEY, message, text=label)
    shown = await wait_text(bot, CASEY, "What has been done")
    await bot.emu.wait_for_answer(query)
    return shown


async def audit_world(bot: RunningBot) -> None:
    """Casey (a member too) makes Priya a decision-maker, sends a message to North West and
    sets up a meeting; Sam, made a coordinator, looks at /members and then leaves."""
    services = bot.services
    await member(bot, CASEY, "Casey")
    await member(bot, PRIYA, "Priya", "midlands")
    await member(bot, SAM, "Sam")
    await member(bot, ALEX, "Alex")
    await services.roles.grant(CASEY, SAM, "coordinator")
    await bot.say(SAM, "/members")
    await services.members.erase(SAM)
    bot.clock.advance(timedelta(minutes=5))
    reply = await bot.say(CASEY, f"/grant {PRIYA} decision-maker")
    assert "decision-maker" in reply.text
    bot.clock.advance(timedelta(minutes=5))
    draft = Draft(audience=Audience(REGION, "north_west"), text_html="Hub news")
    await services.broadcasts.send(CASEY, draft)
    bot.clock.advance(timedelta(minutes=5))
    meeting = MeetingDraft(
        title="North West hub meeting",
        starts_at=DAYTIME + timedelta(days=5),
        duration_minutes=60,
        audience=Audience(REGION, "north_west"),
        place="Central Library",
    )
    await services.meetings.create(CASEY, meeting)


async def test_audit_reads_as_sentences_with_names_newest_first(bot: RunningBot) -> None:
    await audit_world(bot)

    log = await audit(bot)

    text = log.text
    grant = "14:35 Casey made Priya a decision-maker."
    sent = "14:40 Casey sent a message to members in North West, 2 people."
    meeting = "Casey set up the meeting “North West hub meeting” for members in North West"
    left = "Someone who has left looked at the members report."
    for line in (grant, sent, meeting, left):
        assert line in text, line
    # Newest first.
    assert text.index(meeting) < text.index(sent) < text.index(grant) < text.index(left)
    assert "Thursday 10 December 2026" in text
    # No ids, codes or machine times.
    for raw in (str(PRIYA), str(CASEY), "members.report", "role.granted", " did ", "2026-12"):
        assert raw not in text, raw
    assert {"Everything", "Roles", "Messages", "Meetings"} <= set(labels(log))
    assert {"Casey", "Priya"} <= set(labels(log))
    # Looking is recorded, and shows in the next look.
    reads = await bot.services.db.fetch_all(
        "SELECT actor_id FROM audit_log WHERE action = 'audit.read'"
    )
    assert [row["actor_id"] for row in reads] == [CASEY]
    again = await audit(bot)
    assert "Casey looked at this record." in again.text


async def test_audit_filters_by_kind_and_by_person_with_words_and_buttons(
    bot: RunningBot,
) -> None:
    await audit_world(bot)

    roles = await audit(bot, "grants")
    assert "Showing: Roles." in roles.text
    assert "Casey made Priya a decision-maker." in roles.text
    assert "sent a message" not in roles.text and "members report" not in roles.text

    priya = await audit(bot, "priya")
    assert "Showing: what Priya did, and what was done about them." in priya.text
    assert "Casey made Priya a decision-maker." in priya.text
    assert "sent a message" not in priya.text

    nobody = await audit(bot, "Zebedee")
    assert "could not find anyone called Zebedee" in nobody.text
    assert "Roles" in labels(nobody)

    messages = await pressed(bot, priya, "Messages")
    assert messages.message_id == priya.message_id  # the list is redrawn in place
    assert "Showing: Messages." in messages.text
    assert "Casey sent a message to members in North West, 2 people." in messages.text
    assert "made Priya" not in messages.text

    everything = await pressed(bot, messages, "Everything")
    by_casey = await pressed(bot, everything, "Casey")
    assert "Showing: what Casey did" in by_casey.text
    assert "Casey set up the meeting" in by_casey.text
    assert "Someone who has left" not in by_casey.text

    both = await audit(bot, "Casey meetings")
    assert "Casey set up the meeting" in both.text
    assert "sent a message" not in both.text


async def test_audit_is_for_coordinators_only_and_forged_presses_are_refused(
    bot: RunningBot,
) -> None:
    await audit_world(bot)
    before = await bot.services.db.fetch_value(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'refused' AND actor_id = ?", (PRIYA,)
    )

    reply = await bot.say(PRIYA, "/audit Casey")
    assert "only for coordinators" in reply.text
    assert "Casey" not in reply.text
    query = await bot.emu.press_button(PRIYA, reply, "aud:k:roles", forge=True)
    refused = await bot.next(PRIYA)
    await bot.emu.wait_for_answer(query)
    assert "only for coordinators" in refused.text

    after = await bot.services.db.fetch_value(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'refused' AND actor_id = ?", (PRIYA,)
    )
    assert after == before + 2

    log = await audit(bot)
    query = await bot.emu.press_button(CASEY, log, "aud:k:nonsense", forge=True)
    stale = await wait_text(bot, CASEY, "out of date")
    await bot.emu.wait_for_answer(query)
    assert "out of date" in stale.text
