"""/broadcasts: coordinators' recent messages to members, and apart from them the bot's own
notices (meeting invitations, reminders, consultation messages, urgent contact notices ...),
each with its state and, by name and why, who did not get it; stopping one that runs, and
sending one again to the people counted "not sure"."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.delivery import BroadcastStatus
from bot.delivery.reach import WHYS, Missed
from bot.services.errors import InvalidChoice
from handlers.broadcasts.reports import (
    LIST_ACTION,
    MISSED_READ,
    kind_words,
    missed_total,
    not_sure_left,
)
from handlers.reach_messages import ReachTexts
from handlers.shared import awaiting
from handlers.shared.callbacks import decode, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, say, send, show_key
from handlers.shared.formatting import audience_words, local_time, number
from handlers.shared.keyboards import button, keyboard, labelled

ACTION = LIST_ACTION  # bcl:<stop|yes|no|again>:<broadcast id>


def _state_words(context: ForumContext, status: BroadcastStatus) -> str:
    """Where a broadcast stands, in words."""
    texts = context.services.texts
    counts = status.counts
    if status.finished:
        key = "broadcast.state_stopped" if status.state == "cancelled" else "broadcast.state_done"
        return texts.get(key, delivered=number(counts.delivered), total=number(counts.total))
    if status.state == "cancelled":
        return texts.get("broadcast.state_stopping")
    if status.waiting_until is not None:
        return texts.get(
            "broadcast.state_waiting", time=local_time(context.services, status.waiting_until)
        )
    return texts.get(
        "broadcast.state_sending", done=number(counts.settled), total=number(counts.total)
    )


def _line(context: ForumContext, status: BroadcastStatus, missed: Sequence[Missed]) -> str:
    """One broadcast in the list, with who did not get it."""
    services = context.services
    texts = services.texts
    broadcast = status.broadcast
    marks = [texts.plain("broadcast.list_urgent")] if broadcast.urgent else []
    if broadcast.resend_of is not None:
        marks.append(texts.plain("broadcast.list_again"))
    values = {
        "kind": kind_words(services, broadcast),
        "id": broadcast.number,
        "created": local_time(services, broadcast.created_at),
        "urgent": " ".join(marks),
        "state": _state_words(context, status),
    }
    if broadcast.by_coordinator:
        text = texts.get(
            "broadcast.list_line",
            audience=audience_words(services, broadcast.audience),
            **values,
        )
    else:
        text = texts.get("broadcast.notice_line", **values)
    short = ReachTexts(texts).missed_short(missed, missed_total(status, missed))
    return f"{text}\n{short}" if short else text


def _buttons(
    context: ForumContext, status: BroadcastStatus, missed: Sequence[Missed]
) -> list[InlineKeyboardButton]:
    """Stop one still going; send one again to those "not sure"."""
    texts = context.services.texts
    broadcast = status.broadcast
    found = []
    if not status.finished and status.state != "cancelled":
        if broadcast.by_coordinator:
            label = texts.plain("broadcast.button_stop", id=broadcast.number)
        else:
            label = texts.plain(
                "broadcast.button_stop_notice",
                kind=kind_words(context.services, broadcast),
                id=broadcast.number,
            )
        found.append(labelled(label, ACTION, "stop", status.id))
    left = not_sure_left(missed)
    if status.finished and left:
        label = texts.plain(
            "reach.resend_button_for",
            kind=kind_words(context.services, broadcast),
            id=broadcast.number,
            n=number(left),
        )
        found.append(labelled(label, ACTION, "again", status.id))
    return found


async def list_broadcasts(update: Update, context: ForumContext) -> None:
    """/broadcasts: coordinators' messages, then the bot's own notices, newest first, with
    who did not get each one, and buttons to stop one or send it again."""
    awaiting.clear(context)
    services = context.services
    actor = update.effective_user.id
    messages = await services.broadcasts.recent(actor)
    notices = await services.broadcasts.notices(actor)
    if not messages and not notices:
        await say(update, context, "broadcast.list_empty")
        return
    texts = services.texts
    blocks: list[str] = []
    rows: list[list[InlineKeyboardButton]] = []
    everyone_missed: list[Missed] = []
    for heading, statuses in (
        ("broadcast.list_heading", messages),
        ("broadcast.list_heading_notices", notices),
    ):
        if not statuses and heading == "broadcast.list_heading":
            blocks.append(texts.get("broadcast.list_empty"))
            continue
        if not statuses:
            continue
        blocks.append(texts.get(heading))
        for status in statuses:
            missed = await services.broadcasts.missed(actor, status.id, MISSED_READ)
            everyone_missed += missed
            blocks.append(_line(context, status, missed))
            rows += [[found] for found in _buttons(context, status, missed)]
    steps = [
        texts.get(f"reach.next_{why}")
        for why in WHYS
        if any(person.why == why and not person.sent_again for person in everyone_missed)
    ]
    if steps:
        blocks.append("\n".join([texts.get("reach.next_heading"), *steps]))
    await send(
        context, update.effective_chat.id, "\n\n".join(blocks), keyboard(rows) if rows else None
    )


async def on_button(update: Update, context: ForumContext) -> None:
    """Stop (asks first), yes (stops it), no (keeps it going), or again (sends it once more
    to those "not sure"); checked in the service."""
    await answer(update, context)
    callback = decode(update.callback_query.data, ACTION)
    what, broadcast_id = callback.arg(0), callback.int_arg(1)
    services = context.services
    actor = update.effective_user.id
    status = await services.broadcasts.get(actor, broadcast_id)
    shown = status.broadcast.number
    if what == "stop":
        markup = keyboard(
            [
                [button(context, "broadcast.button_stop_yes", ACTION, "yes", broadcast_id)],
                [button(context, "broadcast.button_stop_no", ACTION, "no", broadcast_id)],
            ]
        )
        await say(
            update,
            context,
            "broadcast.stop_confirm",
            markup,
            id=shown,
            done=number(status.counts.settled),
            total=number(status.counts.total),
        )
    elif what == "yes":
        cancelled = await services.broadcasts.cancel(actor, broadcast_id)
        await show_key(update, context, "broadcast.stopped", None, id=shown, n=number(cancelled))
    elif what == "no":
        await show_key(update, context, "broadcast.stop_kept", None, id=shown)
    elif what == "again":
        note = services.texts.get("reach.resend_note") + "\n\n"
        resent = await services.broadcasts.resend_uncertain(actor, broadcast_id, note)
        if resent:
            await say(update, context, "reach.resend_done", None, n=resent)
        else:
            await say(update, context, "reach.resend_nobody")
    else:
        raise InvalidChoice


def register(app: ForumApp) -> None:
    """Add /broadcasts and its buttons (also the delivery report's "send again")."""
    app.add_handler(CommandHandler("broadcasts", list_broadcasts, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern(ACTION)))
