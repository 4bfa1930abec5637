"""Why a message did not reach someone, in a few plain kinds that reports name and explain."""

from __future__ import annotations

from dataclasses import dataclass

from bot.delivery.policy import BLOCKED, CHAT_NOT_FOUND, DEACTIVATED
from storage.deliveries import CANCELLED, UNCERTAIN, MissedRow

# The kinds of "why", also the ends of catalogue keys (reach.why_<kind>, reach.next_<kind>).
NOT_OPENED = "not_opened"  # they have not opened the bot yet (Telegram: chat not found)
BLOCKED_BOT = "blocked"  # they blocked the bot
GONE = "gone"  # their Telegram account was deleted
NOT_CONFIRMED = "not_confirmed"  # the send left but Telegram did not confirm it ("not sure")
PAUSED = "paused"  # they paused messages (a results pack only: decision-makers are told)
TELEGRAM = "telegram"  # Telegram kept refusing or failing
WHYS = (NOT_OPENED, BLOCKED_BOT, GONE, NOT_CONFIRMED, PAUSED, TELEGRAM)

# Failures after which a person gets what was waiting once they open the bot.
WAITING_REASONS = (CHAT_NOT_FOUND, BLOCKED)


def why(state: str, reason: str | None, earlier_reason: str | None = None) -> str:
    """The plain kind of a row that did not reach someone."""
    if state == UNCERTAIN:
        return NOT_CONFIRMED
    if state == CANCELLED:
        if reason == "paused":
            return PAUSED
        reason = earlier_reason or BLOCKED  # skipped: an earlier send failed for good
    if reason == CHAT_NOT_FOUND:
        return NOT_OPENED
    if reason == BLOCKED:
        return BLOCKED_BOT
    if reason == DEACTIVATED:
        return GONE
    return TELEGRAM


@dataclass(frozen=True)
class Missed:
    """Someone a broadcast did not reach, or may not have, and why; ``sent_again`` once a
    copy is on its way to them."""

    recipient_id: int
    name: str | None
    why: str
    sent_again: bool = False


def missed_from(row: MissedRow) -> Missed | None:
    """A stored row as a Missed, or None when a copy sent again has reached them since."""
    if row.resent_state == "sent":
        return None
    return Missed(
        row.recipient_id,
        row.name,
        why(row.state, row.reason, row.earlier_reason),
        sent_again=row.resent_state is not None,
    )
