"""/support: the directory by need, with the member's own region first."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.directory import SupportService
from bot.services.errors import InvalidChoice
from bot.texts import Texts
from handlers.shared import awaiting
from handlers.shared.callbacks import decode, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, show, show_key
from handlers.shared.keyboards import button, labelled, with_help


async def show_needs(update: Update, context: ForumContext) -> None:
    """The kinds of support, as buttons."""
    needs = context.services.directory.needs()
    rows = []
    for index in range(0, len(needs), 2):
        rows.append([labelled(need.label, "need", need.id) for need in needs[index : index + 2]])
    rows.append([button(context, "buttons.menu", "menu", "home")])
    await show_key(update, context, "support.choose", with_help(context, rows))


async def support_command(update: Update, context: ForumContext) -> None:
    """/support."""
    awaiting.clear(context)
    await show_needs(update, context)


async def on_need(update: Update, context: ForumContext) -> None:
    """The services for one need, the member's region first."""
    await answer(update, context)
    services = context.services
    need_id = decode(update.callback_query.data, "need").arg(0)
    need = next((n for n in services.directory.needs() if n.id == need_id), None)
    if need is None:
        raise InvalidChoice
    member = await services.members.get(update.effective_user.id)
    entries = services.directory.services_for(need_id, member.region_id if member else None)
    texts = services.texts
    body = "\n\n".join(format_entry(texts, entry) for entry in entries)
    text = texts.get("support.list_heading", need=need.label) + "\n\n" + body
    markup = with_help(
        context,
        [
            [button(context, "buttons.other_support", "menu", "support")],
            [button(context, "buttons.menu", "menu", "home")],
        ],
    )
    await show(update, context, text, markup)


def format_entry(texts: Texts, entry: SupportService) -> str:
    """One directory entry as a short block of HTML."""
    lines = [
        texts.get("support.entry_name", name=entry.name),
        texts.get("support.entry_helps", helps=entry.helps_with),
    ]
    if entry.phone:
        lines.append(texts.get("support.entry_phone", phone=entry.phone))
    if entry.text:
        lines.append(texts.get("support.entry_text", text=entry.text))
    if entry.web:
        lines.append(texts.get("support.entry_web", web=entry.web))
    lines.append(texts.get("support.entry_open", open=entry.open))
    lines.append(texts.get("support.entry_covers", covers=entry.covers, checked=_checked(entry)))
    return "\n".join(lines)


def _checked(entry: SupportService) -> str:
    """The last-checked date in words."""
    checked = entry.last_checked
    return f"{checked.day} {checked:%B %Y}"


def register(app: ForumApp) -> None:
    """Add /support and the need buttons."""
    app.add_handler(CommandHandler("support", support_command, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_need, pattern("need")))
