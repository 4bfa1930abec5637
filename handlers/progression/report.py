"""/progression: the progression report for coordinators and readers, as text, a chart and a
CSV file. The role is checked in the service; the figures come already protected, and the
words, chart and file are made on a worker thread."""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update
from telegram.ext import CommandHandler, filters

from handlers.progression.messages import ProgressionMessages
from handlers.shared import awaiting
from handlers.shared.common import ForumApp, ForumContext, send


def messages_for(context: ForumContext) -> ProgressionMessages:
    """The renderer for this bot's texts, time zone and forum."""
    services = context.services
    return ProgressionMessages(services.texts, services.settings.zone, services.forum)


async def progression_command(update: Update, context: ForumContext) -> None:
    """Send the report: text (split when long), the chart, then the CSV file."""
    awaiting.clear(context)
    services = context.services
    chat_id = update.effective_chat.id
    report = await services.progression.report(update.effective_user.id)
    rendered = await asyncio.to_thread(messages_for(context).render, report)
    await send(context, chat_id, rendered.text)
    await context.bot.send_photo(
        chat_id,
        InputFile(rendered.chart, filename=rendered.chart_name),
        caption=services.texts.get("progression.chart_caption"),
    )
    await context.bot.send_document(
        chat_id,
        InputFile(rendered.csv, filename=rendered.csv_name),
        caption=services.texts.get("progression.csv_caption"),
    )


def register(app: ForumApp) -> None:
    """Add /progression."""
    app.add_handler(CommandHandler("progression", progression_command, filters.ChatType.PRIVATE))
