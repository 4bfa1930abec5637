""" "You said, we did": follow-ups about a closed consultation."""

from __future__ import annotations

from datetime import datetime

from storage.consultations.records import Rows
from storage.db import Session
from storage.timefmt import to_db


class FollowupRows(Rows):
    """``consultation_followups``: the messages and the broadcasts that sent them."""

    async def add_followup(
        self, consultation_id: int, text: str, created_by: int | None, now: datetime, tx: Session
    ) -> int:
        """Keep a "you said, we did" message, in ``tx`` (which queues it too); return its id."""
        return await tx.insert(
            "INSERT INTO consultation_followups (consultation_id, text, created_by, created_at) "
            "VALUES (?,?,?,?)",
            (consultation_id, text, created_by, to_db(now)),
        )

    async def set_followup_broadcast(
        self, followup_id: int, broadcast_id: int, tx: Session
    ) -> None:
        """Link a follow-up to the broadcast that sent it, in ``tx``."""
        await tx.execute(
            "UPDATE consultation_followups SET broadcast_id = ? WHERE id = ?",
            (broadcast_id, followup_id),
        )

    async def followups(self, consultation_id: int) -> list[str]:
        """The follow-ups sent about a consultation, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT text FROM consultation_followups WHERE consultation_id = ? ORDER BY id",
            (consultation_id,),
        )
        return [row["text"] for row in rows]
