"""The /broadcast preview: the message as members will see it, then who, when, and the
buttons that change one thing at a time."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.localtime import local_clock, same_local_day
from bot.services.broadcasts import Draft
from handlers.broadcasts.content import send_as_members_see_it
from handlers.broadcasts.drafts import ACTION, DRAFTS
from handlers.shared.common import ForumContext, say, send
from handlers.shared.formatting import audience_words, local_time, number
from handlers.shared.keyboards import keyboard, labelled


async def show_preview(update: Update, context: ForumContext, draft: Draft) -> None:
    """The message exactly as members will see it, then who, when, and the buttons."""
    assert draft.audience is not None
    services = context.services
    try:
        await send_as_members_see_it(update, context, draft)
    except BadRequest:
        await say(update, context, "broadcast.preview_failed")
        return
    count = await services.broadcasts.audience_size(update.effective_user.id, draft.audience)
    starts = services.broadcasts.starts_at(draft)
    if starts is None:
        when = services.texts.get("broadcast.when_now")
    elif draft.send_at is not None and starts == draft.send_at:
        when = services.texts.get("broadcast.when_at", time=local_time(services, starts))
    else:
        when = services.texts.get("broadcast.when_after_quiet", time=local_time(services, starts))
    urgent = services.texts.get("broadcast.urgent_on" if draft.urgent else "broadcast.urgent_off")
    text = services.texts.get(
        "broadcast.preview_summary",
        audience=audience_words(services, draft.audience.label),
        count=number(count),
        when=when,
        urgent=urgent,
    )
    linked = await services.broadcasts.linked_groups(update.effective_user.id, draft.audience)
    if linked:
        key = (
            "group_chats.broadcast_groups_on"
            if draft.to_groups
            else "group_chats.broadcast_groups_off"
        )
        text += "\n\n" + services.texts.get(key, groups=linked)
    markup = _preview_buttons(context, draft, linked)
    await send(context, update.effective_chat.id, text, markup)


def _send_now_button(
    context: ForumContext, draft: Draft, key: str, key_at_night: str
) -> InlineKeyboardButton:
    """'Send now'; at night (quiet hours, and not urgent) it says when it will really go: 'Send
    at 08:00', or 'Send at 08:00 tomorrow' before midnight."""
    services = context.services
    starts = services.broadcasts.starts_at(draft.with_changes(send_at=None))
    if starts is None:
        return DRAFTS.button(context, key, draft, "now")
    zone = services.settings.zone
    time = local_clock(starts, zone)
    if not same_local_day(starts, services.clock.now(), zone):
        time = services.texts.plain("broadcast.time_tomorrow", time=time)
    return labelled(services.texts.plain(key_at_night, time=time), ACTION, draft.id, "now")


def _preview_buttons(context: ForumContext, draft: Draft, linked: int) -> InlineKeyboardMarkup:
    """Send now (or, at night, at the end of quiet hours) or at the chosen time, choose a time,
    urgent, the linked group chats too (when there are any), remove media, change, cancel."""
    texts = context.services.texts
    rows = []
    if draft.send_at is None:
        rows.append(
            [
                _send_now_button(
                    context, draft, "broadcast.button_send_now", "broadcast.button_send_morning"
                )
            ]
        )
        rows.append([DRAFTS.button(context, "broadcast.button_choose_time", draft, "time")])
    else:
        label = texts.plain(
            "broadcast.button_send_at", time=local_time(context.services, draft.send_at)
        )
        rows.append([labelled(label, ACTION, draft.id, "go")])
        rows.append(
            [
                DRAFTS.button(context, "broadcast.button_change_time", draft, "time"),
                _send_now_button(
                    context,
                    draft,
                    "broadcast.button_now_instead",
                    "broadcast.button_send_morning",
                ),
            ]
        )
    urgent_key = "broadcast.button_not_urgent" if draft.urgent else "broadcast.button_urgent"
    rows.append([DRAFTS.button(context, urgent_key, draft, "urgent")])
    if linked:
        key = "group_chats.button_groups_off" if draft.to_groups else "group_chats.button_groups_on"
        rows.append([DRAFTS.button(context, key, draft, "groups")])
    if draft.media is not None:
        rows.append([DRAFTS.button(context, "broadcast.button_remove_media", draft, "nomedia")])
    rows.append([DRAFTS.button(context, "broadcast.button_change_audience", draft, "aud")])
    rows.append(DRAFTS.cancel_row(context, draft))
    return keyboard(rows)
