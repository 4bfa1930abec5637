"""Telegram adapter: each module reads Updates, calls a service and renders a reply."""

from __future__ import annotations

from handlers import (
    audit,
    contact,
    coordinators,
    crisis,
    errors,
    fallback,
    help,
    journey,
    leave,
    menu,
    mydata,
    retention,
    settings,
    setup,
    start,
    support,
)
from handlers.broadcasts import broadcast
from handlers.broadcasts import listing as broadcast_list
from handlers.broadcasts import reports as delivery_reports
from handlers.consultations import admin as consultation_admin
from handlers.consultations import answers as consultation_answers
from handlers.consultations import followup, newpoll, results
from handlers.group_chats import linking as group_linking
from handlers.group_chats import listing as group_list
from handlers.group_chats import membership as group_membership
from handlers.group_chats import safety as group_safety
from handlers.meetings import attendance, newmeeting
from handlers.meetings import feedback as meeting_feedback
from handlers.meetings import listing as meeting_list
from handlers.opportunities import kinds as opportunity_kinds
from handlers.opportunities import listing as opportunity_list
from handlers.opportunities import newopportunity
from handlers.progression import contribution
from handlers.progression import report as progression_report
from handlers.series import listing as series_list
from handlers.shared.common import ForumApp
from handlers.surveys import answering as survey_answering
from handlers.surveys import listing as survey_list
from handlers.surveys import newsurvey

# Order matters. The crisis watcher registers in its own earlier group, so it sees all text
# first. Within the default group the first matching handler wins, so the catch-all
# fallback must come last.
MODULES = (
    crisis,
    # Answer buttons come in rushes (a question to everyone at once): checked first, they skip
    # some forty other button patterns on every press. Its patterns overlap no other module's.
    consultation_answers,
    # A survey's answer buttons come in rushes too; its patterns (svs, svp, ...) overlap none.
    survey_answering,
    start,
    menu,
    setup,
    settings,
    support,
    contact,
    mydata,
    journey,
    leave,
    help,
    coordinators,
    audit,
    # /broadcast's media catcher hands anything not for a draft to the fallback, so it must
    # come before it; its draft-keeping hook runs in a group before the crisis net's.
    broadcast,
    broadcast_list,
    delivery_reports,
    meeting_list,
    meeting_feedback,
    attendance,
    newmeeting,
    newpoll,
    consultation_admin,
    followup,
    results,
    newsurvey,
    survey_list,
    series_list,
    newopportunity,
    opportunity_list,
    opportunity_kinds,
    contribution,
    progression_report,
    # Group chats: /link and /unlink in a group must come before the fallback's answer to
    # every other command in a group ("I work in a private chat").
    group_linking,
    group_membership,
    group_list,
    # The crisis net in groups where the bot is an admin: its own early group, never stops.
    group_safety,
    # Its activity watcher registers in a group before every other (even the crisis net).
    retention,
    fallback,
    errors,
)


def register_all(app: ForumApp) -> None:
    """Register every handler module in order."""
    for module in MODULES:
        module.register(app)
