"""/start: welcome, the privacy notice, and consent (agree or not now).

The privacy notice is a button step (handlers/shared/awaiting.py). Consent is asked once: anyone who
has agreed (a member row exists) is taken to their joining question or the menu instead.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.localtime import local_date
from handlers.group_chats.opening import help_from_group, open_from_group
from handlers.invitation_links import open_link
from handlers.menu import show_menu
from handlers.setup import ask_region, resume_joining
from handlers.shared import awaiting, deep_links
from handlers.shared.callbacks import decode, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, say, show_key
from handlers.shared.keyboards import button, main_menu, with_help

STEP_CONSENT = "start_consent"
AGREED_ON = "consent_message"  # user_data: the message whose "Yes, I agree" recorded consent


async def start(update: Update, context: ForumContext) -> None:
    """Welcome a newcomer with the privacy notice, take someone part way through joining to
    their next question, or greet a member with the menu. With an invitation link's token
    (/start <token>), welcome them in their role instead; a link that does not work gets a
    kind line, then the normal start."""
    services = context.services
    user = update.effective_user
    token = context.args[0] if context.args else None
    if token and not deep_links.is_public(token) and await open_link(update, context, token):
        return
    # Marks a member reachable again, and keeps a role holder's name (and sends what waited).
    await services.reach.opened(user.id, user.first_name)
    if await help_from_group(update, context, token):
        return
    member = await services.members.get(user.id)
    if member is None:
        awaiting.clear(context)
        await say(update, context, "start.welcome")
        await send_privacy_notice(update, context)
        return
    if not member.setup_done:
        await say(update, context, "start.finish_joining", None, name=member.first_name)
        await resume_joining(update, context, member)
        return
    awaiting.clear(context)
    if await open_from_group(update, context, token):
        return  # a group post's button: their meetings, or what they can have their say on
    await say(update, context, "start.welcome_back", None, name=member.first_name)
    await show_menu(update, context, edit=False)


async def send_privacy_notice(update: Update, context: ForumContext) -> None:
    """The plain-English privacy notice with 'I agree' and 'Not now' (the consent step)."""
    markup = with_help(
        context,
        [
            [button(context, "buttons.agree", "consent", "yes")],
            [button(context, "buttons.not_now", "consent", "no")],
        ],
    )
    awaiting.expect(context, STEP_CONSENT)
    await say(update, context, "start.privacy", markup)


async def prompt_consent(update: Update, context: ForumContext) -> None:
    """Ask for consent again, unless this person has agreed already."""
    member = await context.services.members.get(update.effective_user.id)
    if member is None:
        await send_privacy_notice(update, context)
    elif not member.setup_done:
        await resume_joining(update, context, member)
    else:
        awaiting.clear(context)
        await show_menu(update, context, edit=False)


async def on_consent(update: Update, context: ForumContext) -> None:
    """Record consent and start setup, or leave nothing stored for 'not now'. Someone who
    agreed before is never asked again: they go on with joining, or see the menu."""
    await answer(update, context)
    choice = decode(update.callback_query.data, "consent").arg(0)
    services = context.services
    user = update.effective_user
    if choice not in ("show", "yes", "no"):
        await say(update, context, "errors.stale_choice")
        return
    member = await services.members.get(user.id)
    if member is None and choice == "show":
        await send_privacy_notice(update, context)
    elif member is None and choice == "yes":
        member = await services.members.join(user.id, user.first_name)
        context.user_data[AGREED_ON] = update.callback_query.message.message_id
        zone = services.settings.zone
        await show_key(
            update, context, "start.agreed", None, date=local_date(member.consented_at, zone)
        )
        await ask_region(update, context)
    elif member is None:
        awaiting.leave_button_step(context, STEP_CONSENT)
        await show_key(update, context, "start.not_now", main_menu(context, is_member=False))
    elif choice == "no" or member.setup_done:
        awaiting.leave_button_step(context, STEP_CONSENT)
        await show_menu(update, context)
    elif context.user_data.get(AGREED_ON) != update.callback_query.message.message_id:
        await resume_joining(update, context, member)
    # else: the press that recorded consent, delivered again: its question is out already


def register(app: ForumApp) -> None:
    """Add /start, the consent step and the consent buttons."""
    awaiting.define_buttons(STEP_CONSENT, prompt_consent, "start.use_buttons")
    app.add_handler(CommandHandler("start", start, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_consent, pattern("consent")))
