"""/results: coordinators and chosen decision-makers get a closed consultation's or survey's
results pack (charts, figures in words, CSV file; comments and answers in words for coordinators
only) in their own chat. Closed surveys are listed after the consultations.

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
from handlers.shared.common import ForumApp, ForumContext, answer, say, send
from handlers.shared.keyboards import keyboard, labelled

RESULTS = "par"  # par:<consultation id>  (send this consultation's results pack here)
SURVEY_RESULTS = "psr"  # psr:<survey id>  (send this survey's results pack here)
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
    """/results: the closed consultations, then surveys, this person may see, one button each."""
    awaiting.clear(context)
    services = context.services
    try:
        readable = await services.consultations.readable(update.effective_user.id)
        surveys = await services.surveys.readable(update.effective_user.id)
    except NotAllowed:
        await say(update, context, "polladmin.results_not_allowed")
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
    rows += [
        [
            labelled(
                services.texts.plain("survey_results.results_item", title=short(s.title)),
                SURVEY_RESULTS,
                s.id,
            )
        ]
        for s in surveys[:LIST_LIMIT]
    ]
    if not rows:
        await say(update, context, "polladmin.results_empty")
        return
    await say(update, context, "polladmin.results_intro", keyboard(rows))


async def on_results(update: Update, context: ForumContext) -> None:
    """A results button (a consultation's or a survey's): the service checks the role and the
    consultation or survey again, then the pack comes to this chat."""
    pressed = decode(update.callback_query.data)
    services = context.services
    source = services.surveys if pressed.action == SURVEY_RESULTS else services.consultations
    try:
        parts = await source.results_pack(update.effective_user.id, pressed.int_arg(0))
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
    app.add_handler(CallbackQueryHandler(on_results, pattern(SURVEY_RESULTS)))
