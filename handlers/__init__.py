"""Telegram adapter: each module reads Updates, calls a service and renders a reply."""

from __future__ import annotations

from handlers import (
    contact,
    coordinators,
    crisis,
    errors,
    fallback,
    help,
    leave,
    menu,
    mydata,
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
    fallback,
    errors,
)


def register_all(app: ForumApp) -> None:
    """Register every handler module in order."""
    for module in MODULES:
        module.register(app)
