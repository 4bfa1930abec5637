""" "You said, we did": a coordinator writes what came of a closed consultation, sees it as
members will, and sends it to everyone who was asked (from /polls' recent list). The text is
kept before the crisis net sees it, so a crisis reply does not lose it."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.services.consultations import (
    CLOSED,
    MAX_FOLLOWUP,
    StillOpen,
    TextInvalid,
)
from bot.services.errors import InvalidChoice
from handlers.consultations.answers import messages
from handlers.shared import awaiting, groups
from handlers.shared.callbacks import decode, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, say, send, show_key
from handlers.shared.formatting import number
from handlers.shared.keyboards import button, keyboard

FOLLOW = "paf"  # paf:<id>:<w write|send|edit|stop>
STEP_FOLLOWUP = "consultation_admin_followup"
FOLLOWUP = "consultation_admin_followup_draft"  # user_data: the FollowupDraft being written
# Before the crisis net (-100) and broadcast's own keeper (-101): only keeps the follow-up
# text, so a crisis reply to a coordinator's wording does not lose it; never replies.
CAPTURE_GROUP = groups.FOLLOWUP_DRAFT


@dataclass(frozen=True)
class FollowupDraft:
    """A "You said, we did" message being written for one closed consultation."""

    consultation_id: int
    text: str | None = None


def _draft(context: ForumContext) -> FollowupDraft | None:
    """The follow-up being written, if any."""
    draft = context.user_data.get(FOLLOWUP)
    return draft if isinstance(draft, FollowupDraft) else None


def _tidy(text: str) -> str | None:
    """Follow-up text as it would be sent, or None when it is empty or too long."""
    text = text.strip()
    return text if text and len(text) <= MAX_FOLLOWUP else None


# You said, we did


async def on_follow(update: Update, context: ForumContext) -> None:
    """Start, send, change or drop a "You said, we did" message."""
    callback = decode(update.callback_query.data, FOLLOW)
    consultation_id, what = callback.int_arg(0), callback.arg(1)
    services = context.services
    user_id = update.effective_user.id
    await services.roles.require_coordinator(user_id, "consultation follow-up")
    if what == "w":
        consultation = await services.consultations.get(consultation_id)
        if consultation.state != CLOSED:
            raise StillOpen
        await answer(update, context)
        context.user_data[FOLLOWUP] = FollowupDraft(consultation_id)
        await ask_followup(update, context)
        return
    draft = _draft(context)
    if draft is None or draft.consultation_id != consultation_id:
        raise InvalidChoice
    if what == "send" and draft.text is not None:
        context.user_data.pop(FOLLOWUP, None)  # taken before any wait: a second press finds none
    await answer(update, context)
    if what == "send":
        await _send_followup(update, context, draft)
    elif what == "edit":
        await ask_followup(update, context)
    elif what == "stop":
        _done_following_up(context)
        await show_key(update, context, "polladmin.followup_dropped")
    else:
        raise InvalidChoice


async def ask_followup(update: Update, context: ForumContext) -> None:
    """Ask for the follow-up text; after a crisis reply, show the kept draft again."""
    draft = _draft(context)
    if draft is None:
        awaiting.clear(context)
        await say(update, context, "errors.stale_choice")
        return
    awaiting.expect(context, STEP_FOLLOWUP)
    consultation = await context.services.consultations.get(draft.consultation_id)
    await say(update, context, "polladmin.ask_followup", question=consultation.question)


async def prompt_followup(update: Update, context: ForumContext) -> None:
    """Ask again for the step: the preview when a text is kept, else the question."""
    draft = _draft(context)
    if draft is not None and draft.text is not None:
        await show_followup_preview(update, context, draft)
    else:
        await ask_followup(update, context)


async def on_followup_text(update: Update, context: ForumContext, text: str) -> None:
    """The follow-up text: kept and previewed; empty or too long gets a kind word, and any
    earlier text stays kept."""
    draft = _draft(context)
    if draft is None:
        awaiting.clear(context)
        await say(update, context, "errors.stale_choice")
        return
    if not text.strip():
        await say(update, context, "polladmin.followup_empty")
        return
    tidy = _tidy(text)
    if tidy is None:
        await say(update, context, "polladmin.followup_too_long")
        return
    draft = FollowupDraft(draft.consultation_id, tidy)
    context.user_data[FOLLOWUP] = draft
    await show_followup_preview(update, context, draft)


async def show_followup_preview(
    update: Update, context: ForumContext, draft: FollowupDraft
) -> None:
    """The message exactly as members will get it, then how many and Send / Change / Cancel.
    Typing again replaces the text."""
    services = context.services
    assert draft.text is not None
    consultation = await services.consultations.get(draft.consultation_id)
    count = await services.consultations.followup_count(
        update.effective_user.id, draft.consultation_id
    )
    if count == 0:
        _done_following_up(context)
        await say(update, context, "polladmin.followup_nobody")
        return
    awaiting.expect(context, STEP_FOLLOWUP)
    preview, _ = messages(context).followup(consultation, draft.text)
    await send(context, update.effective_chat.id, preview)
    cid = draft.consultation_id
    markup = keyboard(
        [
            [
                button(context, "polladmin.button_send", FOLLOW, cid, "send"),
                button(context, "polladmin.button_change", FOLLOW, cid, "edit"),
            ],
            [button(context, "polladmin.button_stop", FOLLOW, cid, "stop")],
        ]
    )
    await say(update, context, "polladmin.followup_check", markup, count=number(count))


async def _send_followup(update: Update, context: ForumContext, draft: FollowupDraft) -> None:
    """Send it once (the draft is taken first, so a second press finds nothing to send)."""
    if draft.text is None:
        await ask_followup(update, context)
        return
    context.user_data.pop(FOLLOWUP, None)
    try:
        sent = await context.services.consultations.follow_up(
            update.effective_user.id, draft.consultation_id, draft.text
        )
    except TextInvalid:
        context.user_data[FOLLOWUP] = draft
        await say(update, context, "polladmin.followup_too_long")
        return
    awaiting.clear(context)
    if sent == 0:
        await show_key(update, context, "polladmin.followup_nobody")
        return
    await show_key(update, context, "polladmin.followup_sent", None, count=number(sent))


def _done_following_up(context: ForumContext) -> None:
    """Forget the follow-up being written."""
    context.user_data.pop(FOLLOWUP, None)
    if awaiting.current(context) == STEP_FOLLOWUP:
        awaiting.clear(context)


async def keep_followup_text(update: Update, context: ForumContext) -> None:
    """Before the crisis net: keep the follow-up text, so a crisis reply does not lose it."""
    message = update.effective_message
    if awaiting.current(context) != STEP_FOLLOWUP or message is None or not message.text:
        return
    draft = _draft(context)
    tidy = _tidy(message.text)
    if draft is not None and tidy is not None:
        context.user_data[FOLLOWUP] = FollowupDraft(draft.consultation_id, tidy)


def register(app: ForumApp) -> None:
    """Add the follow-up buttons, its typed step and its text keeper."""
    private = filters.ChatType.PRIVATE
    awaiting.define(STEP_FOLLOWUP, on_followup_text, prompt_followup)
    app.add_handler(
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, keep_followup_text),
        group=CAPTURE_GROUP,
    )
    app.add_handler(CallbackQueryHandler(on_follow, pattern(FOLLOW)))
