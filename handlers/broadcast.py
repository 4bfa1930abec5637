"""/broadcast: a coordinator picks who gets it, writes it, sees it as members will, and sends it.

The steps use handlers/awaiting.py, so the crisis net still answers crisis words at any step
and its "Carry on" button asks again for the step. The draft lives in user_data and changes
only when the coordinator asks: bad input gets a kind message and the draft is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.delivery import DOCUMENT, PHOTO, Audience, Media
from bot.delivery.content import plan
from bot.localtime import local_clock, same_local_day
from bot.services.broadcasts import Draft, MessageTooLong, NoRecipients
from bot.services.errors import InvalidChoice, ServiceError
from bot.textsplit import visible_units
from handlers import audience_picker, awaiting, fallback
from handlers.callbacks import pattern
from handlers.common import (
    ForumApp,
    ForumContext,
    keyboard,
    labelled,
    patiently,
    say,
    send,
    show_key,
)
from handlers.delivery_reports import audience_words, local_time, number
from handlers.drafts import DraftStore

logger = logging.getLogger(__name__)

Args = tuple[str, ...]  # a button's arguments after the draft id and the action
STEP_AUDIENCE = "broadcast_audience"
STEP_MESSAGE = "broadcast_message"
STEP_TIME = "broadcast_time"
STEP_RESUME = "broadcast_resume"  # a button step: go on with the kept draft, or start again
ACTION = "bc"  # bc:<draft id>:<what>[:<place id>]
# Runs before the crisis net (group -100) and only keeps a coordinator's draft text, so the
# text is not lost when the crisis net answers it; it never replies and never stops others.
CAPTURE_GROUP = -101
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


DRAFTS = DraftStore(
    ACTION, key="broadcast_draft", kind=Draft, texts="broadcast.", buttons="broadcast.button_"
)


async def start(update: Update, context: ForumContext) -> None:
    """/broadcast: start a draft (coordinators only), or offer to carry on with one."""
    awaiting.clear(context)
    fresh = await context.services.broadcasts.begin(update.effective_user.id)
    old = DRAFTS.get(context)
    if old is not None and (old.audience is not None or old.has_content):
        await ask_resume(update, context)
        return
    DRAFTS.keep(context, fresh)
    await ask_audience(update, context)


async def ask_resume(update: Update, context: ForumContext) -> None:
    """A draft is kept: go on with it, or start again? (a button step until answered)"""
    draft = await DRAFTS.ask(update, context, STEP_RESUME)
    if draft is None:
        return
    markup = keyboard(
        [
            [DRAFTS.button(context, "broadcast.button_resume", draft, "resume")],
            [DRAFTS.button(context, "broadcast.button_fresh", draft, "fresh")],
        ]
    )
    await say(update, context, "broadcast.draft_exists", markup)


async def ask_audience(update: Update, context: ForumContext) -> None:
    """Who should get it: everyone, a region or a hub."""
    await audience_picker.ask(update, context, DRAFTS, STEP_AUDIENCE)


async def ask_message(update: Update, context: ForumContext) -> None:
    """Say who it goes to and how many, and ask for the message."""
    draft = DRAFTS.get(context)
    if draft is None or draft.audience is None:
        await ask_audience(update, context)
        return
    services = context.services
    count = await services.broadcasts.count(update.effective_user.id, draft.audience)
    if count == 0:
        await say(update, context, "broadcast.nobody")
        await ask_audience(update, context)
        return
    awaiting.expect(context, STEP_MESSAGE)
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


async def show_preview(update: Update, context: ForumContext) -> None:
    """The message exactly as members will see it, then who, when, and the buttons."""
    draft = DRAFTS.get(context)
    if draft is None or draft.audience is None:
        await ask_audience(update, context)
        return
    if not draft.has_content:
        await ask_message(update, context)
        return
    services = context.services
    awaiting.expect(context, STEP_MESSAGE)
    try:
        await _send_as_members_see_it(update, context, draft)
    except BadRequest:
        await say(update, context, "broadcast.preview_failed")
        return
    count = await services.broadcasts.count(update.effective_user.id, draft.audience)
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
    await send(context, update.effective_chat.id, text, _preview_buttons(context, draft))


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


def _preview_buttons(context: ForumContext, draft: Draft) -> InlineKeyboardMarkup:
    """Send now (or, at night, at the end of quiet hours) or at the chosen time, choose a time,
    urgent, remove media, change, cancel."""
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
    if draft.media is not None:
        rows.append([DRAFTS.button(context, "broadcast.button_remove_media", draft, "nomedia")])
    rows.append([DRAFTS.button(context, "broadcast.button_change_audience", draft, "aud")])
    rows.append(DRAFTS.cancel_row(context, draft))
    return keyboard(rows)


async def _send_as_members_see_it(update: Update, context: ForumContext, draft: Draft) -> None:
    """Send the draft to the coordinator through the same plan the engine uses."""
    chat_id = update.effective_chat.id
    bot = context.bot
    for call in plan(draft.text_html, draft.media, None):
        params = call.params
        if call.method == "sendMessage":
            await patiently(
                lambda text=params["text"]: bot.send_message(
                    chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            )
        elif call.method == "sendPhoto":
            await patiently(
                lambda p=params: bot.send_photo(
                    chat_id, p["photo"], caption=p.get("caption"), parse_mode=ParseMode.HTML
                )
            )
        else:
            await patiently(
                lambda p=params: bot.send_document(
                    chat_id, p["document"], caption=p.get("caption"), parse_mode=ParseMode.HTML
                )
            )


def _absorb(context: ForumContext, message: Message) -> Draft | None:
    """Put a message's text, photo or file into the draft; None if it holds neither."""
    draft = DRAFTS.get(context)
    if draft is None:
        return None
    if message.text:
        return draft.with_changes(text_html=message.text_html)
    media = None
    if message.photo:
        media = Media(PHOTO, message.photo[-1].file_id)
    elif message.document:
        media = Media(DOCUMENT, message.document.file_id)
    if media is None:
        return None
    text_html = message.caption_html if message.caption else draft.text_html
    return draft.with_changes(media=media, text_html=text_html)


async def capture(update: Update, context: ForumContext) -> None:
    """Before the crisis net: keep the draft text, so a crisis reply does not lose it."""
    if awaiting.current(context) != STEP_MESSAGE or update.effective_message is None:
        return
    updated = _absorb(context, update.effective_message)
    if updated is not None and visible_units(updated.text_html) <= 4096:
        DRAFTS.keep(context, updated)


async def on_message_text(update: Update, context: ForumContext, text: str) -> None:
    """The message text arrived: keep it and show the preview."""
    await _take_message(update, context)


async def _take_message(update: Update, context: ForumContext) -> None:
    """Keep the text, photo or file in the draft and show the preview; refuse kindly."""
    updated = _absorb(context, update.effective_message)
    if updated is None:
        await say(update, context, "broadcast.stale")
        return
    try:
        context.services.broadcasts.check_text(updated.text_html)
    except MessageTooLong:
        await say(update, context, "broadcast.too_long")
        return
    DRAFTS.keep(context, updated)
    await show_preview(update, context)


async def on_media(update: Update, context: ForumContext) -> None:
    """A photo, file or other attachment: for the draft at the message step, else no wrong door."""
    step = awaiting.current(context)
    if step not in (STEP_MESSAGE, STEP_AUDIENCE, STEP_TIME) or DRAFTS.get(context) is None:
        await fallback.on_anything(update, context)
        return
    message = update.effective_message
    if step != STEP_MESSAGE:
        await say(update, context, "broadcast.media_not_now")
        await _prompt(step)(update, context)
        return
    if not (message.photo or message.document):
        await say(update, context, "broadcast.media_unsupported")
        return
    await _take_message(update, context)


async def on_audience_text(update: Update, context: ForumContext, text: str) -> None:
    """Text typed where a button was expected: say so and ask again."""
    await say(update, context, "broadcast.use_buttons")
    await ask_audience(update, context)


async def ask_time(update: Update, context: ForumContext) -> None:
    """When should it go out? With examples."""
    draft = await DRAFTS.ask(update, context, STEP_TIME)
    if draft is None:
        return
    await say(update, context, "broadcast.ask_time", _time_buttons(context, draft))


def _time_buttons(context: ForumContext, draft: Draft) -> InlineKeyboardMarkup:
    """Back to the preview, or cancel."""
    return keyboard(
        [
            [DRAFTS.button(context, "broadcast.button_back", draft, "back")],
            DRAFTS.cancel_row(context, draft),
        ]
    )


async def on_time_text(update: Update, context: ForumContext, text: str) -> None:
    """A typed time: keep it and show the preview, or explain what went wrong."""
    draft = await DRAFTS.current(update, context)
    if draft is None:
        return
    try:
        when = context.services.broadcasts.read_time(text)
    except ServiceError as error:
        await say(update, context, error.reason, _time_buttons(context, draft))
        return
    DRAFTS.keep(context, draft.with_changes(send_at=when))
    await show_preview(update, context)


def _prompt(step: str) -> Callable[[Update, ForumContext], Awaitable[None]]:
    """The function that asks again for a step."""
    return {STEP_AUDIENCE: ask_audience, STEP_MESSAGE: show_preview, STEP_TIME: ask_time}[step]


async def on_button(update: Update, context: ForumContext) -> None:
    """Every draft button; the draft id must match and the role is checked again."""
    press = await DRAFTS.pressed(update, context, "broadcast")
    if press is None:
        return
    if press.what in audience_picker.PRESSES:
        back = [DRAFTS.button(context, "broadcast.button_back", press.draft, "aud")]
        audience = await audience_picker.on_press(update, context, DRAFTS, press, back)
        if audience is not None:
            await _set_audience(update, context, press.draft, audience)
        return
    handler = _BUTTONS.get(press.what)
    if handler is None:
        raise InvalidChoice
    await handler(update, context, press.draft, press.args)


async def _set_audience(
    update: Update, context: ForumContext, draft: Draft, audience: Audience
) -> None:
    """Keep the audience, then ask for the message (or preview one already written)."""
    DRAFTS.keep(context, draft.with_changes(audience=audience))
    if draft.has_content:
        await show_preview(update, context)
    else:
        await ask_message(update, context)


async def _change_audience(update: Update, context: ForumContext, draft: Draft, args: Args) -> None:
    """Back to choosing who gets it."""
    await ask_audience(update, context)


async def _toggle_urgent(update: Update, context: ForumContext, draft: Draft, args: Args) -> None:
    """Urgent on or off, then the preview again."""
    DRAFTS.keep(context, draft.with_changes(urgent=not draft.urgent))
    await show_preview(update, context)


async def _remove_media(update: Update, context: ForumContext, draft: Draft, args: Args) -> None:
    """Take the photo or file off, then the preview again."""
    DRAFTS.keep(context, draft.with_changes(media=None))
    await show_preview(update, context)


async def _choose_time(update: Update, context: ForumContext, draft: Draft, args: Args) -> None:
    """Ask when it should go out."""
    await ask_time(update, context)


async def _back(update: Update, context: ForumContext, draft: Draft, args: Args) -> None:
    """Back to the preview from the time step."""
    await show_preview(update, context)


async def _resume(update: Update, context: ForumContext, draft: Draft, args: Args) -> None:
    """Carry on with the draft from where it was."""
    await show_preview(update, context)


async def _fresh(update: Update, context: ForumContext, draft: Draft, args: Args) -> None:
    """Drop the old draft and start again."""
    DRAFTS.keep(context, await context.services.broadcasts.begin(update.effective_user.id))
    await ask_audience(update, context)


async def _cancel(update: Update, context: ForumContext, draft: Draft, args: Args) -> None:
    """Throw the draft away; nothing is sent."""
    await DRAFTS.cancel_pressed(update, context)


async def _send_now(update: Update, context: ForumContext, draft: Draft, args: Args) -> None:
    """Send straight away (or after quiet hours, unless urgent)."""
    await _send(update, context, draft.with_changes(send_at=None))


async def _send_at(update: Update, context: ForumContext, draft: Draft, args: Args) -> None:
    """Send at the chosen time."""
    await _send(update, context, draft)


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
        await ask_audience(update, context)
        return
    except BaseException:
        DRAFTS.keep(context, draft)  # nothing was queued: keep the draft for another try
        raise
    awaiting.clear(context)
    values = {"id": queued.number, "count": number(queued.recipients)}
    if queued.starts_at is None:
        await show_key(update, context, "broadcast.queued_now", None, **values)
    else:
        await show_key(
            update,
            context,
            "broadcast.queued_later",
            None,
            time=local_time(services, queued.starts_at),
            **values,
        )


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


_BUTTONS = {
    "aud": _change_audience,
    "urgent": _toggle_urgent,
    "nomedia": _remove_media,
    "time": _choose_time,
    "back": _back,
    "resume": _resume,
    "fresh": _fresh,
    "cancel": _cancel,
    "now": _send_now,
    "go": _send_at,
}


def register(app: ForumApp) -> None:
    """Add /broadcast, /cancel, the draft buttons, the steps and the media catcher."""
    private = filters.ChatType.PRIVATE
    awaiting.define(STEP_AUDIENCE, on_audience_text, ask_audience)
    awaiting.define(STEP_MESSAGE, on_message_text, show_preview)
    awaiting.define(STEP_TIME, on_time_text, ask_time)
    awaiting.define_buttons(STEP_RESUME, ask_resume, "setup.use_buttons")
    app.add_handler(
        MessageHandler(private & ((filters.TEXT & ~filters.COMMAND) | _MEDIA), capture),
        group=CAPTURE_GROUP,
    )
    app.add_handler(CommandHandler("broadcast", start, private))
    app.add_handler(CommandHandler("cancel", cancel_command, private))
    app.add_handler(CallbackQueryHandler(on_button, pattern(ACTION)))
    app.add_handler(MessageHandler(private & (_MEDIA | _OTHER_ATTACHMENTS), on_media))
