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
from handlers.meetings import attendance, newmeeting
from handlers.meetings import listing as meeting_list
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
    attendance,
    newmeeting,
    newpoll,
    consultation_admin,
    followup,
    results,
    newsurvey,
    survey_list,
    # Its activity watcher registers in a group before every other (even the crisis net).
    retention,
    fallback,
    errors,
)


def register_all(app: ForumApp) -> None:
    """Register every handler module in order."""
    for module in MODULES:
        module.register(app)
