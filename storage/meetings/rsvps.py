"""Answers: who was invited, who said going, maybe or can't."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.db import Session
from storage.meetings.records import GOING, MAYBE, NO, AnswerCounts, Rows
from storage.timefmt import to_db


class RsvpRows(Rows):
    """``meeting_rsvps``: one row per meeting and member (invited, answer)."""

    async def answer_of(self, meeting_id: int, member_id: int) -> str | None:
        """A member's answer, or None."""
        return await self._db.fetch_value(
            "SELECT answer FROM meeting_rsvps WHERE meeting_id = ? AND member_id = ?",
            (meeting_id, member_id),
        )

    async def answers_by(self, member_id: int) -> list[dict[str, object]]:
        """Every meeting answer a member gave (for their own data export)."""
        rows = await self._db.fetch_all(
            "SELECT m.title, m.starts_at, r.answer, r.answered_at, r.attended "
            "FROM meeting_rsvps r JOIN meetings m ON m.id = r.meeting_id "
            "WHERE r.member_id = ? ORDER BY m.starts_at",
            (member_id,),
        )
        return [
            {
                "meeting": row["title"],
                "starts_at": row["starts_at"],
                "answer": row["answer"],
                "answered_at": row["answered_at"],
                "attended": None if row["attended"] is None else bool(row["attended"]),
            }
            for row in rows
        ]

    async def is_listed(self, meeting_id: int, member_id: int) -> bool:
        """True when the member was invited or has answered."""
        return (
            await self._db.fetch_value(
                "SELECT 1 FROM meeting_rsvps WHERE meeting_id = ? AND member_id = ?",
                (meeting_id, member_id),
            )
            is not None
        )

    async def set_answer(self, meeting_id: int, member_id: int, answer: str, now: datetime) -> None:
        """Record or change a member's answer."""
        await self._db.execute(
            "INSERT INTO meeting_rsvps (meeting_id, member_id, answer, answered_at) "
            "VALUES (?,?,?,?) ON CONFLICT (meeting_id, member_id) "
            "DO UPDATE SET answer = excluded.answer, answered_at = excluded.answered_at",
            (meeting_id, member_id, answer, to_db(now)),
        )

    async def people(
        self,
        meeting_id: int,
        answers: Sequence[str | None],
        invited_only: bool = False,
        tx: Session | None = None,
    ) -> list[int]:
        """Members whose answer is one of ``answers`` (None: no answer yet); read in ``tx``
        when given."""
        clauses = []
        values: list[object] = [meeting_id]
        named = [a for a in answers if a is not None]
        if named:
            clauses.append(f"answer IN ({','.join('?' * len(named))})")
            values.extend(named)
        if None in answers:
            clauses.append("answer IS NULL")
        if not clauses:
            return []
        where = " OR ".join(clauses)
        if invited_only:
            where = f"({where}) AND invited = 1"
        rows = await (tx or self._db).fetch_all(
            f"SELECT member_id FROM meeting_rsvps WHERE meeting_id = ? AND ({where}) "
            "ORDER BY member_id",
            values,
        )
        return [row["member_id"] for row in rows]

    async def counts(self, meeting_id: int) -> AnswerCounts:
        """Answers so far, with invited people who have not answered."""
        rows = await self._db.fetch_all(
            "SELECT answer, COUNT(*) AS n FROM meeting_rsvps WHERE meeting_id = ? "
            "AND (answer IS NOT NULL OR invited = 1) GROUP BY answer",
            (meeting_id,),
        )
        found = {row["answer"]: row["n"] for row in rows}
        return AnswerCounts(
            found.get(GOING, 0), found.get(MAYBE, 0), found.get(NO, 0), found.get(None, 0)
        )
