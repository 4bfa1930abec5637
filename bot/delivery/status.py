"""A broadcast's state and counts as plain values, for progress messages, reports and lists."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.delivery.policy import BLOCKED
from storage.broadcasts import Broadcast, StateCount
from storage.deliveries import (
    CANCELLED,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    UNCERTAIN,
)


@dataclass(frozen=True)
class DeliveryCounts:
    """How a broadcast's rows stand."""

    total: int = 0
    delivered: int = 0
    blocked: int = 0
    failed: dict[str, int] = field(default_factory=dict)  # reason -> count (not blocked)
    uncertain: int = 0
    cancelled: int = 0  # stopped by a coordinator
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count (paused, ...)
    waiting: int = 0  # pending or being sent

    @property
    def failed_total(self) -> int:
        """Failures other than people who blocked the bot."""
        return sum(self.failed.values())

    @property
    def skipped_total(self) -> int:
        """Rows not sent because the member paused, left or changed their choice."""
        return sum(self.skipped.values())

    @property
    def settled(self) -> int:
        """Rows that have reached their end state."""
        return self.total - self.waiting

    @classmethod
    def from_rows(cls, rows: Iterable[StateCount]) -> DeliveryCounts:
        """Add up the repository's (state, reason, count) rows."""
        by_state: Counter[str] = Counter()
        failed: Counter[str] = Counter()
        skipped: Counter[str] = Counter()
        blocked = 0
        for row in rows:
            by_state[row.state] += row.count
            reason = row.reason or "unknown"
            if row.state == FAILED and reason == BLOCKED:
                blocked += row.count
            elif row.state == FAILED:
                failed[reason] += row.count
            elif row.state == CANCELLED and reason != "cancelled":
                skipped[reason] += row.count
        return cls(
            total=sum(by_state.values()),
            delivered=by_state[SENT],
            blocked=blocked,
            failed=dict(failed),
            uncertain=by_state[UNCERTAIN],
            cancelled=by_state[CANCELLED] - sum(skipped.values()),
            skipped=dict(skipped),
            waiting=by_state[PENDING] + by_state[SENDING],
        )


@dataclass(frozen=True)
class BroadcastStatus:
    """A broadcast and its counts, with when it is waiting for (a chosen time, quiet hours)."""

    broadcast: Broadcast
    counts: DeliveryCounts
    waiting_until: datetime | None = None

    @property
    def id(self) -> int:
        """The broadcast's id."""
        return self.broadcast.id

    @property
    def state(self) -> str:
        """queued, sending, done or cancelled."""
        return self.broadcast.state

    @property
    def finished(self) -> bool:
        """True once every row has reached its end state."""
        return self.broadcast.finished_at is not None

    @property
    def duration(self) -> timedelta | None:
        """From the first send to the end, once finished."""
        started, finished = self.broadcast.started_at, self.broadcast.finished_at
        if started is None or finished is None:
            return None
        return max(timedelta(), finished - started)
