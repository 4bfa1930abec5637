"""Opportunities through the whole bot on the emulator: a coordinator posts one with
/newopportunity (bad input at steps refused kindly), a member who turned the kind on in
/settings gets it and others do not, interest with a note reaches the coordinator, choosing
and telling, closing early and recording what happened; a member's /opportunities order and
the benefits note on a paid one; /mydata and /leave."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.delivery import Audience
from bot.services.opportunities import OpportunityDraft
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.e2e.harness import RunningBot, running_bot

pytestmark = pytest.mark.timeout(120)

CASEY = 900_000_001
SAM, JORDAN = 600_000_001, 600_000_002  # North West, hub 1
PRIYA = 600_000_011  # Midlands
DAYTIME = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """The emulator with Telegram's limits."""
    async with BotApiEmulator() as emulator:
        emulator.set_limits(per_chat_burst=20)
        yield emulator


async def wait_text(bot: RunningBot, user: int, wanted: str, timeout: float = 10) -> MessageRecord:  # noqa: ASYNC109
    """The next bot message (or edit) in the chat containing ``wanted``."""
    return await bot.emu.wait_for_message(
        user, lambda m: wanted in (m.text or "") + (m.caption or ""), timeout=timeout
    )


async def said(bot: RunningBot, user: int, text: str, wanted: str) -> MessageRecord:
    """Send text and wait for the bot's message containing ``wanted``."""
    await bot.emu.send_text(user, text)
    return await wait_text(bot, user, wanted)


async def pressed(
    bot: RunningBot, user: int, message: MessageRecord, label: str, wanted: str
) -> MessageRecord:
    """Press a button and wait for the bot's message containing ``wanted``."""
    await bot.emu.press_button(user, message, text=label)
    return await wait_text(bot, user, wanted)


async def members(bot: RunningBot, emu: BotApiEmulator) -> None:
    """Sam and Jordan in the North West's first hub, Priya in the Midlands."""
    places = {SAM: ("Sam", "north_west", "nw_hub_1"), JORDAN: ("Jordan", "north_west", "nw_hub_1")}
    places[PRIYA] = ("Priya", "midlands", "mid_hub_1")
    for member_id, (name, region, hub) in places.items():
        emu.add_user(member_id, name)
        emu.chat(member_id).started = True
        await bot.services.members.join(member_id, name)
        await bot.services.members.choose_region(member_id, region)
        await bot.services.members.choose_hub(member_id, hub)
        await bot.services.members.finish_setup(member_id)


async def card(bot: RunningBot, user: int) -> MessageRecord:
    """The next opportunity in a list (not an offer sent by the delivery engine)."""
    return await bot.emu.wait_for_message(
        user, lambda m: "Where:" in (m.text or "") and "A new opportunity" not in m.text, timeout=10
    )


def received(emu: BotApiEmulator, user: int, wanted: str) -> bool:
    """Whether the bot ever sent this person a message containing ``wanted``."""
    return any(wanted in (m.text or "") for m in emu.chat(user).messages if m.from_bot)


async def test_post_match_interest_choose_and_record(tmp_path: Path, emu: BotApiEmulator) -> None:
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    async with running_bot(tmp_path, emu, clock=Clock(DAYTIME), coordinator_ids=[CASEY]) as bot:
        await members(bot, emu)
        # Sam turns volunteering on in /settings; it is off by default.
        summary = await said(bot, SAM, "/settings", "Your settings")
        kinds = await pressed(bot, SAM, summary, "Opportunities", "Pick the kinds")
        assert "⬜ Volunteering" in [row[0] for row in kinds.buttons]
        assert "✅ Speaking at an event" in [row[0] for row in kinds.buttons]
        kinds = await pressed(bot, SAM, kinds, "⬜ Volunteering", "Pick the kinds")
        assert "✅ Volunteering" in [row[0] for row in kinds.buttons]
        await pressed(bot, SAM, kinds, "Done", "Your settings")

        await said(bot, SAM, "/newopportunity", "only for coordinators")
        ask = await said(bot, CASEY, "/newopportunity", "What kind of opportunity")
        await pressed(bot, CASEY, ask, "Volunteering", "What is it called?")
        await said(bot, CASEY, "x" * 101, "up to 100 letters")
        await said(bot, CASEY, "Peer <mentor> at the drop-in", "What does it involve?")
        await said(bot, CASEY, "y" * 801, "up to 800 letters")
        await said(bot, CASEY, "Meeting people new to the service.", "What does it give")
        await said(bot, CASEY, "Training, expenses paid and a reference", "How much time")
        await said(bot, CASEY, "2 hours a week", "Where is it?")
        await said(bot, CASEY, "Central Library, Manchester", "last day")
        await said(bot, CASEY, "1/12/2026", "has passed")
        closes = await wait_text(bot, CASEY, "last day")
        await said(bot, CASEY, "someday", "could not read that date")
        closes = await wait_text(bot, CASEY, "last day")
        await pressed(bot, CASEY, closes, "In 2 weeks", "How many places")
        await said(bot, CASEY, "lots", "whole number")
        await wait_text(bot, CASEY, "How many places")
        audience = await said(bot, CASEY, "2", "Who may see it?")
        regions = await pressed(bot, CASEY, audience, "One region", "Which region?")
        paid = await pressed(bot, CASEY, regions, "North West", "Is it paid?")
        preview = await pressed(bot, CASEY, paid, "No", "Please check")
        assert "Peer <mentor> at the drop-in" in preview.text
        assert "Thursday 24 December 2026" in preview.text and "Places: 2" in preview.text
        assert "1 member who want" in preview.text  # Sam only: Jordan kept volunteering off
        assert "benefits" not in preview.text
        await pressed(bot, CASEY, preview, "Post it", "Posted")

        offer = await wait_text(bot, SAM, "A new opportunity")
        assert "Peer <mentor> at the drop-in" in offer.text
        # Interest with a note reaches Casey at once.
        note_ask = await pressed(bot, SAM, offer, "I'm interested", "short note")
        await said(bot, SAM, "Free on Tuesdays <3", "I have told the coordinator")
        notice = await wait_text(bot, CASEY, "is interested in")
        assert "Sam" in notice.text and "Free on Tuesdays <3" in notice.text
        assert note_ask.message_id
        # Nobody else got it: Jordan did not choose volunteering, Priya is in the Midlands.
        assert not received(emu, JORDAN, "A new opportunity")
        assert not received(emu, PRIYA, "A new opportunity")

        # Casey chooses Sam; Sam is told.
        people = await pressed(bot, CASEY, notice, "Who is interested", "Who is interested in")
        assert "Free on Tuesdays <3" in people.text
        people = await pressed(bot, CASEY, people, "Choose Sam", "You picked: Choose")
        await pressed(bot, CASEY, people, "Tell them", "1 person is told they have a place")
        await wait_text(bot, SAM, "Good news")

        # Close early, then record what happened.
        card = await said(bot, CASEY, "/opportunities", "Chosen: 1")
        await pressed(bot, CASEY, card, "Close early", "Closed early")
        card = await said(bot, CASEY, "/opportunities", "Not taking interest now")
        outcomes = await pressed(bot, CASEY, card, "Record what happened", "What happened")
        await pressed(bot, CASEY, outcomes, "Sam: Completed", "Sam: completed")
        await wait_text(bot, CASEY, "has ended")
        outcomes_now = await bot.services.opportunities.member_outcomes(SAM)
        assert [(o.kind, o.outcome) for o in outcomes_now] == [("volunteering", "completed")]

        # /mydata shows it; /leave deletes it.
        outcome = "What happened with Peer <mentor> at the drop-in: completed."
        await said(bot, SAM, "/mydata", outcome)
        confirm = await said(bot, SAM, "/leave", "Do you want to leave")
        await pressed(bot, SAM, confirm, "Yes, delete my data", "")
        db = bot.services.db
        for table in ("opportunity_interest", "opportunity_outcomes", "member_opportunity_kinds"):
            count = await db.fetch_value(
                f"SELECT COUNT(*) FROM {table} WHERE member_id = ?", (SAM,)
            )
            assert count == 0, table


async def test_a_members_list_order_and_the_benefits_note(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    clock = Clock(DAYTIME)
    async with running_bot(tmp_path, emu, clock=clock, coordinator_ids=[CASEY]) as bot:
        await members(bot, emu)
        service = bot.services.opportunities
        base = OpportunityDraft(
            kind="research",
            title="",
            involves="Interviews with people who use services.",
            gives="£20 an hour",
            time_needed="Two days",
            place="Online",
            closes_at=service.closing_in(10),
            places=None,
            audience=Audience("everyone"),
            paid=False,
        )
        made = {}
        for title, audience, kind in (
            ("Everyone, older", Audience("everyone"), "research"),
            ("For the region", Audience("region", "north_west"), "research"),
            ("For the hub", Audience("hub", "nw_hub_1"), "research"),
            ("A paid panel", Audience("everyone"), "paid"),
            ("Another hub", Audience("hub", "nw_hub_2"), "research"),
        ):
            draft = replace(base, title=title, audience=audience, kind=kind, paid=kind == "paid")
            made[title] = (await service.create(CASEY, draft)).opportunity.id
            clock.advance(timedelta(minutes=1))
        await service.interested(SAM, made["Everyone, older"], None)
        for user, offers in ((SAM, 4), (PRIYA, 2)):  # research and paid are on by default
            for _ in range(offers):
                await wait_text(bot, user, "A new opportunity")

        await said(bot, SAM, "/opportunities", "Opportunities open now")
        cards = [await card(bot, SAM) for _ in range(4)]
        titles = [card.text.split("\n")[0] for card in cards]
        assert titles == ["Everyone, older", "For the hub", "For the region", "A paid panel"]
        assert "You said you are interested" in cards[0].text
        assert cards[0].buttons[0][0] == "Take back my interest"
        assert "Payments can affect benefits" in cards[3].text and "Turn2us" in cards[3].text
        assert "Payments can affect benefits" not in cards[1].text
        assert not received(emu, SAM, "Another hub")

        # Taking interest back tells Casey; Priya (Midlands) sees only those for everyone.
        await pressed(bot, SAM, cards[0], "Take back my interest", "no longer interested")
        await wait_text(bot, CASEY, "Sam is no longer interested")
        await said(bot, PRIYA, "/opportunities", "Opportunities open now")
        priya = [await card(bot, PRIYA) for _ in range(2)]
        assert [c.text.split("\n")[0] for c in priya] == ["A paid panel", "Everyone, older"]
