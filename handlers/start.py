"""/start: welcome, the privacy notice, and consent (agree or not now)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.localtime import local_date
from handlers import awaiting
from handlers.callbacks import decode, pattern
from handlers.common import ForumApp, ForumContext, answer, button, say, show_key
from handlers.keyboards import main_menu, region_picker, with_help
from handlers.menu import show_menu


async def start(update: Update, context: ForumContext) -> None:
    """Welcome a newcomer with the privacy notice, or greet a member with the menu."""
    services = context.services
    awaiting.clear(context)
    user = update.effective_user
    member = await services.members.get(user.id)
    if member is None:
        await say(update, context, "start.welcome")
        await send_privacy_notice(update, context)
        return
    if not member.reachable:
        await services.members.mark_reachable(user.id, True)
    if not member.setup_done:
        await say(update, context, "setup.region", region_picker(context, services.forum))
        return
    await say(update, context, "start.welcome_back", None, name=member.first_name)
    await show_menu(update, context, edit=False)


async def send_privacy_notice(update: Update, context: ForumContext) -> None:
    """The plain-English privacy notice with 'I agree' and 'Not now'."""
    markup = with_help(
        context,
        [
            [button(context, "buttons.agree", "consent", "yes")],
            [button(context, "buttons.not_now", "consent", "no")],
        ],
    )
    await say(update, context, "start.privacy", markup)


async def on_consent(update: Update, context: ForumContext) -> None:
    """Record consent and start setup, or leave nothing stored for 'not now'."""
    await answer(update, context)
    choice = decode(update.callback_query.data, "consent").arg(0)
    services = context.services
    user = update.effective_user
    if choice == "show":
        await send_privacy_notice(update, context)
    elif choice == "yes":
        member = await services.members.join(user.id, user.first_name)
        zone = services.settings.zone
        await show_key(
            update, context, "start.agreed", None, date=local_date(member.consented_at, zone)
        )
        await say(update, context, "setup.region", region_picker(context, services.forum))
    elif choice == "no":
        await show_key(update, context, "start.not_now", main_menu(context, is_member=False))
    else:
        await say(update, context, "errors.stale_choice")


def register(app: ForumApp) -> None:
    """Add /start and the consent buttons."""
    app.add_handler(CommandHandler("start", start, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_consent, pattern("consent")))
