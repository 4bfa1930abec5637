"""Someone who tapped a button in a group: /start help gives the crisis reply to anyone; for a
member, /start meetings shows their meetings (with the answer buttons) and /start say what they
can have their say on. Otherwise the start goes on as usual."""

from __future__ import annotations

from telegram import Update

from bot.delivery.group_posts import HELP, MEETINGS, SAY
from handlers.consultations.answers import show_have_your_say
from handlers.crisis import crisis_keyboard
from handlers.crisis_messages import crisis_text
from handlers.meetings.listing import show_member_list
from handlers.shared.common import ForumContext, send


async def help_from_group(update: Update, context: ForumContext, payload: str | None) -> bool:
    """/start help (a group's "Help now" button): the crisis reply, for anyone."""
    if payload != HELP:
        return False
    reply = crisis_text(context.services.texts)
    await send(context, update.effective_chat.id, reply, crisis_keyboard(context, carry_on=False))
    return True


async def open_from_group(update: Update, context: ForumContext, payload: str | None) -> bool:
    """Show what a group post's button points to; False when it points to nothing special."""
    if payload == MEETINGS:
        await show_member_list(update, context, edit=False)
        return True
    if payload == SAY:
        await show_have_your_say(update, context)
        return True
    return False
