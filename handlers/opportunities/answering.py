"""Members' side of /opportunities: the open ones they may see (theirs first), "I'm
interested" with an optional note, "Not for me", and taking interest back."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.services.errors import ServiceError
from bot.services.opportunities import NOT_CHOSEN
from bot.services.opportunities.rules import NoteTooLong
from handlers.opportunities.codes import member_data, read_member
from handlers.opportunities.messages import OpportunityTexts, button
from handlers.shared import awaiting
from handlers.shared.common import ForumContext, answer, say, send, show_key
from handlers.shared.keyboards import back_to_menu, keyboard

MEMBER_LIMIT = 10
STEP_NOTE = "opportunity_note"
NOTE_FOR = "opportunity_note_for"  # user_data: the opportunity a note is being typed for


async def show_member_list(update: Update, context: ForumContext) -> None:
    """The open opportunities this member may see, one message each with its buttons."""
    services = context.services
    found = await services.opportunities.for_member(update.effective_user.id)
    if not found:
        await say(update, context, "opportunities.list_empty", back_to_menu(context))
        return
    renderer = OpportunityTexts.of(context.services)
    await say(update, context, "opportunities.list_header")
    for item in found[:MEMBER_LIMIT]:
        text, markup = renderer.card(item.opportunity, item.interest)
        await send(context, update.effective_chat.id, text, markup)
    if len(found) > MEMBER_LIMIT:
        await say(update, context, "opportunities.list_more")


def _note_buttons(context: ForumContext, opportunity_id: int) -> InlineKeyboardMarkup:
    """Send without a note, and Cancel."""
    plain = context.services.texts.plain
    return keyboard(
        [
            [button(plain("opportunities.button_without_note"), member_data("s", opportunity_id))],
            [button(plain("opportunities.button_cancel_note"), member_data("c", opportunity_id))],
        ]
    )


async def on_member_press(update: Update, context: ForumContext) -> None:
    """I'm interested, Not for me, Send without a note, Cancel, Take back my interest."""
    await answer(update, context)
    pressed = read_member(update.callback_query.data)
    services, user_id = context.services, update.effective_user.id
    opportunities = services.opportunities
    if pressed.verb == "i":
        opportunity = await opportunities.may_show_interest(user_id, pressed.opportunity_id)
        context.user_data[NOTE_FOR] = opportunity.id
        awaiting.expect(context, STEP_NOTE)
        await say(update, context, "opportunities.ask_note", _note_buttons(context, opportunity.id))
    elif pressed.verb == "s":
        await _send_interest(update, context, pressed.opportunity_id, None)
    elif pressed.verb == "c":
        _end_note(context)
        await show_key(update, context, "opportunities.note_cancelled")
    elif pressed.verb == "n":
        await say(update, context, "opportunities.not_for_me")
    elif pressed.verb == "w":
        opportunity = await opportunities.withdraw(user_id, pressed.opportunity_id)
        await say(update, context, "opportunities.withdrawn_done", title=opportunity.title)


def _end_note(context: ForumContext) -> None:
    """Leave the note step."""
    context.user_data.pop(NOTE_FOR, None)
    if awaiting.current(context) == STEP_NOTE:
        awaiting.clear(context)


async def _send_interest(
    update: Update, context: ForumContext, opportunity_id: int, note: str | None
) -> None:
    """Record the interest (the coordinator is told) and say so; the note step ends."""
    opportunities = context.services.opportunities
    try:
        new = await opportunities.interested(update.effective_user.id, opportunity_id, note)
    except NoteTooLong:
        await say(
            update, context, "opportunities.note_too_long", _note_buttons(context, opportunity_id)
        )
        return
    except ServiceError:
        _end_note(context)
        raise
    _end_note(context)
    found = await opportunities.one_for_member(update.effective_user.id, opportunity_id)
    if new:
        key = "opportunities.interest_sent"
    elif found.interest == NOT_CHOSEN:
        key = "opportunities.interest_not_chosen"
    else:
        key = "opportunities.interest_already"
    await say(update, context, key, title=found.opportunity.title)


async def on_note(update: Update, context: ForumContext, text: str) -> None:
    """The optional note, typed."""
    opportunity_id = context.user_data.get(NOTE_FOR)
    if not isinstance(opportunity_id, int):
        awaiting.clear(context)
        await say(update, context, "opportunities.note_step_gone")
        return
    await _send_interest(update, context, opportunity_id, text)


async def ask_note_again(update: Update, context: ForumContext) -> None:
    """ "Carry on" at the note step: ask for it again."""
    opportunity_id = context.user_data.get(NOTE_FOR)
    if not isinstance(opportunity_id, int):
        awaiting.clear(context)
        await say(update, context, "opportunities.note_step_gone")
        return
    await say(update, context, "opportunities.ask_note", _note_buttons(context, opportunity_id))
