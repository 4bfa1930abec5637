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
from bot.services.roles import COORDINATOR as COORDINATOR_ROLE
from bot.services.roles import DECISION_MAKER, READER
from bot.texts import Texts

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


def commands_for(texts: Texts, roles: set[str]) -> list[BotCommand]:
    """The menu of someone holding these roles (no role: the members' menu)."""
    names = list(MEMBER)
    if COORDINATOR_ROLE in roles:
        names += COORDINATOR
    else:
        if DECISION_MAKER in roles:
            names.append("results")
        if READER in roles:  # the progression report, beside what else they have
            names.append("progression")
    return [BotCommand(name, texts.plain(f"commands.{name}")) for name in names]


async def set_command_menus(bot: Bot, services: Services) -> None:
    """Set every menu: the default one, each role holder's, and the groups' one."""
    texts = services.texts
    for commands, scope in (
        (commands_for(texts, set()), BotCommandScopeDefault()),
        ([BotCommand(name, texts.plain(f"commands.{name}")) for name in GROUP],
         BotCommandScopeAllGroupChats()),
    ):  # fmt: skip
        try:
            await bot.set_my_commands(commands, scope=scope)
        except TelegramError as exc:
            logger.warning("could not register a command menu: %s", type(exc).__name__)
    holders: dict[int, set[str]] = {}
    for role, people in (
        (COORDINATOR_ROLE, await services.roles.coordinators()),
        (DECISION_MAKER, await services.roles.decision_makers()),
        (READER, await services.roles.report_readers()),
    ):
        for person in people:
            holders.setdefault(person, set()).add(role)
    for chat_id, roles in holders.items():
        await _set_personal_menu(bot, chat_id, commands_for(texts, roles))


async def refresh_command_menu(bot: Bot, services: Services, telegram_id: int) -> None:
    """Set one person's menu again after their roles changed (a grant, a revoke, or opening
    an invitation link), so a new coordinator sees /broadcast without a restart, and someone
    with no role left sees the members' menu."""
    roles = await services.roles.roles_of(telegram_id)
    if roles:
        await _set_personal_menu(bot, telegram_id, commands_for(services.texts, roles))
        return
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(telegram_id))
    except TelegramError as exc:
        logger.info("role command menu not removed: %s", type(exc).__name__)


async def _set_personal_menu(bot: Bot, chat_id: int, commands: list[BotCommand]) -> None:
    """Set the menu Telegram shows one person in their chat with the bot."""
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        # Someone who has not opened a chat with the bot yet: not essential.
        logger.info("role command menu not set: %s", type(exc).__name__)
