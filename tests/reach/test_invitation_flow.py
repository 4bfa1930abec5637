"""Invitation links, whole bot against the emulator: a decision-maker granted before they
ever opened the bot, a consultation closes and its pack cannot reach them (coordinators are
warned once), they open the link and get a welcome in their role and the waiting pack, in
order, and the coordinator who granted is told. A link that is out of date, used, made up or
someone else's gets a kind line and the normal start, and sends nothing."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.consultations.world import CASEY, DAYTIME, draft, seed, start_bot, whole_pack
from tests.e2e.harness import RunningBot

pytestmark = pytest.mark.timeout(120)

DANA = 900_000_301  # made a decision-maker before she ever opened the bot
ROBIN = 900_000_302  # someone else
LINK = re.compile(r"https://t\.me/forum_test_bot\?start=([A-Za-z0-9_-]+)")
QUESTION = "Should hub meetings move to evenings?"


def text_of(record: MessageRecord) -> str:
    """What a person reads in a message."""
    return (record.text or "") + (record.caption or "")


def token_in(record: MessageRecord) -> str:
    """The token of the invitation link in a message."""
    found = LINK.search(record.text or "")
    assert found, record.text
    return found.group(1)


def sent(emu: BotApiEmulator, chat_id: int) -> list[MessageRecord]:
    """Everything the bot sent to a chat, in order."""
    return [record for kind, record in emu.chat(chat_id).events if kind == "sent"]


def count(emu: BotApiEmulator, chat_id: int, words: str) -> int:
    """Bot messages in a chat containing ``words``."""
    return sum(1 for record in sent(emu, chat_id) if words in text_of(record))


async def grant_dana(bot: RunningBot) -> MessageRecord:
    """Casey makes Dana a decision-maker; return the reply."""
    return await bot.say(CASEY, f"/grant {DANA} decision-maker")


async def test_a_decision_maker_who_never_opened_the_bot_gets_the_waiting_pack_by_the_link(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        emu.add_user(DANA, "Dana")  # she has never opened the bot

        # The bot cannot be sure she has not opened it: the link comes with "if".
        first = await grant_dana(bot)
        assert "is now a decision-maker" in first.text
        assert "If they have not opened the bot yet" in first.text
        assert "It works once, for 14 days" in first.text
        first_token = token_in(first)

        # A consultation chosen for her closes; its pack cannot reach her.
        consultations = bot.services.consultations
        consultation = await consultations.create(CASEY, draft(clock, readers=(DANA,)))
        await consultations.close_now(CASEY, consultation.id)
        await whole_pack(emu, CASEY)  # Casey's own pack arrives
        warning = await emu.wait_for_message(
            CASEY, lambda m: "Results not delivered" in text_of(m), timeout=15
        )
        assert QUESTION in warning.text
        assert "has not opened the bot yet" in warning.text
        assert f"/grant {DANA} decision-maker" in warning.text
        # Once per pack and person: later sweeps (and the other parts failing) add nothing.
        await bot.services.reach.sweep()
        await asyncio.sleep(1.5)
        assert count(emu, CASEY, "Results not delivered") == 1
        assert sent(emu, DANA) == []

        # Now the bot knows: the new link says so, and the first one stops working.
        second = await grant_dana(bot)
        assert "is already a decision-maker" in second.text
        assert "They have not opened the bot yet, so I cannot send them anything" in second.text
        token = token_in(second)
        assert token != first_token
        assert first_token not in second.text

        # Dana opens the link: a welcome in her role, then the pack that was waiting.
        await emu.send_text(DANA, f"/start {token}")
        welcome = await emu.wait_for_message(DANA, lambda m: "Welcome" in text_of(m), timeout=10)
        assert "You are now a decision-maker" in welcome.text
        assert "/results" in welcome.text
        assert re.search(r"\d+ messages were waiting for you", welcome.text)
        pack = await whole_pack(emu, DANA, comments=False)
        assert pack[0].message_id == welcome.message_id  # the welcome came first
        assert not any("Comments" in text_of(record) for record in pack)
        assert any(QUESTION in text_of(record) for record in pack)

        told = await emu.wait_for_message(
            CASEY, lambda m: "opened the link you sent" in text_of(m), timeout=10
        )
        assert "Dana opened the link you sent" in told.text
        assert "decision-maker" in told.text
        assert re.search(r"I have sent them the \d+ messages that were waiting", told.text)

        # Opening it again: she is told she is all set; nothing is sent twice.
        before = len(sent(emu, DANA))
        again = await bot.say(DANA, f"/start {token}")
        assert "used this link already" in again.text
        await bot.next(DANA)  # then the normal start
        await asyncio.sleep(1.5)
        assert count(emu, DANA, "Welcome. You are now") == 1
        assert len([m for m in sent(emu, DANA)[before:] if m.photo or m.document]) == 0
        assert count(emu, CASEY, "opened the link you sent") == 1

        # The old link was ended by the newer one.
        old = await bot.say(DANA, f"/start {first_token}")
        assert "out of date" in old.text

        # She can be reached now: the next /grant gives no link.
        third = await grant_dana(bot)
        assert "is already a decision-maker" in third.text
        assert "t.me/" not in third.text
        actions = [
            row["action"] for row in await bot.services.db.fetch_all("SELECT action FROM audit_log")
        ]
        assert actions.count("invitation.made") == 2
        assert actions.count("invitation.used") == 1


@pytest.mark.parametrize("case", ["expired", "forged", "someone_else"])
async def test_a_link_that_does_not_work_gets_a_kind_line_and_the_normal_start(
    tmp_path: Path, emu: BotApiEmulator, case: str
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        emu.add_user(DANA, "Dana")
        emu.add_user(ROBIN, "Robin")
        token = token_in(await grant_dana(bot))
        who, expected = DANA, "out of date"
        if case == "expired":
            clock.advance(timedelta(days=14, seconds=1))
        elif case == "forged":
            token, expected = "A" * 32, "this link does not work"
        else:
            who, expected = ROBIN, "made for someone else"

        kind = await bot.say(who, f"/start {token}")
        assert expected in kind.text
        assert "ask" in kind.text.lower()
        normal = await bot.next(who)
        assert "welcome to the National Service User Forum" in normal.text
        privacy = await bot.next(who)
        assert "Before you join" in privacy.text

        await asyncio.sleep(1.5)
        assert count(emu, who, "You are now a decision-maker") == 0
        assert count(emu, CASEY, "opened the link") == 0
        used = await bot.services.db.fetch_value(
            "SELECT COUNT(*) FROM invitations WHERE used_at IS NOT NULL"
        )
        assert used == 0


async def test_only_a_hash_of_the_token_is_kept(tmp_path: Path, emu: BotApiEmulator) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        emu.add_user(DANA, "Dana")
        token = token_in(await grant_dana(bot))
        rows = await bot.services.db.fetch_all("SELECT * FROM invitations")
        assert len(rows) == 1
        assert all(token not in str(value) for value in dict(rows[0]).values())
        assert rows[0]["telegram_id"] == DANA and rows[0]["role"] == "decision_maker"


async def test_a_decision_maker_who_opens_the_bot_without_the_link_gets_the_waiting_pack(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    """Someone who finds the bot and presses Start, without the link, is a role holder all the
    same: what could not reach them arrives, once."""
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        emu.add_user(DANA, "Dana")
        await grant_dana(bot)
        consultations = bot.services.consultations
        consultation = await consultations.create(CASEY, draft(clock, readers=(DANA,)))
        await consultations.close_now(CASEY, consultation.id)
        await whole_pack(emu, CASEY)
        await emu.wait_for_message(
            CASEY, lambda m: "Results not delivered" in text_of(m), timeout=15
        )
        assert sent(emu, DANA) == []

        await emu.send_text(DANA, "/start")

        pack = await whole_pack(emu, DANA, comments=False)
        assert any(QUESTION in text_of(record) for record in pack)
        delivered = len(sent(emu, DANA))
        await emu.send_text(DANA, "/start")  # again: nothing is sent twice
        await emu.wait_for_message(DANA, lambda m: "Before you join" in text_of(m), timeout=10)
        await asyncio.sleep(1.5)
        again = [m for m in sent(emu, DANA)[delivered:] if QUESTION in text_of(m)]
        assert again == []
