"""Contact a coordinator: a request with an optional short note; coordinators mark it done.

From the menu (``contact:start``) a person may add a note; every coordinator is told at once
with a "Mark as done" button. From a crisis or concern reply (``contact:crisis``) the request
is urgent: the service queues a notice to every coordinator through the delivery engine, with
"I'll take this" (``take:<request id>``); the first coordinator to press it claims it, and
everyone's copy then says who has it.

Each ask has a short random key, in user_data and in the "Send without a note" button, kept
with the request: the same press delivered twice (a double tap, a replayed update, an old
button) is one request, and the second press is told it is already with the coordinators.
"""

from __future__ import annotations

import logging
import secrets

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot.forum import Forum
from bot.services.contact import (
    ALREADY_DONE,
    CLAIMED,
    DONE,
    MARKED,
    YOURS,
    ClaimOutcome,
    ContactRequest,
    MessageTooLong,
    NoticeCopy,
    Rendered,
)
from bot.texts import Texts
from handlers.shared import awaiting
from handlers.shared.callbacks import decode, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, patiently, say, send, show_key
from handlers.shared.keyboards import back_to_menu, button, keyboard, labelled, with_help

STEP = "contact_message"
ASK_KEY = "contact_ask"  # user_data: the random key of the ask in progress
TAKE = "take"  # take:<request id>
logger = logging.getLogger(__name__)


def new_ask_key() -> str:
    """A short random key for one ask (8 characters that callback data allows)."""
    return secrets.token_urlsafe(6)


def region_words(texts: Texts, forum: Forum, request: ContactRequest) -> str:
    """The region a request came from, in words ("National" for none)."""
    return forum.region_name(request.region_id) or texts.plain("settings.national")


def asker(texts: Texts, request: ContactRequest) -> str:
    """Who made a request, by first name ("Someone" when Telegram gave none)."""
    return request.first_name or texts.plain("contact.unnamed_person")


def mark_done(texts: Texts, request: ContactRequest) -> InlineKeyboardMarkup:
    """The one button a coordinator marks a request done with."""
    return keyboard([[labelled(texts.plain("buttons.mark_handled"), "handled", request.id)]])


class UrgentNotices:
    """How requests look to coordinators: an ordinary request, an urgent notice, its reminder,
    and a taken copy. The contact service is given one by the composition root."""

    def __init__(self, texts: Texts, forum: Forum) -> None:
        self._texts = texts
        self._forum = forum

    def _values(self, request: ContactRequest) -> dict[str, object]:
        """The person's details every coordinator text shows."""
        return {
            "request_id": request.id,
            "name": asker(self._texts, request),
            "user_id": request.telegram_id,
            "region": region_words(self._texts, self._forum, request),
        }

    def _take_button(self, request: ContactRequest) -> InlineKeyboardMarkup:
        """The one button on a notice: "I'll take this"."""
        label = self._texts.plain("buttons.take_request")
        return keyboard([[labelled(label, TAKE, request.id)]])

    def request_notice(self, request: ContactRequest) -> Rendered:
        """An ordinary request, with the one button that marks it done."""
        parts = [self._texts.get("contact.to_coordinator", **self._values(request))]
        if request.message:
            parts.append(self._texts.get("contact.their_message", message=request.message))
        return "\n\n".join(parts), mark_done(self._texts, request)

    def urgent_notice(self, request: ContactRequest) -> Rendered:
        """The notice every coordinator gets at once."""
        text = self._texts.get("contact.urgent_notice", **self._values(request))
        return text, self._take_button(request)

    def urgent_reminder(self, request: ContactRequest, hours: int) -> Rendered:
        """The one reminder when nobody has taken it."""
        text = self._texts.get("contact.urgent_reminder", hours=hours, **self._values(request))
        return text, self._take_button(request)

    def claimer(self, request: ContactRequest) -> str:
        """Who took it, by first name ("Another coordinator" when the bot has no name for
        them, or they have since left)."""
        return request.claimed_name or self._texts.plain("contact.unnamed_coordinator")

    def taken_copy(self, request: ContactRequest, copy: NoticeCopy, hours: int) -> str:
        """A coordinator's copy of the notice (or reminder) once someone has taken it."""
        text, _ = (
            self.urgent_reminder(request, hours) if copy.reminder else self.urgent_notice(request)
        )
        if copy.chat_id == request.claimed_by:
            line = self._texts.get("contact.taken_by_you")
        else:
            line = self._texts.get("contact.taken_by", actor=self.claimer(request))
        return f"{text}\n\n{line}"

    def taken_line(self, request: ContactRequest) -> str:
        """A short line for a coordinator whose copy could not be changed."""
        return self._texts.get(
            "contact.taken_line",
            request_id=request.id,
            name=asker(self._texts, request),
            actor=self.claimer(request),
        )


async def on_contact(update: Update, context: ForumContext) -> None:
    """Start a request, send it (with or without a note), send an urgent one, or cancel."""
    await answer(update, context)
    callback = decode(update.callback_query.data, "contact")
    choice = callback.arg(0)
    if choice == "start":
        context.user_data[ASK_KEY] = new_ask_key()
        awaiting.expect(context, STEP)
        await ask_for_message(update, context)
    elif choice == "send":
        key = callback.arg(1) if len(callback.args) > 1 else None
        if key is None or key == context.user_data.get(ASK_KEY):
            # The ask in progress: its note step ends. An older button leaves it be.
            awaiting.clear(context)
            context.user_data.pop(ASK_KEY, None)
        await submit(update, context, None, urgent=False, ask_key=key)
    elif choice == "crisis":
        await submit(update, context, None, urgent=True)
    elif choice == "cancel":
        awaiting.clear(context)
        context.user_data.pop(ASK_KEY, None)
        await show_key(update, context, "contact.cancelled", back_to_menu(context))
    else:
        await say(update, context, "errors.stale_choice")


async def ask_for_message(update: Update, context: ForumContext) -> None:
    """Invite an optional short note, with 'send without a note' and 'cancel'."""
    key = context.user_data.get(ASK_KEY)
    if not key:
        key = context.user_data[ASK_KEY] = new_ask_key()
    markup = with_help(
        context,
        [
            [button(context, "buttons.send_without_message", "contact", "send", key)],
            [button(context, "buttons.cancel", "contact", "cancel")],
        ],
    )
    await say(update, context, "contact.ask_message", markup)


async def on_message_text(update: Update, context: ForumContext, text: str) -> None:
    """The short note arrived: send the request (or ask for a shorter one)."""
    try:
        await submit(update, context, text, urgent=False, ask_key=context.user_data.get(ASK_KEY))
    except MessageTooLong:
        await say(update, context, "contact.too_long", None, limit=1000)
        return
    awaiting.clear(context)
    context.user_data.pop(ASK_KEY, None)


async def submit(
    update: Update,
    context: ForumContext,
    text: str | None,
    *,
    urgent: bool,
    ask_key: str | None = None,
) -> None:
    """Store the request and tell the person what happens next (the service queued the
    coordinators' notices with the request)."""
    services = context.services
    user = update.effective_user
    outcome = await services.contact.ask(
        user.id, user.first_name, text, urgent=urgent, ask_key=ask_key
    )
    if not outcome.passed_on:
        # No coordinator can get it (none, or none reachable): never say it was passed on.
        key = "contact.not_passed_on" if urgent else "contact.not_passed_on_ordinary"
        await say(update, context, key, back_to_menu(context))
        return
    if outcome.repeated:
        key = "contact.already_sent_urgent" if urgent else "contact.already_sent"
        await say(update, context, key, back_to_menu(context))
        return
    key = "contact.sent_urgent" if urgent else "contact.sent"
    await say(update, context, key, back_to_menu(context))


async def on_take(update: Update, context: ForumContext) -> None:
    """A coordinator presses "I'll take this" (role and state checked again in the service)."""
    await answer(update, context)
    request_id = decode(update.callback_query.data, TAKE).int_arg(0)
    user = update.effective_user
    services = context.services
    outcome = await services.contact.claim(user.id, user.first_name, request_id)
    request = outcome.request
    notices = UrgentNotices(services.texts, services.forum)
    name = asker(services.texts, request)
    if outcome.result == CLAIMED:
        region = region_words(services.texts, services.forum, request)
        await say(
            update,
            context,
            "contact.claimed",
            mark_done(services.texts, request),
            request_id=request.id,
            name=name,
            user_id=request.telegram_id,
            region=region,
        )
        # The other copies change in the background: the press is answered already.
        context.application.create_task(
            show_taken(context, notices, outcome), update=update, name="contact-taken"
        )
        return
    if outcome.result == YOURS:
        await say(
            update,
            context,
            "contact.already_yours",
            mark_done(services.texts, request),
            request_id=request.id,
            name=name,
        )
        return
    if outcome.result == DONE:
        await say(update, context, "contact.already_done", None, request_id=request.id)
    else:
        await say(
            update,
            context,
            "contact.already_taken",
            None,
            request_id=request.id,
            actor=notices.claimer(request),
        )
    try:  # this copy's button is out of date
        await update.callback_query.edit_message_reply_markup(None)
    except TelegramError as exc:
        logger.info("pressed notice not changed: %s", type(exc).__name__)


async def show_taken(context: ForumContext, notices: UrgentNotices, outcome: ClaimOutcome) -> None:
    """Change every coordinator's copy of the notice to say who has it (no button left);
    where a copy cannot be changed, send that coordinator a short line instead."""
    request = outcome.request
    hours = context.services.contact.reminder_hours
    for copy in outcome.copies:
        if await _edit_copy(context, copy, notices.taken_copy(request, copy, hours)):
            continue
        if copy.chat_id == request.claimed_by:
            continue  # they have the confirmation
        try:
            await send(context, copy.chat_id, notices.taken_line(request))
        except TelegramError as exc:
            logger.warning(
                "request %s: a coordinator was not told it is taken: %s",
                request.id,
                type(exc).__name__,
            )


async def _edit_copy(context: ForumContext, copy: NoticeCopy, text: str) -> bool:
    """Edit one copy, patient with flood control as every reply is; False if it cannot be."""
    try:
        await patiently(
            lambda: context.bot.edit_message_text(
                text,
                chat_id=copy.chat_id,
                message_id=copy.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=None,
                disable_web_page_preview=True,
            )
        )
    except TelegramError as exc:
        logger.info("a notice copy was not changed: %s", type(exc).__name__)
        return False
    return True


async def on_handled(update: Update, context: ForumContext) -> None:
    """A coordinator marks a request handled (role and state checked in the service, which
    says what the press did). Pressed again by them (a double tap, a replayed press), it
    changes nothing and says nothing more."""
    await answer(update, context)
    request_id = decode(update.callback_query.data, "handled").int_arg(0)
    services = context.services
    outcome = await services.contact.mark_handled(update.effective_user.id, request_id)
    request = outcome.request
    if outcome.result == MARKED:
        name = asker(services.texts, request)
        await say(update, context, "contact.marked_handled", None, name=name, request_id=request.id)
    elif outcome.result == ALREADY_DONE:
        await say(update, context, "contact.already_done", None, request_id=request.id)
    try:  # the button is done with
        await patiently(lambda: update.callback_query.edit_message_reply_markup(None))
    except TelegramError as exc:
        logger.info("pressed request not changed: %s", type(exc).__name__)


def register(app: ForumApp) -> None:
    """Add the contact buttons and the step that takes the short note."""
    awaiting.define(STEP, on_message_text, ask_for_message)
    app.add_handler(CallbackQueryHandler(on_contact, pattern("contact")))
    app.add_handler(CallbackQueryHandler(on_take, pattern(TAKE)))
    app.add_handler(CallbackQueryHandler(on_handled, pattern("handled")))
