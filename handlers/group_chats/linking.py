"""/link and /unlink in a group: a coordinator chooses the whole forum, a region or a hub with
buttons (posted in the topic /link was sent in, which becomes the topic the bot posts in).
Anyone else gets a short refusal that reveals nothing; every press is checked again."""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.delivery.audience import EVERYONE, HUB, REGION
from handlers.group_chats.words import place_words
from handlers.shared.callbacks import BadCallback, decode, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, patiently, say, show_key
from handlers.shared.keyboards import button, keyboard, labelled

ACTION = "gl"  # gl:<what>:<topic>[:<place>]: e (whole forum), r (a region's hubs), R (a
# region), h (a hub), b (back to regions), x (cancel). <topic> is the thread /link was sent in
# (0: none): a press's message is read without its topic (bot/http_request.py), so it travels
# in the buttons.


def _regions(context: ForumContext, topic: int) -> InlineKeyboardMarkup:
    """The whole forum, each region, and cancel."""
    forum = context.services.forum
    rows = [[button(context, "group_chats.whole_forum", ACTION, "e", topic)]]
    rows += [[labelled(region.name, ACTION, "r", topic, region.id)] for region in forum.regions]
    rows.append([button(context, "group_chats.cancel", ACTION, "x", topic)])
    return keyboard(rows)


def _hubs(context: ForumContext, region_id: str, topic: int) -> InlineKeyboardMarkup:
    """All of a region, each of its hubs, back and cancel."""
    region = context.services.forum.region(region_id)
    assert region is not None
    texts = context.services.texts
    everywhere = texts.plain("group_chats.all_of_region", region=region.name)
    rows = [[labelled(everywhere, ACTION, "R", topic, region.id)]]
    rows += [[labelled(hub.name, ACTION, "h", topic, hub.id)] for hub in region.hubs]
    rows.append(
        [
            button(context, "group_chats.back", ACTION, "b", topic),
            button(context, "group_chats.cancel", ACTION, "x", topic),
        ]
    )
    return keyboard(rows)


def _topic_of(update: Update) -> int:
    """The topic a command was sent in, or 0."""
    message = update.effective_message
    return message.message_thread_id or 0 if message.is_topic_message else 0


async def link_command(update: Update, context: ForumContext) -> None:
    """/link in a group: a coordinator gets the choice of place; anyone else a refusal."""
    services = context.services
    if not await services.group_chats.is_coordinator(update.effective_user.id):
        await say(update, context, "group_chats.only_coordinators")
        return
    group = await services.group_chats.get(update.effective_chat.id)
    places = _regions(context, _topic_of(update))
    if group is not None and group.linked:
        where = place_words(services, group.scope, group.place)
        await say(update, context, "group_chats.ask_place_now", places, place=where)
        return
    await say(update, context, "group_chats.ask_place", places)


async def unlink_command(update: Update, context: ForumContext) -> None:
    """/unlink in a group: a coordinator unlinks it; anyone else gets a refusal."""
    services = context.services
    actor = update.effective_user.id
    if not await services.group_chats.is_coordinator(actor):
        await say(update, context, "group_chats.only_coordinators")
        return
    done = await services.group_chats.unlink(actor, update.effective_chat.id)
    await say(update, context, "group_chats.unlinked" if done else "group_chats.not_linked")


async def on_button(update: Update, context: ForumContext) -> None:
    """A press on the place question: only a coordinator's counts, and the choice is checked
    again against the forum file; anything else is answered on the press alone (in front of
    the group, nothing is posted)."""
    services = context.services
    if not await services.group_chats.is_coordinator(update.effective_user.id):
        await _alert(update, context, "group_chats.only_coordinators")
        return
    try:
        press = decode(update.callback_query.data, ACTION)
        what, topic = press.arg(0), press.int_arg(1)
        place = press.arg(2) if what in ("r", "R", "h") else None
    except BadCallback:
        what, topic, place = "?", 0, None
    forum = services.forum
    if (what in ("r", "R") and forum.region(place) is None) or (
        what == "h" and forum.hub(place) is None
    ):
        what = "?"
    if what not in ("x", "b", "r", "e", "R", "h"):
        await _alert(update, context, "errors.stale_choice")
        return
    await answer(update, context)
    if what == "x":
        await show_key(update, context, "group_chats.cancelled")
    elif what == "b":
        await show_key(update, context, "group_chats.ask_place", _regions(context, topic))
    elif what == "r":
        region = forum.region(place)
        markup = _hubs(context, region.id, topic)
        await show_key(update, context, "group_chats.ask_hub", markup, region=region.name)
    else:
        scope = {"e": EVERYONE, "R": REGION, "h": HUB}[what]
        await _link(update, context, scope, place, topic or None)


async def _alert(update: Update, context: ForumContext, key: str) -> None:
    """Answer a press with a note only the presser sees."""
    text = context.services.texts.plain(key)
    with contextlib.suppress(BadRequest):
        await patiently(lambda: update.callback_query.answer(text, show_alert=True))


async def _link(
    update: Update, context: ForumContext, scope: str, place: str | None, thread_id: int | None
) -> None:
    """Link the group where the button was pressed, posting in the topic /link was sent in."""
    chat = update.effective_chat
    group = await context.services.group_chats.link(
        update.effective_user.id, chat.id, chat.title or "", chat.type, scope, place, thread_id
    )
    topic = context.services.texts.plain("group_chats.topic_line") if thread_id else ""
    where = place_words(context.services, group.scope, group.place)
    await show_key(update, context, "group_chats.linked", None, place=where, topic=topic)


def register(app: ForumApp) -> None:
    """Add /link, /unlink and the place buttons (groups only)."""
    groups = filters.ChatType.GROUPS
    app.add_handler(CommandHandler("link", link_command, groups))
    app.add_handler(CommandHandler("unlink", unlink_command, groups))
    app.add_handler(CallbackQueryHandler(on_button, pattern(ACTION)))
