"""Invitation links in Telegram: the lines /grant adds for someone who has not opened the bot
(``https://t.me/<bot username>?start=<token>``, the username PTB read with getMe), and opening
one with /start <token>."""

from __future__ import annotations

from telegram import Update

from bot.command_menus import refresh_command_menu
from bot.services.invitations import EXPIRED, NOT_YOURS, USED, WELCOMED, WITHDRAWN
from bot.services.reach import BLOCKED_BOT, NOT_OPENED
from handlers.shared.common import ForumContext, say

_OFFER_KEYS = {NOT_OPENED: "invite.not_opened", BLOCKED_BOT: "invite.blocked"}
_REFUSAL_KEYS = {
    USED: "invite.link_used",
    EXPIRED: "invite.link_expired",
    NOT_YOURS: "invite.link_not_yours",
    WITHDRAWN: "invite.link_withdrawn",
}


def link_for(context: ForumContext, token: str) -> str:
    """The link that opens the bot with this token."""
    return f"https://t.me/{context.bot.username}?start={token}"


async def invitation_lines(
    context: ForumContext, actor: int, target: int, role: str, name: str | None
) -> str:
    """After a grant: a link to pass on (with how sure the bot is that they need it), or ""
    when the bot knows they have opened it."""
    services = context.services
    offer = await services.invitations.offer(actor, target, role, name)
    if offer is None:
        return ""
    key = _OFFER_KEYS.get(offer.reach, "invite.unsure")
    return "\n\n" + services.texts.get(key, link=link_for(context, offer.token), days=offer.days)


async def open_link(update: Update, context: ForumContext, token: str) -> bool:
    """/start <token>: True when the link welcomed them (the welcome and what was waiting
    come through the delivery engine, in order); else a kind line, and False so the normal
    start follows."""
    user = update.effective_user
    opening = await context.services.invitations.open(user.id, user.first_name, token)
    if opening.result == WELCOMED:
        # Their chat with the bot exists now, so their role's menu can be set.
        await refresh_command_menu(context.bot, context.services, user.id)
        return True
    await say(update, context, _REFUSAL_KEYS.get(opening.result, "invite.link_unknown"))
    return False
