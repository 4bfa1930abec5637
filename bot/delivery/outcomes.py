"""A claimed delivery row and the state it moves to after one call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.delivery.content import Outgoing
from bot.delivery.policy import Outcome, RetryPolicy, Verdict
from storage.deliveries import FAILED, PENDING, SENT, UNCERTAIN, RowUpdate


@dataclass(frozen=True)
class Claimed:
    """A row marked 'sending', with the call it is making."""

    id: int
    broadcast_id: int
    recipient_id: int
    part: int
    attempts: int
    parts: int
    call: Outgoing


def row_update(claimed: Claimed, outcome: Outcome, now: datetime, policy: RetryPolicy) -> RowUpdate:
    """The row's new state after one call."""
    verdict = outcome.verdict
    if verdict is Verdict.SENT:
        part = claimed.part + 1
        state = SENT if part >= claimed.parts else PENDING
        return RowUpdate(claimed.id, state, part, claimed.attempts, message_id=outcome.message_id)
    if verdict is Verdict.RATE_LIMITED:
        return RowUpdate(claimed.id, PENDING, claimed.part, claimed.attempts)
    if verdict is Verdict.HOLD:
        due = now + timedelta(seconds=policy.hold_seconds)
        return RowUpdate(claimed.id, PENDING, claimed.part, claimed.attempts, due_at=due)
    if verdict is Verdict.MOVED and outcome.new_chat_id is not None:
        # Nothing went: the row is sent again to the group's new id (re-pointed with the
        # rest of that group's rows as it is settled), unless it keeps moving.
        attempts = claimed.attempts + 1
        if policy.gives_up(attempts) or outcome.new_chat_id == claimed.recipient_id:
            return RowUpdate(claimed.id, FAILED, claimed.part, attempts, reason=outcome.reason)
        return RowUpdate(claimed.id, PENDING, claimed.part, attempts, moved_to=outcome.new_chat_id)
    if verdict is Verdict.RETRY:
        attempts = claimed.attempts + 1
        if policy.gives_up(attempts):
            return RowUpdate(claimed.id, FAILED, claimed.part, attempts, reason=outcome.reason)
        due = now + timedelta(seconds=policy.delay(attempts))
        return RowUpdate(
            claimed.id, PENDING, claimed.part, attempts, due_at=due, reason=outcome.reason
        )
    state = FAILED if verdict in (Verdict.FAILED, Verdict.MOVED) else UNCERTAIN
    return RowUpdate(claimed.id, state, claimed.part, claimed.attempts, reason=outcome.reason)
