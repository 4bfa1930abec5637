"""/settings → Opportunities: a toggle per kind (each showing on or off), explained in one
plain sentence; Done goes back to the settings summary."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from handlers import settings
from handlers.opportunities.codes import KIND, kind_data, read_kind
from handlers.shared import awaiting
from handlers.shared.callbacks import pattern
from handlers.shared.common import ForumApp, ForumContext, answer, show_key
from handlers.shared.keyboards import with_help


def kinds_keyboard(context: ForumContext, kinds: list[tuple[str, bool]]) -> InlineKeyboardMarkup:
    """One switch per kind, then Done (and Help now)."""
    plain = context.services.texts.plain
    rows = [
        [
            InlineKeyboardButton(
                f"{plain('buttons.on' if on else 'buttons.off')} "
                f"{plain(f'opportunities.kinds.{kind}')}",
                callback_data=kind_data(kind),
            )
        ]
        for kind, on in kinds
    ]
    rows.append(
        [
            InlineKeyboardButton(
                plain("opportunities.button_done"), callback_data=kind_data(done=True)
            )
        ]
    )
    return with_help(context, rows)


async def on_kinds(update: Update, context: ForumContext) -> None:
    """Show the kinds, turn one on or off, or go back to the settings summary."""
    await answer(update, context)
    awaiting.leave_button_step(context)
    choice = read_kind(update.callback_query.data)
    if choice == "done":
        await settings.show_settings(update, context)
        return
    service, user_id = context.services.opportunities, update.effective_user.id
    if choice == "show":
        kinds = await service.kinds_for(user_id)
    else:
        assert choice is not None
        kinds = await service.toggle_kind(user_id, choice)
    await show_key(
        update, context, "opportunities.settings_explain", kinds_keyboard(context, kinds)
    )


def register(app: ForumApp) -> None:
    """Add the kinds buttons."""
    app.add_handler(CallbackQueryHandler(on_kinds, pattern(KIND)))
