"""/broadcast: a coordinator picks who gets it, writes it, sees it as members will, and sends it.

The steps are a list (handlers/shared/conversation.py asks the first missing one, then the preview,
whose buttons change one thing at a time); they use handlers/shared/awaiting.py, so the crisis net
still answers crisis words at any step and its "Carry on" button asks again for the step. The
draft lives in user_data and changes only when the coordinator asks: bad input gets a kind
message and the draft is kept.
"""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardMarkup,
    Update,
)
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.services.broadcasts import Draft, NoRecipients
from bot.textsplit import visible_units
from handlers import fallback
from handlers.broadcasts.content import absorb
from handlers.broadcasts.drafts import (
    DRAFTS,
    STEP_AUDIENCE,
    STEP_MESSAGE,
    STEP_RESUME,
    STEP_TIME,
)
from handlers.broadcasts.preview import show_preview
from handlers.shared import audience_picker, awaiting, groups
from handlers.shared.common import ForumApp, ForumContext, say, show
from handlers.shared.conversation import Refusal, Step
from handlers.shared.drafts import Press
from handlers.shared.formatting import audience_words, local_time, number
from handlers.shared.keyboards import Row, keyboard

logger = logging.getLogger(__name__)

# Runs before the crisis net (group -100) and only keeps a coordinator's draft text, so the
# text is not lost when the crisis net answers it; it never replies and never stops others.
CAPTURE_GROUP = groups.BROADCAST_DRAFT
_MEDIA = filters.PHOTO | filters.Document.ALL
_OTHER_ATTACHMENTS = (
    filters.VIDEO
    | filters.VOICE
    | filters.AUDIO
    | filters.Sticker.ALL
    | filters.ANIMATION
    | filters.VIDEO_NOTE
    | filters.LOCATION
    | filters.CONTACT
)


async def start(update: Update, context: ForumContext) -> None:
    """/broadcast: start a draft (coordinators only), or offer to carry on with one."""
    awaiting.clear(context)
    fresh = await context.services.broadcasts.begin(update.effective_user.id)
    old = DRAFTS.get(context)
    if old is not None and (old.audience is not None or old.has_content):
        await DRAFTS.ask_step(update, context, old, RESUME)
        return
    await DRAFTS.begin(update, context, fresh)


async def ask_resume(update: Update, context: ForumContext, draft: Draft) -> None:
    """A draft is kept: go on with it, or start again? (a button step until answered)"""
    markup = keyboard(
        [
            [DRAFTS.button(context, "broadcast.button_resume", draft, "resume")],
            [DRAFTS.button(context, "broadcast.button_fresh", draft, "fresh")],
        ]
    )
    await say(update, context, "broadcast.draft_exists", markup)


async def resume(update: Update, context: ForumContext, press: Press) -> Draft:
    """Carry on with the draft from where it was."""
    return press.draft


async def fresh(update: Update, context: ForumContext, press: Press) -> Draft:
    """Drop the old draft and start again."""
    return await context.services.broadcasts.begin(update.effective_user.id)


async def ask_message(update: Update, context: ForumContext, draft: Draft) -> None:
    """Say who it goes to and how many, and ask for the message."""
    assert draft.audience is not None
    services = context.services
    count = await services.broadcasts.audience_size(update.effective_user.id, draft.audience)
    if count == 0:
        await say(update, context, "broadcast.nobody")
        await DRAFTS.ask_step(update, context, draft, AUDIENCE)
        return
    markup = keyboard(
        [
            [DRAFTS.button(context, "broadcast.button_change_audience", draft, "aud")],
            DRAFTS.cancel_row(context, draft),
        ]
    )
    await say(
        update,
        context,
        "broadcast.ask_message",
        markup,
        audience=audience_words(services, draft.audience.label),
        count=number(count),
    )


async def capture(update: Update, context: ForumContext) -> None:
    """Before the crisis net: keep the draft text, so a crisis reply does not lose it."""
    draft = DRAFTS.get(context)
    if awaiting.current(context) != STEP_MESSAGE or update.effective_message is None or not draft:
        return
    updated = absorb(draft, update.effective_message)
    if updated is not None and visible_units(updated.text_html) <= 4096:
        DRAFTS.keep(context, updated)


async def read_message(update: Update, context: ForumContext, draft: Draft, text: str) -> Draft:
    """The text, photo or file for the draft (then the preview); a message too long is refused."""
    updated = absorb(draft, update.effective_message)
    if updated is None:
        raise Refusal("broadcast.stale")
    context.services.broadcasts.check_text(updated.text_html)
    return updated


async def on_media(update: Update, context: ForumContext) -> None:
    """A photo, file or other attachment: for the draft at the message step, else no wrong door."""
    step = awaiting.current(context)
    if step not in (STEP_MESSAGE, STEP_AUDIENCE, STEP_TIME) or DRAFTS.get(context) is None:
        await fallback.on_anything(update, context)
        return
    message = update.effective_message
    if step != STEP_MESSAGE:
        await say(update, context, "broadcast.media_not_now")
        await awaiting.prompt_again(update, context)
        return
    if not (message.photo or message.document):
        await say(update, context, "broadcast.media_unsupported")
        return
    await awaiting.take_text(update, context, "")  # the message step reads the photo or file


def _back_row(context: ForumContext, draft: Draft) -> list[Row]:
    """Back to the preview."""
    return [[DRAFTS.button(context, "broadcast.button_back", draft, "back")]]


def _time_buttons(context: ForumContext, draft: Draft) -> InlineKeyboardMarkup:
    """Back to the preview, or cancel."""
    return keyboard([*_back_row(context, draft), DRAFTS.cancel_row(context, draft)])


async def read_time(update: Update, context: ForumContext, draft: Draft, text: str) -> Draft:
    """A typed time for sending."""
    return draft.with_changes(send_at=context.services.broadcasts.read_time(text))


async def back(update: Update, context: ForumContext, press: Press) -> Draft:
    """Back to the preview (from the time step)."""
    return press.draft


async def toggle_urgent(update: Update, context: ForumContext, press: Press) -> Draft:
    """Urgent on or off, then the preview again."""
    return press.draft.with_changes(urgent=not press.draft.urgent)


async def toggle_groups(update: Update, context: ForumContext, press: Press) -> Draft:
    """Post it in the linked group chats too, or not; then the preview again."""
    return press.draft.with_changes(to_groups=not press.draft.to_groups)


async def remove_media(update: Update, context: ForumContext, press: Press) -> Draft:
    """Take the photo or file off, then the preview again."""
    return press.draft.with_changes(media=None)


async def send_now(update: Update, context: ForumContext, press: Press) -> None:
    """Send straight away (or after quiet hours, unless urgent)."""
    await _send(update, context, press.draft.with_changes(send_at=None))


async def _send(update: Update, context: ForumContext, draft: Draft) -> None:
    """Queue it; the draft is taken first so a double tap cannot send twice."""
    if not await DRAFTS.claim(update, context):
        return
    services = context.services
    try:
        queued = await services.broadcasts.send(update.effective_user.id, draft)
    except NoRecipients:
        DRAFTS.keep(context, draft)
        await say(update, context, "broadcast.nobody")
        await DRAFTS.ask_step(update, context, draft, AUDIENCE)
        return
    except BaseException:
        DRAFTS.keep(context, draft)  # nothing was queued: keep the draft for another try
        raise
    awaiting.clear(context)
    values = {"id": queued.number, "count": number(queued.recipients)}
    if queued.starts_at is None:
        text = services.texts.get("broadcast.queued_now", **values)
    else:
        time = local_time(services, queued.starts_at)
        text = services.texts.get("broadcast.queued_later", time=time, **values)
    if queued.groups:
        text += "\n" + services.texts.get("group_chats.broadcast_posted", groups=queued.groups)
    await show(update, context, text)


async def cancel_command(update: Update, context: ForumContext) -> None:
    """/cancel: throw away a broadcast draft, or stop any step waiting for text."""
    if DRAFTS.take(context) is not None:
        awaiting.clear(context)
        await say(update, context, "broadcast.cancelled")
    elif awaiting.current(context) is not None:
        awaiting.clear(context)
        await say(update, context, "broadcast.cancel_other")
    else:
        await say(update, context, "broadcast.cancel_nothing")


AUDIENCE = audience_picker.step(DRAFTS, awaits=STEP_AUDIENCE, back="aud", change="aud")


async def ask_groups(update: Update, context: ForumContext, draft: Draft) -> None:
    """When group chats are linked to the audience chosen: post it there too? Otherwise the
    question is not asked (the answer is no) and the next step follows."""
    assert draft.audience is not None
    services = context.services
    linked = await services.broadcasts.linked_groups(update.effective_user.id, draft.audience)
    if not linked:
        await DRAFTS.save_and_continue(update, context, draft.with_changes(to_groups=False))
        return
    rows = [
        [DRAFTS.button(context, "group_chats.button_ask_groups_yes", draft, "gy")],
        [DRAFTS.button(context, "group_chats.button_ask_groups_no", draft, "gn")],
        DRAFTS.cancel_row(context, draft),
    ]
    await say(update, context, "group_chats.ask_broadcast_groups", keyboard(rows), groups=linked)


async def groups_yes(update: Update, context: ForumContext, press: Press) -> Draft:
    """Post it in the linked group chats too."""
    return press.draft.with_changes(to_groups=True)


async def groups_no(update: Update, context: ForumContext, press: Press) -> Draft:
    """Members only."""
    return press.draft.with_changes(to_groups=False)


GROUPS = Step(
    ask=ask_groups,
    missing=lambda d: d.audience is not None and d.to_groups is None,
    presses={"gy": groups_yes, "gn": groups_no},
)
RESUME = Step(
    ask=ask_resume,
    awaits=STEP_RESUME,
    kind_line="setup.use_buttons",
    presses={"resume": resume, "fresh": fresh},
)
DRAFTS.define(
    [
        AUDIENCE,
        GROUPS,
        Step(
            missing=lambda d: not d.has_content,
            ask=ask_message,
            awaits=STEP_MESSAGE,
            read=read_message,
            prompt=DRAFTS.next,  # "Carry on": the preview, or the question if nothing is written
        ),
    ],
    extra=[
        Step(
            ask=DRAFTS.question("broadcast.ask_time", _back_row),
            awaits=STEP_TIME,
            read=read_time,
            refused=_time_buttons,
            change="time",
        ),
        RESUME,
    ],
    preview=show_preview,
    finish=_send,
    presses={
        "urgent": toggle_urgent,
        "groups": toggle_groups,
        "nomedia": remove_media,
        "back": back,
        "now": send_now,
    },
)


def register(app: ForumApp) -> None:
    """Add /broadcast, /cancel, the draft buttons, the steps and the media catcher."""
    private = filters.ChatType.PRIVATE
    DRAFTS.register(app)
    app.add_handler(
        MessageHandler(private & ((filters.TEXT & ~filters.COMMAND) | _MEDIA), capture),
        group=CAPTURE_GROUP,
    )
    app.add_handler(CommandHandler("broadcast", start, private))
    app.add_handler(CommandHandler("cancel", cancel_command, private))
    app.add_handler(MessageHandler(private & (_MEDIA | _OTHER_ATTACHMENTS), on_media))
