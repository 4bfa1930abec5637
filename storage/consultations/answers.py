"""Invitations, answers and comments: who was asked, what they chose, what they wrote."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from storage.consultations.records import (
    CANCELLED,
    CLOSED,
    GONE,
    NOT_INVITED,
    OPEN,
    SAVED,
    SCHEDULED,
    MemberAnswer,
    Press,
    Rows,
)
from storage.db import Session
from storage.timefmt import to_db


class AnswerRows(Rows):
    """``consultation_invites``, ``consultation_choices`` and ``consultation_comments``."""

    async def open(
        self, consultation_id: int, member_ids: Iterable[int], now: datetime, tx: Session
    ) -> bool:
        """Mark a scheduled consultation open and invite these members (their region and hub
        as they are now); False if it was not scheduled (someone else opened it)."""
        changed = await tx.execute(
            "UPDATE consultations SET state = 'open', updated_at = ? WHERE id = ? AND state = ?",
            (to_db(now), consultation_id, SCHEDULED),
        )
        if not changed:
            return False
        await tx.execute_many(
            "INSERT OR IGNORE INTO consultation_invites (consultation_id, member_id, region_id, "
            "hub_id) SELECT ?, telegram_id, COALESCE(region_id, ''), COALESCE(hub_id, '') "
            "FROM members WHERE telegram_id = ?",
            [(consultation_id, member_id) for member_id in member_ids],
        )
        return True

    async def answer_of(self, consultation_id: int, member_id: int) -> MemberAnswer | None:
        """The member's invitation and choices, or None if they were not invited."""
        row = await self._db.fetch_one(
            "SELECT answered_at FROM consultation_invites "
            "WHERE consultation_id = ? AND member_id = ?",
            (consultation_id, member_id),
        )
        if row is None:
            return None
        chosen = await self._db.fetch_all(
            "SELECT position FROM consultation_choices WHERE consultation_id = ? AND member_id = ?",
            (consultation_id, member_id),
        )
        return MemberAnswer(
            row["answered_at"] is not None, frozenset(r["position"] for r in chosen)
        )

    async def press(
        self,
        consultation_id: int,
        member_id: int,
        position: int,
        *,
        only_one: bool,
        chosen: bool,
        now: datetime,
    ) -> Press:
        """Record one answer press in a single transaction (one hop to the database thread):
        check the consultation is still open and the member was asked, then with ``only_one``
        make ``position`` the answer, otherwise set it chosen or not (a member who un-chooses
        their last answer no longer counts as answered)."""
        at = to_db(now)

        def work(conn: sqlite3.Connection) -> Press:
            row = conn.execute(
                "SELECT state, closes_at FROM consultations WHERE id = ?", (consultation_id,)
            ).fetchone()
            if row is None or row["state"] in (SCHEDULED, CANCELLED):
                return Press(GONE)
            if row["state"] != OPEN or row["closes_at"] <= at:
                return Press(CLOSED)
            invite = conn.execute(
                "SELECT answered_at FROM consultation_invites "
                "WHERE consultation_id = ? AND member_id = ?",
                (consultation_id, member_id),
            ).fetchone()
            if invite is None:
                return Press(NOT_INVITED)
            key = (consultation_id, member_id)
            if only_one:
                conn.execute(
                    "DELETE FROM consultation_choices WHERE consultation_id = ? "
                    "AND member_id = ? AND position != ?",
                    (*key, position),
                )
            if chosen:
                conn.execute(
                    "INSERT OR IGNORE INTO consultation_choices "
                    "(consultation_id, member_id, position) VALUES (?,?,?)",
                    (*key, position),
                )
            else:
                conn.execute(
                    "DELETE FROM consultation_choices "
                    "WHERE consultation_id = ? AND member_id = ? AND position = ?",
                    (*key, position),
                )
            picked = frozenset(
                choice["position"]
                for choice in conn.execute(
                    "SELECT position FROM consultation_choices "
                    "WHERE consultation_id = ? AND member_id = ?",
                    key,
                )
            )
            was_answered = invite["answered_at"] is not None
            answered = bool(picked) and (was_answered or only_one)
            if answered and not was_answered:
                conn.execute(
                    "UPDATE consultation_invites SET answered_at = ? "
                    "WHERE consultation_id = ? AND member_id = ?",
                    (at, *key),
                )
            elif was_answered and not answered:
                conn.execute(
                    "UPDATE consultation_invites SET answered_at = NULL "
                    "WHERE consultation_id = ? AND member_id = ?",
                    key,
                )
            return Press(SAVED, was_answered, answered, picked)

        return await self._db.atomically(work)

    @staticmethod
    async def _is_open(tx: Session, consultation_id: int) -> bool:
        """True while the consultation is open (checked inside each answer's transaction, so
        nothing is written after closing has counted)."""
        state = await tx.fetch_value(
            "SELECT state FROM consultations WHERE id = ?", (consultation_id,)
        )
        return state == OPEN

    async def confirm(self, consultation_id: int, member_id: int, now: datetime) -> bool | None:
        """Mark a member's choices as their answer; False if they have none chosen, None if
        the consultation is no longer open."""
        async with self._db.transaction() as tx:
            if not await self._is_open(tx, consultation_id):
                return None
            any_chosen = await tx.fetch_value(
                "SELECT COUNT(*) FROM consultation_choices "
                "WHERE consultation_id = ? AND member_id = ?",
                (consultation_id, member_id),
            )
            if not any_chosen:
                return False
            await tx.execute(
                "UPDATE consultation_invites SET answered_at = COALESCE(answered_at, ?) "
                "WHERE consultation_id = ? AND member_id = ?",
                (to_db(now), consultation_id, member_id),
            )
        return True

    async def discard_answers(self, consultation_id: int, tx: Session) -> None:
        """Delete every answer and comment of a withdrawn consultation, in ``tx``."""
        await tx.execute(
            "DELETE FROM consultation_choices WHERE consultation_id = ?", (consultation_id,)
        )
        await tx.execute(
            "DELETE FROM consultation_comments WHERE consultation_id = ?", (consultation_id,)
        )
        await tx.execute(
            "UPDATE consultation_invites SET answered_at = NULL WHERE consultation_id = ?",
            (consultation_id,),
        )

    async def set_comment(
        self, consultation_id: int, member_id: int, text: str, now: datetime
    ) -> None:
        """Keep a member's comment (a new one replaces the old)."""
        await self._db.execute(
            "INSERT INTO consultation_comments (consultation_id, member_id, text, written_at) "
            "VALUES (?,?,?,?) ON CONFLICT (consultation_id, member_id) "
            "DO UPDATE SET text = excluded.text, written_at = excluded.written_at",
            (consultation_id, member_id, text, to_db(now)),
        )

    async def comments(self, consultation_id: int) -> list[str]:
        """Every comment, oldest first, without who wrote it."""
        rows = await self._db.fetch_all(
            "SELECT text FROM consultation_comments WHERE consultation_id = ? "
            "ORDER BY written_at, rowid",
            (consultation_id,),
        )
        return [row["text"] for row in rows]

    async def not_answered(self, consultation_id: int, tx: Session | None = None) -> list[int]:
        """Invited members who have not answered (read in ``tx`` when given)."""
        rows = await (tx or self._db).fetch_all(
            "SELECT member_id FROM consultation_invites "
            "WHERE consultation_id = ? AND answered_at IS NULL ORDER BY member_id",
            (consultation_id,),
        )
        return [row["member_id"] for row in rows]

    async def invited(
        self, consultation_id: int, answered_only: bool = False, tx: Session | None = None
    ) -> list[int]:
        """Everyone invited (or only those who answered); read in ``tx`` when given."""
        extra = " AND answered_at IS NOT NULL" if answered_only else ""
        rows = await (tx or self._db).fetch_all(
            "SELECT member_id FROM consultation_invites WHERE consultation_id = ?"
            f"{extra} ORDER BY member_id",
            (consultation_id,),
        )
        return [row["member_id"] for row in rows]

    async def member_data(self, member_id: int) -> list[dict[str, object]]:
        """Everything a member gave in consultations: question, chosen answers, comment."""
        rows = await self._db.fetch_all(
            "SELECT c.id, c.question, i.answered_at, "
            "(SELECT text FROM consultation_comments m WHERE m.consultation_id = c.id "
            " AND m.member_id = i.member_id) AS comment "
            "FROM consultation_invites i JOIN consultations c ON c.id = i.consultation_id "
            "WHERE i.member_id = ? ORDER BY c.id",
            (member_id,),
        )
        data = []
        for row in rows:
            chosen = await self._db.fetch_all(
                "SELECT o.label FROM consultation_choices h JOIN consultation_options o "
                "ON o.consultation_id = h.consultation_id AND o.position = h.position "
                "WHERE h.consultation_id = ? AND h.member_id = ? ORDER BY o.position",
                (row["id"], member_id),
            )
            data.append(
                {
                    "question": row["question"],
                    "answered_at": row["answered_at"],
                    "answers": [choice["label"] for choice in chosen],
                    "comment": row["comment"],
                }
            )
        return data
