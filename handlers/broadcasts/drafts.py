"""The /broadcast draft conversation: its step names, its callback action and the shared
Conversation that keeps the draft (handlers/broadcasts/broadcast.py defines its steps)."""

from __future__ import annotations

from bot.services.broadcasts import Draft
from handlers.shared.conversation import Conversation

STEP_AUDIENCE = "broadcast_audience"
STEP_MESSAGE = "broadcast_message"
STEP_TIME = "broadcast_time"
STEP_RESUME = "broadcast_resume"  # a button step: go on with the kept draft, or start again
ACTION = "bc"  # bc:<draft id>:<what>[:<place id>]


DRAFTS: Conversation[Draft] = Conversation(
    ACTION,
    permission="broadcast",
    button_step=STEP_AUDIENCE,
    preview_awaits=STEP_MESSAGE,  # text sent at the preview is the message, written again
    key="broadcast_draft",
    kind=Draft,
    texts="broadcast.",
    buttons="broadcast.button_",
)
