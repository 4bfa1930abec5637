"""/mydata: everything stored about the person, readable and as a JSON file."""

from __future__ import annotations

import json

from telegram import InputFile, Update
from telegram.ext import CommandHandler, filters

from handlers import awaiting
from handlers.common import ForumApp, ForumContext, say
from handlers.keyboards import back_to_menu


async def mydata(update: Update, context: ForumContext) -> None:
    """Show the stored data in words, then send it as a JSON file."""
    awaiting.clear(context)
    services = context.services
    texts = services.texts
    user_id = update.effective_user.id
    data = await services.members.export(user_id)
    # Each request in full: urgent or not, taken by a coordinator, reminded, done.
    data["contact_requests"] = await services.contact.member_data(user_id)
    data["meeting_answers"] = await services.meetings.member_data(user_id)
    data["consultation_answers"] = await services.consultations.member_data(user_id)
    member = data["member"]
    nothing = (
        member is None
        and not data["roles"]
        and not data["contact_requests"]
        and not data["coordinator_records"]
        and not data["meeting_answers"]
        and not data["consultation_answers"]
    )
    if nothing:
        await say(update, context, "mydata.nothing", back_to_menu(context))
        return
    yes, no = texts.plain("settings.answer_yes"), texts.plain("settings.answer_no")
    if member is not None:
        receives = member["receives"]
        await say(
            update,
            context,
            "mydata.member",
            None,
            user_id=data["telegram_id"],
            name=member["first_name"],
            consented=member["consented_at"],
            region=member["region"] or texts.plain("settings.national"),
            hub=member["hub"] or texts.plain("settings.no_hub"),
            meetings=yes if receives["meeting_reminders"] else no,
            consultations=yes if receives["consultations"] else no,
            news=yes if receives["forum_news"] else no,
            paused=member["paused_until"] or no,
        )
    await say(
        update,
        context,
        "mydata.other",
        None,
        roles=", ".join(data["roles"]) or no,
        requests=len(data["contact_requests"]),
        records=len(data["coordinator_records"]),
        meeting_answers=len(data["meeting_answers"]),
        poll_answers=len(data["consultation_answers"]),
    )
    payload = json.dumps(data, indent=2, ensure_ascii=False).encode()
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(payload, filename="my-forum-data.json"),
        caption=texts.get("mydata.file_caption"),
        reply_markup=back_to_menu(context),
    )


def register(app: ForumApp) -> None:
    """Add /mydata."""
    app.add_handler(CommandHandler("mydata", mydata, filters.ChatType.PRIVATE))
