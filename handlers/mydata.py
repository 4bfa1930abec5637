"""/mydata: everything stored about the person, readable and as a JSON file.

The words show times in local time, in words, and leave out what is empty; the file keeps
ISO times in UTC (its caption says so), so it stays exact and easy for a computer to read.
"""

from __future__ import annotations

import json

from telegram import InputFile, Update
from telegram.ext import CommandHandler, filters

from bot.localtime import local_date, local_when, parse_stored
from bot.services.members import iso_time
from bot.texts import Texts
from handlers.journey.views import mydata_lines
from handlers.opportunities.mydata import opportunity_lines
from handlers.progression.mydata_part import contribution_data, contribution_lines
from handlers.shared import awaiting
from handlers.shared.common import ForumApp, ForumContext, role_words, say, send
from handlers.shared.keyboards import back_to_menu


async def mydata(update: Update, context: ForumContext) -> None:
    """Show the stored data in words, then send it as a JSON file."""
    awaiting.clear(context)
    services = context.services
    texts = services.texts
    zone = services.settings.zone
    user_id = update.effective_user.id
    own = await services.members.export(user_id)
    activity = await services.retention.member_activity(user_id)
    if own["member"] is not None and activity is not None:  # kept by the retention policy
        own["member"]["last_active"] = iso_time(activity.last_active_at)
        own["member"]["asked_whether_to_stay"] = iso_time(activity.stay_asked_at)
    # The file's parts in the order people have always had them.
    data = {
        "telegram_id": own["telegram_id"],
        "member": own["member"],
        "roles": own["roles"],
        # Each request in full: urgent or not, taken by a coordinator, reminded, done.
        "contact_requests": await services.contact.member_data(user_id),
        "coordinator_records": own["coordinator_records"],
        "meeting_answers": await services.meetings.member_data(user_id),
        "consultation_answers": await services.consultations.member_data(user_id),
        # Surveys asked, and answers linked to the member (anonymous ones are linked to nobody).
        "surveys": await services.surveys.member_data(user_id),
        # /journey: skills they added and parts they hid.
        "journey": await services.journey.member_data(user_id),
        # Opportunities: interest shown, outcomes recorded, kinds chosen in /settings.
        "opportunities": await services.opportunities.member_data(user_id),
        # Contributions a coordinator noted for them (/contribution).
        "contributions": await contribution_data(services, user_id),
    }
    member = data["member"]
    nothing = (
        member is None
        and not data["roles"]
        and not data["contact_requests"]
        and not data["coordinator_records"]
        and not data["meeting_answers"]
        and not data["consultation_answers"]
        and not data["surveys"]
        and not any(data["journey"].values())
        and not any(data["opportunities"].values())
        and not data["contributions"]
    )
    if nothing:
        await say(update, context, "mydata.nothing", back_to_menu(context))
        return
    chat_id = update.effective_chat.id
    yes, no = texts.plain("settings.answer_yes"), texts.plain("settings.answer_no")
    lines = []
    if member is not None:
        receives = member["receives"]
        joined = parse_stored(member["consented_at"])
        lines.append(
            texts.get(
                "mydata.member",
                user_id=data["telegram_id"],
                name=member["first_name"],
                consented=local_when(joined, zone, texts) if joined else texts.plain("mydata.none"),
                region=member["region"] or texts.plain("settings.national"),
                hub=member["hub"] or texts.plain("settings.no_hub"),
                meetings=yes if receives["meeting_reminders"] else no,
                consultations=yes if receives["consultations"] else no,
                news=yes if receives["forum_news"] else no,
            )
        )
        paused = parse_stored(member["paused_until"])
        if paused is not None:  # an empty line is left out, never shown as "No"
            lines.append(texts.get("mydata.paused", date=local_date(paused, zone)))
        for field, key in (
            ("last_active", "retention.mydata_last_active"),
            ("asked_whether_to_stay", "retention.mydata_asked"),
        ):
            if (moment := parse_stored(member.get(field))) is not None:
                lines.append(texts.get(key, date=local_date(moment, zone)))
        await send(context, chat_id, "\n".join(lines))
        lines = []
    else:
        lines.append(texts.get("mydata.account", user_id=data["telegram_id"]))
    if data["roles"]:
        lines.append(texts.get("mydata.roles", roles=_roles(texts, data["roles"])))
    lines.append(
        texts.get(
            "mydata.other",
            requests=_count(texts, data["contact_requests"]),
            records=_count(texts, data["coordinator_records"]),
            meeting_answers=_count(texts, data["meeting_answers"]),
            poll_answers=_count(texts, data["consultation_answers"]),
            surveys=_count(texts, data["surveys"]),
        )
    )
    lines += mydata_lines(texts, services.journey.skill_list, data["journey"])
    lines += opportunity_lines(texts, data["opportunities"])
    lines += contribution_lines(texts, data["contributions"])
    lines.append("\n" + texts.get("mydata.file_below"))
    await send(context, chat_id, "\n".join(lines))
    payload = json.dumps(data, indent=2, ensure_ascii=False).encode()
    await context.bot.send_document(
        chat_id,
        InputFile(payload, filename="my-forum-data.json"),
        caption=texts.get("mydata.file_caption"),
        reply_markup=back_to_menu(context),
    )


def _roles(texts: Texts, roles: list[str]) -> str:
    """The person's roles in words, like 'coordinator, decision-maker'."""
    return ", ".join(role_words(texts, role) for role in roles)


def _count(texts: Texts, items: list) -> str:
    """How many, or 'none'."""
    return str(len(items)) if items else texts.plain("mydata.none")


def register(app: ForumApp) -> None:
    """Add /mydata."""
    app.add_handler(CommandHandler("mydata", mydata, filters.ChatType.PRIVATE))
