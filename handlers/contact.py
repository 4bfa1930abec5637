"""Contact a coordinator: a request with an optional short message; coordinators mark it handled."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot.services.contact import MessageTooLong
from bot.services.registry import Services
from handlers import awaiting
from handlers.callbacks import decode, pattern
from handlers.common import ForumApp, ForumContext, answer, button, keyboard, say, send, show_key
from handlers.keyboards import back_to_menu, with_help
from storage.contact_requests import ContactRequest

STEP = "contact_message"
logger = logging.getLogger(__name__)


async def on_contact(update: Update, context: ForumContext) -> None:
    """Start a request, send it (with or without a message), or cancel."""
    await answer(update, context)
    choice = decode(update.callback_query.data, "contact").arg(0)
    if choice == "start":
        awaiting.expect(context, STEP)
        await ask_for_message(update, context)
    elif choice == "send":
        awaiting.clear(context)
        await submit(update, context, None, from_crisis=False)
    elif choice == "crisis":
        await submit(update, context, None, from_crisis=True)
    elif choice == "cancel":
        awaiting.clear(context)
        await show_key(update, context, "contact.cancelled", back_to_menu(context))
    else:
        await say(update, context, "errors.stale_choice")


async def ask_for_message(update: Update, context: ForumContext) -> None:
    """Invite an optional short message, with 'send without a message' and 'cancel'."""
    markup = with_help(
        context,
        [
            [button(context, "buttons.send_without_message", "contact", "send")],
            [button(context, "buttons.cancel", "contact", "cancel")],
        ],
    )
    await say(update, context, "contact.ask_message", markup)


async def on_message_text(update: Update, context: ForumContext, text: str) -> None:
    """The short message arrived: send the request (or ask for a shorter one)."""
    try:
        await submit(update, context, text, from_crisis=False)
    except MessageTooLong:
        await say(update, context, "contact.too_long", None, limit=1000)
        return
    awaiting.clear(context)


async def submit(
    update: Update, context: ForumContext, text: str | None, from_crisis: bool
) -> None:
    """Store the request, tell every coordinator at once, and tell the person what happens next."""
    services = context.services
    user = update.effective_user
    outcome = await services.contact.ask(user.id, user.first_name, text)
    await notify_coordinators(context, services, outcome.request, from_crisis)
    await say(update, context, "contact.sent", back_to_menu(context))


async def notify_coordinators(
    context: ForumContext, services: Services, request: ContactRequest, from_crisis: bool
) -> None:
    """Send the request to each coordinator with a 'mark handled' button."""
    texts = services.texts
    region = services.forum.region_name(request.region_id) or texts.plain("settings.national")
    parts = [
        texts.get(
            "contact.to_coordinator",
            name=request.first_name,
            user_id=request.telegram_id,
            region=region,
            request_id=request.id,
        )
    ]
    if request.message:
        parts.append(texts.get("contact.their_message", message=request.message))
    if from_crisis:
        parts.append(texts.get("contact.from_crisis"))
    markup = keyboard([[button(context, "buttons.mark_handled", "handled", request.id)]])
    for coordinator_id in await services.roles.coordinators():
        try:
            await send(context, coordinator_id, "\n\n".join(parts), markup)
        except TelegramError as exc:
            # One unreachable coordinator must not stop the others; log no member's words.
            logger.warning(
                "contact request %s not delivered to a coordinator: %s",
                request.id,
                type(exc).__name__,
            )


async def on_handled(update: Update, context: ForumContext) -> None:
    """A coordinator marks a request handled (checked again in the service)."""
    await answer(update, context)
    request_id = decode(update.callback_query.data, "handled").int_arg(0)
    request = await context.services.contact.mark_handled(update.effective_user.id, request_id)
    await say(
        update,
        context,
        "contact.marked_handled",
        None,
        name=request.first_name,
        request_id=request.id,
    )
    await update.callback_query.edit_message_reply_markup(None)


def register(app: ForumApp) -> None:
    """Add the contact buttons and the step that takes the short message."""
    awaiting.define(STEP, on_message_text, ask_for_message)
    app.add_handler(CallbackQueryHandler(on_contact, pattern("contact")))
    app.add_handler(CallbackQueryHandler(on_handled, pattern("handled")))
