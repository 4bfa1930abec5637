"""The command menus Telegram shows: members', coordinators', decision-makers' and readers'
in private chats, and the two group commands in groups. A menu that cannot be set is not
essential and is only logged."""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.error import TelegramError

from bot.services.registry import Services

logger = logging.getLogger(__name__)

MEMBER = (
    "menu",
    "meetings",
    "surveys",
    "support",
    "settings",
    "opportunities",
    "mydata",
    "journey",
    "leave",
    "help",
)
COORDINATOR = (
    "members",
    "grant",
    "revoke",
    "audit",
    "broadcast",
    "broadcasts",
    "newmeeting",
    "newpoll",
    "polls",
    "newsurvey",
    "series",
    "newopportunity",
    "results",
    "attendance",
    "retention",
    "contribution",
    "progression",
    "groups",
)
GROUP = ("link", "unlink")  # in a group, for coordinators (anyone else is refused)


async def set_command_menus(bot: Bot, services: Services) -> None:
    """Set every menu: the default one, each role holder's, and the groups' one."""
    texts = services.texts

    def menu(names: tuple[str, ...]) -> list[BotCommand]:
        return [BotCommand(name, texts.plain(f"commands.{name}")) for name in names]

    member_commands = menu(MEMBER)
    coordinator_commands = member_commands + menu(COORDINATOR)
    decision_maker_commands = [*member_commands, *menu(("results",))]
    for commands, scope in (
        (member_commands, BotCommandScopeDefault()),
        (menu(GROUP), BotCommandScopeAllGroupChats()),
    ):
        try:
            await bot.set_my_commands(commands, scope=scope)
        except TelegramError as exc:
            logger.warning("could not register a command menu: %s", type(exc).__name__)
    coordinators = await services.roles.coordinators()
    readers = [r for r in await services.roles.decision_makers() if r not in coordinators]
    menus = [(c, coordinator_commands) for c in coordinators]
    menus += [(r, decision_maker_commands) for r in readers]
    # Readers of the progression report get /progression beside what else they have.
    progression = menu(("progression",))
    for reader in await services.roles.report_readers():
        if reader not in coordinators:
            menus.append((reader, [*dict(menus).get(reader, member_commands), *progression]))
    for chat_id, commands in menus:
        try:
            await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
        except TelegramError as exc:
            # Someone who has not opened a chat with the bot yet: not essential.
            logger.info("role command menu not set: %s", type(exc).__name__)
