"""Delivery rows for the worker: what is due, claiming rows, and settling them in batches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from storage.db import Database, Session
from storage.timefmt import to_db

PENDING, SENDING, SENT, FAILED, UNCERTAIN, CANCELLED = (
    "pending",
    "sending",
    "sent",
    "failed",
    "uncertain",
    "cancelled",
)

# Why a due row is skipped instead of sent: the member changed something since it was queued.
SKIP_PAUSED, SKIP_UNREACHABLE, SKIP_OPTED_OUT = "paused", "unreachable", "opted_out"


def precise(moment: datetime | None) -> str | None:
    """A time as UTC ISO text to the millisecond; it sorts correctly against to_db's text."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Candidate:
    """A pending row that is due, with a reason to skip it if the member no longer wants it."""

    id: int
    broadcast_id: int
    recipient_id: int
    part: int
    attempts: int
    skip: str | None


@dataclass(frozen=True)
class MissedRow:
    """Someone a broadcast did not reach, or may not have: failed, uncertain, or skipped as
    unreachable; with the name the bot knows them by and, once sent again, how that went."""

    recipient_id: int
    name: str | None
    state: str
    reason: str | None
    earlier_reason: str | None  # skipped as unreachable: why their last send failed
    resent_state: str | None  # the copy's row state, once sent again


_MISSED = """
SELECT d.recipient_id, d.state, d.reason,
       COALESCE(m.first_name,
                (SELECT r.first_name FROM roles r
                 WHERE r.telegram_id = d.recipient_id AND r.first_name IS NOT NULL
                 LIMIT 1)) AS name,
       CASE WHEN d.state = 'cancelled' THEN
         (SELECT f.reason FROM deliveries f
          WHERE f.recipient_id = d.recipient_id AND f.state = 'failed'
          ORDER BY f.updated_at DESC, f.id DESC LIMIT 1)
       END AS earlier_reason,
       (SELECT c.state FROM deliveries c
        WHERE c.broadcast_id = d.resent_in AND c.recipient_id = d.recipient_id) AS resent_state
FROM deliveries d
LEFT JOIN members m ON m.telegram_id = d.recipient_id
WHERE d.broadcast_id = :broadcast
  AND (d.state IN ('failed', 'uncertain')
       OR (d.state = 'cancelled' AND d.reason = 'unreachable'))
ORDER BY d.id
LIMIT :limit
"""


@dataclass(frozen=True)
class RowUpdate:
    """The new state of a row after a send attempt."""

    id: int
    state: str
    part: int
    attempts: int
    due_at: datetime | None = None
    message_id: int | None = None
    reason: str | None = None
    moved_to: int | None = None  # the group became a supergroup: the row goes to this id


async def move_chat(tx: Session, old_id: int, new_id: int, now: datetime) -> int:
    """A group became a supergroup, in ``tx``: its rows not sent yet go to the new id, each
    once (a row whose message already has one for the new id is cancelled as moved instead,
    so nothing is sent twice); return how many moved."""
    stamp = to_db(now)
    moved = await tx.execute(
        "UPDATE OR IGNORE deliveries SET recipient_id = ?, updated_at = ? "
        "WHERE recipient_id = ? AND state = 'pending'",
        (new_id, stamp, old_id),
    )
    await tx.execute(
        "UPDATE deliveries SET state = 'cancelled', reason = 'chat_moved', updated_at = ? "
        "WHERE recipient_id = ? AND state = 'pending'",
        (stamp, old_id),
    )
    return moved


_CANDIDATES = """
SELECT d.id, d.broadcast_id, d.recipient_id, d.part, d.attempts,
       CASE
         WHEN m.telegram_id IS NULL THEN NULL
         WHEN b.must_reach = 1 THEN NULL
         WHEN m.paused_until IS NOT NULL AND m.paused_until > :now THEN 'paused'
         WHEN m.reachable = 0 THEN 'unreachable'
         WHEN b.preference = 'news' AND m.wants_news = 0 THEN 'opted_out'
         WHEN b.preference = 'meetings' AND m.wants_meetings = 0 THEN 'opted_out'
         WHEN b.preference = 'consultations' AND m.wants_consultations = 0 THEN 'opted_out'
       END AS skip
FROM deliveries d
JOIN broadcasts b ON b.id = d.broadcast_id
LEFT JOIN members m ON m.telegram_id = d.recipient_id
WHERE d.state = 'pending'
  AND (d.due_at IS NULL OR d.due_at <= :now)
  AND b.state IN ('queued', 'sending')
  AND (b.not_before IS NULL OR b.not_before <= :now)
  AND (:quiet = 0 OR b.urgent = 1)
ORDER BY b.urgent DESC, d.broadcast_id, d.id
LIMIT :limit
"""


class DeliveryRepository:
    """The worker's view of the outbox."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def recover(self, now: datetime) -> int:
        """After a crash or restart, rows that were mid-send may have arrived: mark uncertain."""
        return await self._db.execute(
            "UPDATE deliveries SET state = 'uncertain', reason = 'interrupted', updated_at = ? "
            "WHERE state = 'sending'",
            (to_db(now),),
        )

    async def missed(self, broadcast_id: int, limit: int) -> list[MissedRow]:
        """Who a broadcast did not reach (or may not have), in the order they were queued."""
        rows = await self._db.fetch_all(_MISSED, {"broadcast": broadcast_id, "limit": limit})
        return [
            MissedRow(
                row["recipient_id"],
                row["name"],
                row["state"],
                row["reason"],
                row["earlier_reason"],
                row["resent_state"],
            )
            for row in rows
        ]

    async def candidates(self, now: datetime, quiet: bool, limit: int) -> list[Candidate]:
        """Due pending rows, urgent broadcasts first, then oldest first (none in quiet hours)."""
        rows = await self._db.fetch_all(
            _CANDIDATES, {"now": precise(now), "quiet": int(quiet), "limit": limit}
        )
        return [
            Candidate(
                row["id"],
                row["broadcast_id"],
                row["recipient_id"],
                row["part"],
                row["attempts"],
                row["skip"],
            )
            for row in rows
        ]

    async def settle_and_claim(
        self,
        now: datetime,
        updates: Sequence[RowUpdate],
        claims: Sequence[int],
        skips: Sequence[tuple[int, str]],
    ) -> list[int]:
        """In one transaction: record finished sends, skip rows, and claim rows for sending.

        A row is claimed only if it is still pending (a cancel may have got there first);
        the ids actually claimed are returned. A row whose group moved (``moved_to``) goes
        back to pending with every other pending row of that group, all re-pointed to the
        new id (``move_chat``).
        """
        stamp = to_db(now)
        async with self._db.transaction() as tx:
            if updates:
                await tx.execute_many(
                    "UPDATE deliveries SET state = ?, part = ?, attempts = ?, due_at = ?, "
                    "message_id = COALESCE(?, message_id), reason = ?, updated_at = ? "
                    "WHERE id = ? AND state = 'sending'",
                    [
                        (
                            u.state,
                            u.part,
                            u.attempts,
                            precise(u.due_at),
                            u.message_id,
                            u.reason,
                            stamp,
                            u.id,
                        )
                        for u in updates
                    ],
                )
                for u in updates:
                    if u.moved_to is not None:
                        old_id = await tx.fetch_value(
                            "SELECT recipient_id FROM deliveries "
                            "WHERE id = ? AND state = 'pending'",
                            (u.id,),
                        )
                        if old_id is not None:
                            await move_chat(tx, int(old_id), u.moved_to, now)
            if skips:
                await tx.execute_many(
                    "UPDATE deliveries SET state = 'cancelled', reason = ?, updated_at = ? "
                    "WHERE id = ? AND state = 'pending'",
                    [(reason, stamp, row_id) for row_id, reason in skips],
                )
            if not claims:
                return []
            marks = ",".join("?" * len(claims))
            rows = await tx.fetch_all(
                f"UPDATE deliveries SET state = 'sending', updated_at = ? "
                f"WHERE state = 'pending' AND id IN ({marks}) RETURNING id, broadcast_id",
                (stamp, *claims),
            )
            started = sorted({row["broadcast_id"] for row in rows})
            if started:
                marks = ",".join("?" * len(started))
                await tx.execute(
                    "UPDATE broadcasts SET state = 'sending', started_at = COALESCE(started_at, ?) "
                    f"WHERE state = 'queued' AND id IN ({marks})",
                    (stamp, *started),
                )
            return [row["id"] for row in rows]
