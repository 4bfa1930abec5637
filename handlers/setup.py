"""Choosing region, hub and what to receive: used when joining and from /settings."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from handlers.callbacks import decode, pattern
from handlers.common import ForumApp, ForumContext, answer, show_key
from handlers.keyboards import NONE, hub_picker, main_menu, preferences
from handlers.settings import show_settings


async def on_region(update: Update, context: ForumContext) -> None:
    """Save the region; then ask for a hub, or move on when national only."""
    await answer(update, context)
    services = context.services
    choice = decode(update.callback_query.data, "reg").arg(0)
    member = await services.members.choose_region(
        update.effective_user.id, None if choice == NONE else choice
    )
    if member.region_id is not None:
        region_name = services.forum.region_name(member.region_id)
        markup = hub_picker(context, services.forum, member.region_id)
        await show_key(update, context, "setup.hub", markup, region=region_name)
    elif not member.setup_done:
        await show_key(update, context, "setup.preferences", preferences(context, member))
    else:
        await show_settings(update, context)
    # A new region may have been asked already (nothing is sent before setup is done).
    await services.catch_up.member(member.telegram_id)


async def on_hub(update: Update, context: ForumContext) -> None:
    """Save the hub; then ask what to receive, or go back to settings."""
    await answer(update, context)
    choice = decode(update.callback_query.data, "hub").arg(0)
    member = await context.services.members.choose_hub(
        update.effective_user.id, None if choice == NONE else choice
    )
    if not member.setup_done:
        await show_key(update, context, "setup.preferences", preferences(context, member))
    else:
        await show_settings(update, context)
    await context.services.catch_up.member(member.telegram_id)  # a new hub may have been asked


async def on_preference(update: Update, context: ForumContext) -> None:
    """Switch one kind of message on or off and redraw the switches."""
    await answer(update, context)
    name = decode(update.callback_query.data, "pref").arg(0)
    member = await context.services.members.toggle_preference(update.effective_user.id, name)
    await show_key(update, context, "setup.preferences", preferences(context, member))


async def on_preferences_done(update: Update, context: ForumContext) -> None:
    """Finish joining (first time) or go back to the settings summary."""
    await answer(update, context)
    decode(update.callback_query.data, "prefs")
    services = context.services
    member = await services.members.require(update.effective_user.id)
    if member.setup_done:
        await show_settings(update, context)
        return
    await services.members.finish_setup(member.telegram_id)
    await show_key(update, context, "setup.done", main_menu(context, is_member=True))
    await services.catch_up.member(member.telegram_id)  # what was asked before they joined


def register(app: ForumApp) -> None:
    """Add the region, hub and preference buttons."""
    app.add_handler(CallbackQueryHandler(on_region, pattern("reg")))
    app.add_handler(CallbackQueryHandler(on_hub, pattern("hub")))
    app.add_handler(CallbackQueryHandler(on_preference, pattern("pref")))
    app.add_handler(CallbackQueryHandler(on_preferences_done, pattern("prefs")))
