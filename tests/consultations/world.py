"""The world consultation flows run in: Casey the coordinator, seven North West members and
two in the Midlands, the real bot on the emulator with no quiet hours, and a ready draft."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import Clock
from bot.delivery import Audience
from bot.delivery.audience import EVERYONE
from bot.services.consultations.rules import ConsultationDraft
from emulator import BotApiEmulator
from emulator.records import MessageRecord
from tests.e2e.harness import RunningBot, running_bot

CASEY = 900_000_001
DAYTIME = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)  # Thursday, 14:30 in London
NW = [600_000_001 + n for n in range(7)]
MIDLANDS = [600_000_101, 600_000_102]


def start_bot(tmp_path: Path, emu: BotApiEmulator, clock: Clock, **settings: object):
    """The real bot with Casey as coordinator; no quiet hours unless the settings give some."""
    emu.add_user(CASEY, "Casey")
    emu.chat(CASEY).started = True
    chosen: dict[str, object] = {"quiet_hours_start": 0, "quiet_hours_end": 0, **settings}
    return running_bot(tmp_path, emu, clock=clock, coordinator_ids=[CASEY], **chosen)


async def seed(bot: RunningBot) -> None:
    """Seven members in North West and two in the Midlands."""
    for member_id, region in [(m, "north_west") for m in NW] + [(m, "midlands") for m in MIDLANDS]:
        bot.emu.add_user(member_id, f"Member{member_id % 1000}")
        bot.emu.chat(member_id).started = True
        await bot.services.members.join(member_id, f"Member{member_id % 1000}")
        await bot.services.members.choose_region(member_id, region)
        await bot.services.members.finish_setup(member_id)


def draft(clock: Clock, **overrides: object) -> ConsultationDraft:
    """A national yes / no / not sure question closing in two days."""
    values: dict[str, object] = {
        "question": "Should hub meetings move to evenings?",
        "options": ("Yes", "No", "Not sure"),
        "multiple": False,
        "ask_comment": True,
        "audience": Audience(EVERYONE),
        "closes_at": clock.now() + timedelta(days=2),
        "member_note": "The national board reads the results. No names are shared.",
    }
    values.update(overrides)
    return ConsultationDraft(**values)  # type: ignore[arg-type]


async def invitation(bot: RunningBot, member_id: int) -> MessageRecord:
    """The question as it arrived in a member's chat."""
    return await bot.emu.wait_for_message(
        member_id, lambda m: bool(m.text and "evenings" in m.text), timeout=10
    )


async def wait_until(condition, wait_seconds: float = 10.0) -> None:
    """Poll an async condition until it holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    while not await condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def whole_pack(
    emu: BotApiEmulator, chat_id: int, *, comments: bool = True, since: int = 0
) -> list[MessageRecord]:
    """Wait until a results pack has fully arrived in a chat (chart, full text, CSV and, for
    coordinators, the comments), then read past it; return what the bot sent from ``since``.
    The parts are separate messages, so they may arrive in any order."""

    def sent() -> list[MessageRecord]:
        chat = emu.chat(chat_id)
        return [record for kind, record in chat.events[since:] if kind == "sent"]

    def complete() -> bool:
        records = sent()
        texts = [record.text or "" for record in records]
        needed = [
            any(record.photo is not None for record in records),
            any(record.document is not None for record in records),
            any(text.startswith("Results") for text in texts),
        ]
        if comments:
            needed.append(any(text.startswith(("Comments", "No comments")) for text in texts))
        return all(needed)

    async def arrived() -> bool:
        return complete()

    await wait_until(arrived, 20)
    emu.chat(chat_id).read_cursor = len(emu.chat(chat_id).events)
    return sent()
