"""A broadcast's content: a coordinator's message put into the draft (text, photo or file), and
the draft sent back to them exactly as members will see it (the delivery engine's own plan)."""

from __future__ import annotations

from telegram import LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode

from bot.delivery import DOCUMENT, PHOTO, Media
from bot.delivery.content import plan
from bot.services.broadcasts import Draft
from handlers.shared.common import ForumContext, patiently


async def send_as_members_see_it(update: Update, context: ForumContext, draft: Draft) -> None:
    """Send the draft to the coordinator through the same plan the engine uses."""
    chat_id = update.effective_chat.id
    bot = context.bot
    for call in plan(draft.text_html, draft.media, None):
        params = call.params
        if call.method == "sendMessage":
            await patiently(
                lambda text=params["text"]: bot.send_message(
                    chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            )
        elif call.method == "sendPhoto":
            await patiently(
                lambda p=params: bot.send_photo(
                    chat_id, p["photo"], caption=p.get("caption"), parse_mode=ParseMode.HTML
                )
            )
        else:
            await patiently(
                lambda p=params: bot.send_document(
                    chat_id, p["document"], caption=p.get("caption"), parse_mode=ParseMode.HTML
                )
            )


def absorb(draft: Draft, message: Message) -> Draft | None:
    """Put a message's text, photo or file into the draft; None if it holds neither."""
    if message.text:
        return draft.with_changes(text_html=message.text_html)
    media = None
    if message.photo:
        media = Media(PHOTO, message.photo[-1].file_id)
    elif message.document:
        media = Media(DOCUMENT, message.document.file_id)
    if media is None:
        return None
    text_html = message.caption_html if message.caption else draft.text_html
    return draft.with_changes(media=media, text_html=text_html)
