"""/settings: a summary of region, hub and what you receive, with buttons to change them
(the pickers and their steps live in handlers/setup.py); pause for 2 or 4 weeks."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.localtime import local_date
from handlers.shared import awaiting
from handlers.shared.callbacks import decode, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, show_key
from handlers.shared.keyboards import button, main_menu, with_help


async def show_settings(update: Update, context: ForumContext) -> None:
    """A summary of the member's choices with buttons to change them (a picker step ends)."""
    awaiting.leave_button_step(context)
    services = context.services
    texts = services.texts
    member = await services.members.get(update.effective_user.id)
    if member is None:
        await show_key(update, context, "menu.join_first", main_menu(context, is_member=False))
        return
    now = services.clock.now()
    on, off = texts.plain("settings.answer_yes"), texts.plain("settings.answer_no")
    if member.is_paused(now):
        pause = texts.get(
            "settings.paused_until", date=local_date(member.paused_until, services.settings.zone)
        )
        pause_row = [button(context, "buttons.end_pause", "pause", "off")]
    else:
        pause = texts.get("settings.not_paused")
        pause_row = [
            button(context, "buttons.pause_2", "pause", "2"),
            button(context, "buttons.pause_4", "pause", "4"),
        ]
    markup = with_help(
        context,
        [
            [
                button(context, "buttons.change_region", "set", "region"),
                button(context, "buttons.change_hub", "set", "hub"),
            ],
            [button(context, "buttons.change_receive", "set", "prefs")],
            [button(context, "opportunities.button_settings", "ok", "show")],  # opportunities
            pause_row,
            [button(context, "buttons.menu", "menu", "home")],
        ],
    )
    await show_key(
        update,
        context,
        "settings.summary",
        markup,
        region=services.forum.region_name(member.region_id) or texts.plain("settings.national"),
        hub=services.forum.hub_name(member.hub_id) or texts.plain("settings.no_hub"),
        meetings=on if member.wants_meetings else off,
        consultations=on if member.wants_consultations else off,
        news=on if member.wants_news else off,
        pause=pause,
    )


async def settings_command(update: Update, context: ForumContext) -> None:
    """/settings."""
    awaiting.clear(context)
    await show_settings(update, context)


async def on_pause(update: Update, context: ForumContext) -> None:
    """Pause for 2 or 4 weeks, or end a pause."""
    await answer(update, context)
    services = context.services
    choice = decode(update.callback_query.data, "pause").arg(0)
    awaiting.leave_button_step(context)
    user_id = update.effective_user.id
    if choice == "off":
        await services.members.resume(user_id)
        await show_key(update, context, "settings.resumed", main_menu(context, is_member=True))
        return
    weeks = int(choice) if choice.isdigit() else 0
    member = await services.members.pause(user_id, weeks)
    date = local_date(member.paused_until, services.settings.zone)
    await show_key(
        update, context, "settings.paused", main_menu(context, is_member=True), date=date
    )


def register(app: ForumApp) -> None:
    """Add /settings and its pause buttons (the change buttons are in handlers/setup.py)."""
    app.add_handler(CommandHandler("settings", settings_command, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_pause, pattern("pause")))
