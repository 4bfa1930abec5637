"""Telegram adapter: each module reads Updates, calls a service and renders a reply."""

from __future__ import annotations

from handlers import (
    attendance,
    audit,
    broadcast,
    broadcasts,
    consultations,
    contact,
    coordinators,
    crisis,
    delivery_reports,
    errors,
    fallback,
    help,
    leave,
    meetings,
    menu,
    mydata,
    newmeeting,
    newpoll,
    polls,
    results,
    settings,
    setup,
    start,
    support,
)
from handlers.common import ForumApp

# Order matters. The crisis watcher registers in its own earlier group, so it sees all text
# first. Within the default group the first matching handler wins, so the catch-all
# fallback must come last.
MODULES = (
    crisis,
    # Answer buttons come in rushes (a question to everyone at once): checked first, they skip
    # some forty other button patterns on every press. Its patterns overlap no other module's.
    consultations,
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
    broadcasts,
    delivery_reports,
    meetings,
    attendance,
    newmeeting,
    newpoll,
    polls,
    results,
    fallback,
    errors,
)


def register_all(app: ForumApp) -> None:
    """Register every handler module in order."""
    for module in MODULES:
        module.register(app)
