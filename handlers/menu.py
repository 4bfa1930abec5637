"""/menu and its buttons: meetings, have your say, support, settings, contact, help now."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from handlers import settings, support
from handlers.consultations import answers as consultations
from handlers.meetings import listing as meetings
from handlers.shared import awaiting
from handlers.shared.callbacks import decode, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, say, show_key
from handlers.shared.keyboards import main_menu


async def show_menu(update: Update, context: ForumContext, edit: bool = True) -> None:
    """The main menu: the full one for members, a smaller one for others."""
    member = await context.services.members.get(update.effective_user.id)
    is_member = member is not None and member.setup_done
    key = "menu.member" if is_member else "menu.visitor"
    markup = main_menu(context, is_member)
    if edit:
        await show_key(update, context, key, markup)
    else:
        await say(update, context, key, markup)


async def menu_command(update: Update, context: ForumContext) -> None:
    """/menu: show the main menu."""
    awaiting.clear(context)
    await show_menu(update, context, edit=False)


async def on_menu(update: Update, context: ForumContext) -> None:
    """Route a main-menu button."""
    await answer(update, context)
    choice = decode(update.callback_query.data, "menu").arg(0)
    if choice == "home":
        awaiting.clear(context)
        await show_menu(update, context)
    elif choice == "support":
        await support.show_needs(update, context)
    elif choice == "settings":
        await settings.show_settings(update, context)
    elif choice == "meetings":
        await show_meetings(update, context)
    elif choice == "say":
        await consultations.show_have_your_say(update, context)
    else:
        await say(update, context, "errors.stale_choice")


async def show_meetings(update: Update, context: ForumContext) -> None:
    """The member's upcoming meetings (joining first for anyone else)."""
    if await context.services.members.get(update.effective_user.id) is None:
        await show_key(update, context, "menu.join_first", main_menu(context, is_member=False))
        return
    await meetings.show_member_list(update, context)


def register(app: ForumApp) -> None:
    """Add /menu and the menu buttons."""
    app.add_handler(CommandHandler("menu", menu_command, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_menu, pattern("menu")))
