"""The handler groups, named in one place. python-telegram-bot runs the groups in ascending
order, and in each group the first handler that matches; a handler in an earlier group sees an
update first and may stop it (ApplicationHandlerStop). Every module registers into one of these.
"""

from __future__ import annotations

# Notes each person's last activity, before anything else (handlers/retention.py).
ACTIVITY = -2000
# A press that carries no message is answered as stale before any handler looks for its chat
# (handlers/errors.py).
NO_MESSAGE = -1000
# Keeps a coordinator's "You said, we did" text before the crisis net answers it; never replies
# (handlers/consultations/followup.py).
FOLLOWUP_DRAFT = -102
# Keeps a coordinator's broadcast text before the crisis net answers it; never replies
# (handlers/broadcasts/broadcast.py).
BROADCAST_DRAFT = -101
# The crisis net sees every private text first and stops it on a match (handlers/crisis.py).
CRISIS = -100
# Everything else, in the order of handlers/__init__.py's MODULES (fallback last).
DEFAULT = 0
