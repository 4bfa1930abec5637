"""/broadcasts: recent messages to many people with their state, and stopping one that runs."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.delivery import BroadcastStatus
from bot.services.broadcasts import KIND
from bot.services.errors import InvalidChoice
from handlers import awaiting
from handlers.callbacks import decode, pattern
from handlers.common import (
    ForumApp,
    ForumContext,
    answer,
    button,
    keyboard,
    labelled,
    say,
    send,
    show_key,
)
from handlers.delivery_reports import audience_words, local_time, number

ACTION = "bcl"  # bcl:<stop|yes|no>:<broadcast id>


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


def _line(context: ForumContext, status: BroadcastStatus) -> str:
    """One broadcast in the list."""
    services = context.services
    broadcast = status.broadcast
    kind = "broadcast.kind_broadcast" if broadcast.kind == KIND else "broadcast.kind_other"
    return services.texts.get(
        "broadcast.list_line",
        kind=services.texts.plain(kind),
        id=broadcast.id,
        audience=audience_words(services, broadcast.audience),
        created=local_time(services, broadcast.created_at),
        urgent=services.texts.plain("broadcast.list_urgent") if broadcast.urgent else "",
        state=_state_words(context, status),
    )


async def list_broadcasts(update: Update, context: ForumContext) -> None:
    """/broadcasts: the newest first, with a stop button for each one still going."""
    awaiting.clear(context)
    statuses = await context.services.broadcasts.recent(update.effective_user.id)
    if not statuses:
        await say(update, context, "broadcast.list_empty")
        return
    texts = context.services.texts
    lines = [texts.get("broadcast.list_heading")]
    lines += [_line(context, status) for status in statuses]
    rows = [
        [labelled(texts.plain("broadcast.button_stop", id=status.id), ACTION, "stop", status.id)]
        for status in statuses
        if not status.finished and status.state != "cancelled"
    ]
    markup = keyboard(rows) if rows else None
    await send(context, update.effective_chat.id, "\n\n".join(lines), markup)


async def on_button(update: Update, context: ForumContext) -> None:
    """Stop (asks first), yes (stops it) or no (keeps it going); checked in the service."""
    await answer(update, context)
    callback = decode(update.callback_query.data, ACTION)
    what, broadcast_id = callback.arg(0), callback.int_arg(1)
    services = context.services
    actor = update.effective_user.id
    status = await services.broadcasts.get(actor, broadcast_id)
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
            id=broadcast_id,
            done=number(status.counts.settled),
            total=number(status.counts.total),
        )
    elif what == "yes":
        cancelled = await services.broadcasts.cancel(actor, broadcast_id)
        await show_key(
            update, context, "broadcast.stopped", None, id=broadcast_id, n=number(cancelled)
        )
    elif what == "no":
        await show_key(update, context, "broadcast.stop_kept", None, id=broadcast_id)
    else:
        raise InvalidChoice


def register(app: ForumApp) -> None:
    """Add /broadcasts and its buttons."""
    app.add_handler(CommandHandler("broadcasts", list_broadcasts, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern(ACTION)))
