"""Sending a broadcast again: to the people it may not have reached, or who can now be reached."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.broadcasts.records import (
    COLUMNS,
    NewBroadcast,
    Resent,
    broadcast_from_row,
    write_broadcast,
)
from storage.db import Database, Row, Session


class BroadcastResends:
    """Sending a broadcast again, for ``BroadcastRepository`` (which holds the connection)."""

    _db: Database

    async def resend_uncertain(
        self,
        original_id: int,
        prefix_html: str,
        now: datetime,
        *,
        created_by: int | None,
        report_chat_id: int | None,
    ) -> Resent | None:
        """Queue a copy, with ``prefix_html`` before its text, for everyone the broadcast may
        not have reached ("uncertain") and who has not been sent it again yet; one transaction,
        so a second call (a second press) finds nobody left and queues nothing. None then."""
        async with self._db.transaction() as tx:
            rows = await tx.fetch_all(
                "SELECT id, recipient_id FROM deliveries WHERE broadcast_id = ? "
                "AND state = 'uncertain' AND resent_in IS NULL ORDER BY id",
                (original_id,),
            )
            if not rows:
                return None
            copy_id = await self._copy(
                tx,
                original_id,
                [row["recipient_id"] for row in rows],
                now,
                prefix_html=prefix_html,
                created_by=created_by,
                report_chat_id=report_chat_id,
            )
            await self._mark_resent(tx, [row["id"] for row in rows], copy_id)
        return Resent(copy_id, original_id, len(rows))

    async def resend_waiting(
        self, recipient_id: int, reasons: Sequence[str], now: datetime, tx: Session
    ) -> list[int]:
        """In ``tx``: queue again, oldest first and urgent (the person is here now), every
        message that failed for this person with one of ``reasons`` (not started the bot,
        blocked it) or was skipped because they were marked unreachable, and has not been
        sent again yet. Return the copies' ids."""
        rows = await self.waiting(recipient_id, reasons, tx)
        copies = []
        for row in rows:
            copy_id = await self._copy(
                tx, row["broadcast_id"], [recipient_id], now, urgent=True, created_by=None
            )
            await self._mark_resent(tx, [row["id"]], copy_id)
            copies.append(copy_id)
        return copies

    @staticmethod
    async def waiting(recipient_id: int, reasons: Sequence[str], tx: Session) -> list[Row]:
        """The rows ``resend_waiting`` would send again (id, broadcast_id), oldest first."""
        marks = ",".join("?" * len(reasons))
        return await tx.fetch_all(
            "SELECT d.id, d.broadcast_id FROM deliveries d "
            "JOIN broadcasts b ON b.id = d.broadcast_id "
            "WHERE d.recipient_id = ? AND d.resent_in IS NULL AND b.state != 'cancelled' AND ("
            f"(d.state = 'failed' AND d.reason IN ({marks})) "
            "OR (d.state = 'cancelled' AND d.reason = 'unreachable')) "
            "ORDER BY d.broadcast_id",
            (recipient_id, *reasons),
        )

    @staticmethod
    async def _copy(
        tx: Session,
        original_id: int,
        recipients: list[int],
        now: datetime,
        *,
        prefix_html: str = "",
        urgent: bool | None = None,
        created_by: int | None = None,
        report_chat_id: int | None = None,
    ) -> int:
        """Write a copy of a broadcast (its text, file, buttons and number) for these people."""
        row = await tx.fetch_one(f"SELECT {COLUMNS} FROM broadcasts WHERE id = ?", (original_id,))
        if row is None:
            raise ValueError(f"no broadcast {original_id}")
        original = broadcast_from_row(row)
        new = NewBroadcast(
            kind=original.kind,
            text_html=prefix_html + original.text_html,
            created_by=created_by,
            media_kind=original.media_kind,
            media_file_id=original.media_file_id,
            reply_markup=original.reply_markup,
            urgent=original.urgent if urgent is None else urgent,
            preference=original.preference,
            audience=original.audience,
            report_chat_id=report_chat_id,
            must_reach=original.must_reach,
            resend_of=original.id,
            number=original.number,
            thread_id=original.thread_id,
        )
        copy_id = await write_broadcast(tx, new, recipients, now)
        if original.media_kind and not original.media_file_id:
            await tx.execute(
                "INSERT INTO broadcast_uploads (broadcast_id, filename, data) "
                "SELECT ?, filename, data FROM broadcast_uploads WHERE broadcast_id = ?",
                (copy_id, original_id),
            )
        return copy_id

    @staticmethod
    async def _mark_resent(tx: Session, row_ids: list[int], copy_id: int) -> None:
        """Record which copy sent these rows' message again."""
        await tx.execute_many(
            "UPDATE deliveries SET resent_in = ? WHERE id = ?",
            [(copy_id, row_id) for row_id in row_ids],
        )
