"""What a send's answer means for its row: sent, retry, wait, failed for good, or uncertain."""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum
from typing import Any


class Verdict(Enum):
    """The kinds of outcome a send can have."""

    SENT = "sent"  # Telegram took it; we have its message id
    RATE_LIMITED = "rate_limited"  # 429: pause all sending for retry_after, then retry the row
    RETRY = "retry"  # 5xx or no connection: the message did not go; retry with backoff
    FAILED = "failed"  # permanent: blocked, deactivated, chat not found, refused
    UNCERTAIN = "uncertain"  # the request left but no answer came: it may have arrived
    HOLD = "hold"  # the bot itself is refused (bad token): pause all, retry the row later
    MOVED = "moved"  # the group became a supergroup: send again to its new id (nothing went)


# Reasons stored on rows, also used as catalogue keys for the report.
BLOCKED = "blocked"
DEACTIVATED = "deactivated"
CHAT_NOT_FOUND = "chat_not_found"
CHAT_MOVED = "chat_moved"
REFUSED = "refused"
SERVER_ERROR = "server_error"
NO_CONNECTION = "no_connection"
TIMED_OUT = "timed_out"
CONNECTION_LOST = "connection_lost"
BAD_ANSWER = "bad_answer"
INTERRUPTED = "interrupted"
NOT_AUTHORISED = "not_authorised"

# Failures that mean the person can no longer be reached (until they send /start again).
UNREACHABLE_REASONS = frozenset({BLOCKED, DEACTIVATED, CHAT_NOT_FOUND})
_CHAT_GONE = ("chat not found", "peer_id_invalid", "user not found")
# Telegram's 403 for someone who never started a chat with the bot.
_NEVER_STARTED = ("can't initiate conversation", "can\u2019t initiate conversation")


@dataclass(frozen=True)
class Outcome:
    """The meaning of one send's answer."""

    verdict: Verdict
    reason: str | None = None
    message_id: int | None = None
    retry_after: float = 0.0
    file_id: str | None = None  # set after an upload: Telegram's id for the file it now holds
    new_chat_id: int | None = None  # MOVED: the supergroup's id (Telegram's migrate_to_chat_id)

    @property
    def unreachable(self) -> bool:
        """True when the member should be marked as not reachable."""
        return self.verdict is Verdict.FAILED and self.reason in UNREACHABLE_REASONS


def classify(status: int, body: Any) -> Outcome:
    """Read a Bot API answer (HTTP status and parsed JSON body, or None if unreadable)."""
    body = body if isinstance(body, dict) else {}
    if 200 <= status < 300:
        result = body.get("result")
        message_id = result.get("message_id") if isinstance(result, dict) else None
        if body.get("ok") is True and isinstance(message_id, int):
            return Outcome(Verdict.SENT, message_id=message_id)
        # A success we cannot read: Telegram may well have sent it.
        return Outcome(Verdict.UNCERTAIN, BAD_ANSWER)
    description = str(body.get("description") or "").lower()
    parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
    retry_after = parameters.get("retry_after")
    if isinstance(retry_after, int | float) and not isinstance(retry_after, bool):
        return Outcome(Verdict.RATE_LIMITED, retry_after=max(0.0, float(retry_after)))
    if status == 429:
        return Outcome(Verdict.RATE_LIMITED, retry_after=1.0)
    new_chat_id = parameters.get("migrate_to_chat_id")
    if isinstance(new_chat_id, int) and not isinstance(new_chat_id, bool) and new_chat_id < 0:
        # python-telegram-bot's ChatMigrated: nothing was sent; the group has a new id.
        return Outcome(Verdict.MOVED, CHAT_MOVED, new_chat_id=new_chat_id)
    if new_chat_id:
        return Outcome(Verdict.FAILED, CHAT_MOVED)  # a new id we cannot use
    if status == 403:
        if "deactivated" in description:
            return Outcome(Verdict.FAILED, DEACTIVATED)
        if any(marker in description for marker in _NEVER_STARTED):
            return Outcome(Verdict.FAILED, CHAT_NOT_FOUND)  # they have not opened the bot yet
        return Outcome(Verdict.FAILED, BLOCKED)
    if status == 400:
        if any(marker in description for marker in _CHAT_GONE):
            return Outcome(Verdict.FAILED, CHAT_NOT_FOUND)
        return Outcome(Verdict.FAILED, REFUSED)
    if status in (401, 404):
        return Outcome(Verdict.HOLD, NOT_AUTHORISED)
    if status >= 500:
        return Outcome(Verdict.RETRY, SERVER_ERROR)
    return Outcome(Verdict.FAILED, REFUSED)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a row after a server error or lost connection."""

    max_attempts: int = 5
    base_seconds: float = 1.0
    cap_seconds: float = 60.0
    hold_seconds: float = 60.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1, 2, ...): doubling, with jitter."""
        raw = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempt - 1))
        jitter = (rng or random).uniform(0.8, 1.0)
        return raw * jitter

    def gives_up(self, attempts: int) -> bool:
        """True when a row has failed this many times and should fail for good."""
        return attempts >= self.max_attempts
