"""Who sees which consultation commands: coordinators get /newpoll, /polls and /results in
their command menu and /help; decision-makers get /results; members get neither."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import Clock
from emulator import BotApiEmulator
from tests.consultations.world import CASEY, DAYTIME, NW, seed, start_bot

pytestmark = pytest.mark.timeout(60)

DANA = 910_000_001


async def test_each_role_sees_its_own_commands(tmp_path: Path, emu: BotApiEmulator) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        emu.add_user(DANA, "Dana")
        emu.chat(DANA).started = True
        await bot.services.roles.grant(CASEY, DANA, "decision_maker")
    # Menus are set at start-up, so start again now that Dana holds the role.
    async with start_bot(tmp_path, emu, clock) as bot:
        coordinator_menu = emu.commands_for(f"chat:{CASEY}")
        assert {"newpoll", "polls", "results"} <= set(coordinator_menu)
        decision_maker_menu = emu.commands_for(f"chat:{DANA}")
        assert "results" in decision_maker_menu
        assert "newpoll" not in decision_maker_menu
        assert not {"newpoll", "polls", "results"} & set(emu.commands_for("default"))

        await bot.say(CASEY, "/help")
        casey_help = await bot.next(CASEY)
        assert "/newpoll" in casey_help.text and "/results" in casey_help.text

        await bot.say(DANA, "/help")
        dana_help = await bot.next(DANA)
        assert "/results" in dana_help.text and "/newpoll" not in dana_help.text

        member_help = await bot.say(NW[0], "/help")
        assert "/results" not in member_help.text
        assert "/newpoll" not in member_help.text


async def test_a_role_given_or_taken_changes_that_persons_menu_at_once(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    """/grant and /revoke set the person's menu straight away, without a restart: a new
    decision-maker sees /results, a new coordinator /broadcast, and with no role left the
    personal menu goes (Telegram then shows the members' one)."""
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        emu.add_user(DANA, "Dana")
        emu.chat(DANA).started = True
        assert emu.commands_for(f"chat:{DANA}") == []

        await bot.say(CASEY, f"/grant {DANA} decision-maker")
        assert "results" in emu.commands_for(f"chat:{DANA}")
        assert "broadcast" not in emu.commands_for(f"chat:{DANA}")

        await bot.say(CASEY, f"/grant {DANA} coordinator")
        assert {"broadcast", "newpoll", "results"} <= set(emu.commands_for(f"chat:{DANA}"))

        await bot.say(CASEY, f"/revoke {DANA} coordinator")
        dana_menu = emu.commands_for(f"chat:{DANA}")
        assert "results" in dana_menu and "broadcast" not in dana_menu

        await bot.say(CASEY, f"/revoke {DANA} decision-maker")
        assert emu.commands_for(f"chat:{DANA}") == []
        assert "menu" in emu.commands_for("default")
