"""Choosing region, hub and what to receive: the joining steps after consent, and the pickers
/settings opens.

Each picker is a button step (handlers/shared/awaiting.py): "Carry on" after a crisis reply asks it
again at the bottom of the chat, and typed text gets a kind line and the question again. After
a restart (user_data is in memory) joining is found again in the database: a member who agreed
but has not finished setup is asked the earliest question they may not have answered.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.services.members import Member
from handlers.menu import show_menu
from handlers.settings import show_settings
from handlers.shared import awaiting
from handlers.shared.callbacks import decode, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, say, show_key
from handlers.shared.keyboards import NONE, hub_picker, main_menu, preferences, region_picker

STEP_REGION, STEP_HUB, STEP_PREFS = "setup_region", "setup_hub", "setup_prefs"
PICKERS = (STEP_REGION, STEP_HUB, STEP_PREFS)
USE_BUTTONS = "setup.use_buttons"  # the kind line before a button question asked again


async def _put(
    update: Update,
    context: ForumContext,
    edit: bool,
    key: str,
    markup: InlineKeyboardMarkup,
    **values: object,
) -> None:
    """Replace the pressed message (edit), or send the question as a new message."""
    if edit:
        await show_key(update, context, key, markup, **values)
    else:
        await say(update, context, key, markup, **values)


async def ask_region(
    update: Update, context: ForumContext, *, edit: bool = False, key: str = "setup.region"
) -> None:
    """Which region? (the step is now the region picker)"""
    awaiting.expect(context, STEP_REGION)
    await _put(update, context, edit, key, region_picker(context, context.services.forum))


async def ask_hub(
    update: Update, context: ForumContext, member: Member, *, edit: bool = False
) -> None:
    """Which hub in the member's region? (the region first when there is none)"""
    if member.region_id is None:
        await ask_region(update, context, edit=edit)
        return
    awaiting.expect(context, STEP_HUB)
    forum = context.services.forum
    markup = hub_picker(context, forum, member.region_id)
    region = forum.region_name(member.region_id)
    await _put(update, context, edit, "setup.hub", markup, region=region)


async def ask_preferences(
    update: Update, context: ForumContext, member: Member, *, edit: bool = False
) -> None:
    """What to receive: the switches as they are now, and Done."""
    awaiting.expect(context, STEP_PREFS)
    await _put(update, context, edit, "setup.preferences", preferences(context, member))


def joining_step(member: Member) -> str:
    """The earliest joining question this member may not have answered yet. The database
    cannot tell "not chosen yet" from "national only" (region None) or "not sure yet" (hub
    None), so an answered question may be asked again; none is ever skipped."""
    if member.region_id is None:
        return STEP_REGION
    if member.hub_id is None:
        return STEP_HUB
    return STEP_PREFS


async def resume_joining(update: Update, context: ForumContext, member: Member) -> None:
    """Ask, as a new message, the joining question this member is on: the step remembered,
    else the earliest one the database shows may be unanswered. Never consent again."""
    step = awaiting.current(context)
    if step not in PICKERS:
        step = joining_step(member)
    if step == STEP_REGION:
        await ask_region(update, context)
    elif step == STEP_HUB:
        await ask_hub(update, context, member)
    else:
        await ask_preferences(update, context, member)


async def _member_or_menu(update: Update, context: ForumContext) -> Member | None:
    """The member, or (when they are not one any more) no step and the menu."""
    member = await context.services.members.get(update.effective_user.id)
    if member is None:
        awaiting.clear(context)
        await show_menu(update, context, edit=False)
    return member


async def prompt_region(update: Update, context: ForumContext) -> None:
    """Ask the region again (after a crisis reply, or typed text)."""
    if await _member_or_menu(update, context) is not None:
        await ask_region(update, context)


async def prompt_hub(update: Update, context: ForumContext) -> None:
    """Ask the hub again."""
    member = await _member_or_menu(update, context)
    if member is not None:
        await ask_hub(update, context, member)


async def prompt_preferences(update: Update, context: ForumContext) -> None:
    """Ask what to receive again, with the switches as they are now."""
    member = await _member_or_menu(update, context)
    if member is not None:
        await ask_preferences(update, context, member)


async def recover_joining(context: ForumContext, user_id: int) -> str | None:
    """After a restart: the joining step of a member who agreed but has not finished setup."""
    member = await context.services.members.get(user_id)
    if member is None or member.setup_done:
        return None
    return joining_step(member)


async def _back_to_settings(update: Update, context: ForumContext) -> None:
    """A /settings change is done: the picker step ends and the summary shows."""
    awaiting.leave_button_step(context, *PICKERS)
    await show_settings(update, context)


async def on_change(update: Update, context: ForumContext) -> None:
    """/settings: open the picker for region, hub or what to receive."""
    await answer(update, context)
    choice = decode(update.callback_query.data, "set").arg(0)
    member = await context.services.members.require(update.effective_user.id)
    if choice == "region":
        await ask_region(update, context, edit=True)
    elif choice == "hub" and member.region_id is None:
        await ask_region(update, context, edit=True, key="settings.region_first")
    elif choice == "hub":
        await ask_hub(update, context, member, edit=True)
    elif choice == "prefs":
        await ask_preferences(update, context, member, edit=True)
    else:
        await show_key(update, context, "errors.stale_choice")


async def on_region(update: Update, context: ForumContext) -> None:
    """Save the region; then ask for a hub, or move on when national only."""
    await answer(update, context)
    services = context.services
    choice = decode(update.callback_query.data, "reg").arg(0)
    member = await services.members.choose_region(
        update.effective_user.id, None if choice == NONE else choice
    )
    if member.region_id is not None:
        await ask_hub(update, context, member, edit=True)
    elif not member.setup_done:
        await ask_preferences(update, context, member, edit=True)
    else:
        await _back_to_settings(update, context)
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
        await ask_preferences(update, context, member, edit=True)
    else:
        await _back_to_settings(update, context)
    await context.services.catch_up.member(member.telegram_id)  # a new hub may have been asked


async def on_preference(update: Update, context: ForumContext) -> None:
    """Switch one kind of message on or off and redraw the switches."""
    await answer(update, context)
    name = decode(update.callback_query.data, "pref").arg(0)
    member = await context.services.members.toggle_preference(update.effective_user.id, name)
    await ask_preferences(update, context, member, edit=True)


async def on_preferences_done(update: Update, context: ForumContext) -> None:
    """Finish joining (first time) or go back to the settings summary."""
    await answer(update, context)
    decode(update.callback_query.data, "prefs")
    services = context.services
    member = await services.members.require(update.effective_user.id)
    if member.setup_done:
        await _back_to_settings(update, context)
        return
    await services.members.finish_setup(member.telegram_id)
    awaiting.leave_button_step(context, *PICKERS)  # joined: no joining question is left
    await show_key(update, context, "setup.done", main_menu(context, is_member=True))
    await services.catch_up.member(member.telegram_id)  # what was asked before they joined


def register(app: ForumApp) -> None:
    """Add the picker steps, the joining recoverer, and the buttons."""
    awaiting.define_buttons(STEP_REGION, prompt_region, USE_BUTTONS)
    awaiting.define_buttons(STEP_HUB, prompt_hub, USE_BUTTONS)
    awaiting.define_buttons(STEP_PREFS, prompt_preferences, USE_BUTTONS)
    awaiting.recover_with("joining", recover_joining)
    app.add_handler(CallbackQueryHandler(on_change, pattern("set")))
    app.add_handler(CallbackQueryHandler(on_region, pattern("reg")))
    app.add_handler(CallbackQueryHandler(on_hub, pattern("hub")))
    app.add_handler(CallbackQueryHandler(on_preference, pattern("pref")))
    app.add_handler(CallbackQueryHandler(on_preferences_done, pattern("prefs")))
