"""/results: coordinators and chosen decision-makers get a closed consultation's results pack
(chart, figures in words, CSV file; comments for coordinators only) in their own chat.

`send_pack` sends any results pack to one chat; /polls uses it too.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.delivery.content import Media
from bot.services.consultations import PackPart
from bot.services.errors import NotAllowed
from bot.services.roles import COORDINATOR, DECISION_MAKER
from handlers.shared import awaiting
from handlers.shared.callbacks import decode, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, keyboard, labelled, say, send

RESULTS = "par"  # par:<consultation id>  (send this consultation's results pack here)
LIST_LIMIT = 10
BUTTON_ROOM = 60  # characters of a question shown on its button


def short(text: str, limit: int = BUTTON_ROOM) -> str:
    """A question cut to fit on a button (the full text is in the pack)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _file(media: Media) -> InputFile | str:
    """What the photo or document field takes: our own bytes, or a file already on Telegram."""
    if media.upload is not None:
        return InputFile(media.upload.data, filename=media.upload.filename)
    assert media.file_id is not None
    return media.file_id


async def send_pack(context: ForumContext, chat_id: int, parts: Sequence[PackPart]) -> None:
    """Send a results pack to one chat, part by part and in order: a chart with its caption,
    long texts split, the CSV as a file."""
    for part in parts:
        media = part.media
        if media is None:
            await send(context, chat_id, part.text_html)
        elif media.kind == "photo":
            await context.bot.send_photo(
                chat_id, _file(media), caption=part.text_html, parse_mode=ParseMode.HTML
            )
        else:
            await context.bot.send_document(
                chat_id, _file(media), caption=part.text_html, parse_mode=ParseMode.HTML
            )


async def results_command(update: Update, context: ForumContext) -> None:
    """/results: the closed consultations this person may see, one button each."""
    awaiting.clear(context)
    services = context.services
    try:
        readable = await services.consultations.readable(update.effective_user.id)
    except NotAllowed:
        await say(update, context, "polladmin.results_not_allowed")
        return
    if not readable:
        await say(update, context, "polladmin.results_empty")
        return
    rows = [
        [
            labelled(
                services.texts.plain("polladmin.results_item", question=short(c.question)),
                RESULTS,
                c.id,
            )
        ]
        for c in readable[:LIST_LIMIT]
    ]
    await say(update, context, "polladmin.results_intro", keyboard(rows))


async def on_results(update: Update, context: ForumContext) -> None:
    """A results button: the service checks the role and the consultation again, then the
    pack comes to this chat."""
    consultation_id = decode(update.callback_query.data, RESULTS).int_arg(0)
    try:
        parts = await context.services.consultations.results_pack(
            update.effective_user.id, consultation_id
        )
    except NotAllowed:
        await answer(update, context)
        roles = await context.services.roles.roles_of(update.effective_user.id)
        chosen_only = DECISION_MAKER in roles or COORDINATOR in roles
        key = "polladmin.results_not_yours" if chosen_only else "polladmin.results_not_allowed"
        await say(update, context, key)
        return
    await answer(update, context, "polladmin.results_sending")
    await send_pack(context, update.effective_chat.id, parts)


def register(app: ForumApp) -> None:
    """Add /results and its buttons."""
    app.add_handler(CommandHandler("results", results_command, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_results, pattern(RESULTS)))
