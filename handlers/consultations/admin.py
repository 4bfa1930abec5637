"""/polls for coordinators: the consultations open now or planned, with exact counts and
buttons to close early, give more time or take one down; the ones closed lately, with their
results again and a button for "You said, we did" (handlers/consultations/followup.py).

Every press is checked again by the consultation service (role, id and state)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.services.consultations import (
    SCHEDULED,
    Consultation,
    ConsultationClosed,
    ConsultationGone,
    Progress,
)
from bot.services.errors import InvalidChoice, NotAllowed, ServiceError
from handlers.consultations.answers import messages
from handlers.consultations.followup import FOLLOW
from handlers.consultations.results import RESULTS
from handlers.shared import awaiting
from handlers.shared.callbacks import pattern
from handlers.shared.common import (
    Card,
    ForumApp,
    ForumContext,
    Listing,
    coordinator_press,
    say,
    send_each,
    show_key,
)
from handlers.shared.formatting import audience_words, number
from handlers.shared.keyboards import button, keyboard

MANAGE = "pa"  # pa:<id>:<c|cy|e|et|x|xy|keep>, or pa:<id>:ed:<new closing time, unix seconds>
CURRENT = Listing("polladmin.list_header", "polladmin.list_empty", 10, "polladmin.list_more")
RECENT = Listing("polladmin.recent_header", "polladmin.recent_empty", 5)
QUICK_MORE_TIME = (
    ("polladmin.button_day", 1),
    ("polladmin.button_3_days", 3),
    ("polladmin.button_week", 7),
)
STEP_CLOSE_TIME = "consultation_admin_close_time"
STEP_CHOICE = "consultation_admin_choice"  # a button step: close now? take it down?
STEP_MORE_TIME = "consultation_admin_more_time"  # how much more time? (buttons, or a typed time)
CHOICES = ("c", "x", "e")
CHOOSING = "consultation_admin_choosing"  # user_data: (consultation id, one of CHOICES) being asked
EXTENDING = "consultation_admin_extending"  # user_data: the one getting a typed closing time


# /polls


async def list_command(update: Update, context: ForumContext) -> None:
    """/polls: open and planned consultations with counts, then those closed lately (the
    service refuses anyone who is not a coordinator)."""
    awaiting.clear(context)
    await show_current(update, context)
    await show_recent(update, context)


async def show_current(update: Update, context: ForumContext) -> None:
    """One message per open or planned consultation, with its buttons."""
    services = context.services
    renderer = messages(context)

    async def card(item: Progress) -> Card:
        """The consultation with its counts and buttons."""
        consultation = item.consultation
        key = (
            "polladmin.item_scheduled" if consultation.state == SCHEDULED else "polladmin.item_open"
        )
        text = services.texts.get(
            key,
            question=consultation.question,
            audience=audience_words(services, consultation.audience_label),
            opens=messages(context).when(consultation.opens_at),
            closes=renderer.closes(consultation),
            invited=number(item.invited),
            answered=number(item.answered),
        )
        markup = keyboard(
            [
                [
                    button(context, "polladmin.button_close", MANAGE, consultation.id, "c"),
                    button(context, "polladmin.button_extend", MANAGE, consultation.id, "e"),
                ],
                [button(context, "polladmin.button_cancel", MANAGE, consultation.id, "x")],
            ]
        )
        return text, markup

    listed = await services.consultations.current(update.effective_user.id)
    await send_each(update, context, CURRENT, listed, card)


async def show_recent(update: Update, context: ForumContext) -> None:
    """Consultations closed lately: results again, and "You said, we did"."""
    services = context.services

    async def card(consultation: Consultation) -> Card:
        """The question, when it closed, and its results and follow-up buttons."""
        text = services.texts.get(
            "polladmin.recent_item",
            question=consultation.question,
            closed=messages(context).when(consultation.closed_at or consultation.closes_at),
        )
        markup = keyboard(
            [
                [
                    button(context, "polladmin.button_results", RESULTS, consultation.id),
                    button(context, "polladmin.button_followup", FOLLOW, consultation.id, "w"),
                ]
            ]
        )
        return text, markup

    closed = await services.consultations.readable(update.effective_user.id)
    await send_each(update, context, RECENT, closed, card)


# Close now, more time, take down


async def on_manage(update: Update, context: ForumContext) -> None:
    """Close now, more time or take down (each checked again in the service)."""
    callback = await coordinator_press(update, context, MANAGE, "change consultation")
    consultation_id, what = callback.int_arg(0), callback.arg(1)
    services = context.services
    user_id = update.effective_user.id
    consultation = await services.consultations.get(consultation_id)
    if what in CHOICES:
        await _ask_choice(update, context, consultation, what)
        return
    _done_choosing(context, consultation_id)
    if what == "cy":
        closed = await services.consultations.close_now(user_id, consultation_id)
        await show_key(update, context, "polladmin.closed_done", None, question=closed.question)
    elif what == "xy":
        told = await services.consultations.cancel(user_id, consultation_id)
        key = "polladmin.cancelled_done" if told else "polladmin.cancelled_done_planned"
        await show_key(update, context, key, None, count=number(told))
    elif what == "keep":
        await show_key(update, context, "polladmin.kept")
    elif what == "ed":
        await _extend_to(update, context, consultation, callback.int_arg(2))
    elif what == "et":
        context.user_data[EXTENDING] = consultation_id
        awaiting.expect(context, STEP_CLOSE_TIME)
        await ask_close_time(update, context)
    else:
        raise InvalidChoice


async def _ask_choice(
    update: Update, context: ForumContext, consultation: Consultation, what: str
) -> None:
    """Ask, as a new message, "close it now?", "take it down?" or "how much more time?";
    the question is a button step until it is answered."""
    cid = consultation.id
    context.user_data[CHOOSING] = (cid, what)
    if what == "e":  # tap a quick button, or type a closing time
        context.user_data[EXTENDING] = cid
        awaiting.expect(context, STEP_MORE_TIME)
        await _offer_more_time(update, context, consultation)
        return
    awaiting.expect(context, STEP_CHOICE)
    if what == "c":
        markup = keyboard(
            [
                [button(context, "polladmin.button_yes_close", MANAGE, cid, "cy")],
                [button(context, "polladmin.button_keep", MANAGE, cid, "keep")],
            ]
        )
        await say(
            update, context, "polladmin.close_confirm", markup, question=consultation.question
        )
    else:
        told = await _invited_now(context, update.effective_user.id, cid)
        markup = keyboard(
            [
                [button(context, "polladmin.button_yes_cancel", MANAGE, cid, "xy")],
                [button(context, "polladmin.button_keep", MANAGE, cid, "keep")],
            ]
        )
        key = "polladmin.cancel_confirm" if told else "polladmin.cancel_confirm_planned"
        await say(update, context, key, markup, question=consultation.question, count=number(told))


async def prompt_choice(update: Update, context: ForumContext) -> None:
    """Ask the close / take down / more time question again (after a crisis reply, say)."""
    choosing = context.user_data.get(CHOOSING)
    if not (isinstance(choosing, tuple) and len(choosing) == 2 and choosing[1] in CHOICES):
        awaiting.clear(context)
        await say(update, context, "errors.stale_choice")
        return
    consultation_id, what = choosing
    try:
        await context.services.roles.require_coordinator(
            update.effective_user.id, "change consultation"
        )
        consultation = await context.services.consultations.get(consultation_id)
    except ServiceError:
        _done_choosing(context, consultation_id)
        raise
    await _ask_choice(update, context, consultation, what)


def _done_choosing(context: ForumContext, consultation_id: int) -> None:
    """The question about this consultation is answered: its step ends."""
    choosing = context.user_data.get(CHOOSING)
    if isinstance(choosing, tuple) and choosing[0] == consultation_id:
        context.user_data.pop(CHOOSING, None)
        context.user_data.pop(EXTENDING, None)
        if awaiting.current(context) in (STEP_CHOICE, STEP_MORE_TIME):
            awaiting.clear(context)


async def _invited_now(context: ForumContext, user_id: int, consultation_id: int) -> int:
    """How many were asked an open or planned consultation (0 when planned)."""
    for item in await context.services.consultations.current(user_id):
        if item.consultation.id == consultation_id:
            return item.invited
    return 0


async def _offer_more_time(
    update: Update, context: ForumContext, consultation: Consultation
) -> None:
    """Quick buttons (a day, three days, a week after the current closing time, same local
    clock time) or type a time."""
    zone = context.services.settings.zone
    local_close = consultation.closes_at.astimezone(zone)
    rows = []
    for key, days in QUICK_MORE_TIME:
        later = (local_close + timedelta(days=days)).astimezone(UTC)
        rows.append([button(context, key, MANAGE, consultation.id, "ed", int(later.timestamp()))])
    rows.append([button(context, "polladmin.button_type_time", MANAGE, consultation.id, "et")])
    rows.append([button(context, "polladmin.button_keep", MANAGE, consultation.id, "keep")])
    await say(
        update,
        context,
        "polladmin.extend_choose",
        keyboard(rows),
        question=consultation.question,
        closes=messages(context).closes(consultation),
    )


async def _extend_to(
    update: Update, context: ForumContext, consultation: Consultation, seconds: int
) -> None:
    """A quick more-time button; pressing it twice changes nothing more."""
    try:
        closes_at = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidChoice from None
    if consultation.closes_at != closes_at:
        consultation = await context.services.consultations.extend(
            update.effective_user.id, consultation.id, closes_at
        )
    await _extended(update, context, consultation, edit=True)


async def _extended(
    update: Update, context: ForumContext, consultation: Consultation, edit: bool
) -> None:
    """Say the new closing time."""
    values = {
        "question": consultation.question,
        "closes": messages(context).closes(consultation),
    }
    if edit:
        await show_key(update, context, "polladmin.extended_done", None, **values)
    else:
        await say(update, context, "polladmin.extended_done", **values)


async def ask_close_time(update: Update, context: ForumContext) -> None:
    """Ask for the new closing time (again)."""
    await say(update, context, "polladmin.ask_close_time")


async def on_close_time(update: Update, context: ForumContext, text: str) -> None:
    """A typed closing time: read in local time, then the service moves the deadline; a time
    it refuses gets its kind reason and another go."""
    services = context.services
    consultation_id = context.user_data.get(EXTENDING)
    if not isinstance(consultation_id, int):
        awaiting.clear(context)
        await say(update, context, "errors.stale_choice")
        return
    try:
        closes_at = services.consultations.read_time(text)
        consultation = await services.consultations.extend(
            update.effective_user.id, consultation_id, closes_at
        )
    except ServiceError as error:
        if isinstance(error, ConsultationGone | ConsultationClosed | NotAllowed):
            _done_extending(context)  # nothing more to extend: no point asking again
        await say(update, context, error.reason)
        return
    _done_extending(context)
    await _extended(update, context, consultation, edit=False)


def _done_extending(context: ForumContext) -> None:
    """Forget the consultation getting more time."""
    context.user_data.pop(EXTENDING, None)
    context.user_data.pop(CHOOSING, None)
    awaiting.clear(context)


def register(app: ForumApp) -> None:
    """Add /polls, its buttons and the typed steps."""
    private = filters.ChatType.PRIVATE
    awaiting.define(STEP_CLOSE_TIME, on_close_time, ask_close_time)
    awaiting.define_buttons(STEP_CHOICE, prompt_choice, "setup.use_buttons")
    awaiting.define(STEP_MORE_TIME, on_close_time, prompt_choice)
    app.add_handler(CommandHandler("polls", list_command, private))
    app.add_handler(CallbackQueryHandler(on_manage, pattern(MANAGE)))
