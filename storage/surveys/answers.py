"""Invitations, members' progress and finished responses: who was asked, where each member is,
and the answers kept (with no member for an anonymous survey)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime

from storage.db import Session
from storage.surveys.records import (
    FINISHED,
    NOT_FINISHED,
    OPEN,
    SCHEDULED,
    WITHDRAWN,
    Finish,
    Keep,
    Progress,
    Rows,
)
from storage.timefmt import to_db

# What a step decides from a member's progress: keep new progress, finish, or change nothing.
Decide = Callable[[Progress], Keep | Finish | None]


async def delete_traces(tx: Session, column: str, value: int) -> None:
    """Delete, in ``tx``, every response (with its answers), progress and invitation whose
    ``column`` is ``value``: ``survey_id`` (a cancelled survey) or ``member_id`` (a person
    erased; an anonymous response has no member, so it stays). ``column`` is a constant."""
    await tx.execute(
        "DELETE FROM survey_answers WHERE response_id IN "
        f"(SELECT id FROM survey_responses WHERE {column} = ?)",
        (value,),
    )
    for table in ("survey_responses", "survey_progress", "survey_invites"):
        await tx.execute(f"DELETE FROM {table} WHERE {column} = ?", (value,))


class AnswerRows(Rows):
    """``survey_invites``, ``survey_progress``, ``survey_responses`` and ``survey_answers``."""

    async def open(
        self, survey_id: int, member_ids: Iterable[int], now: datetime, tx: Session
    ) -> bool:
        """Mark a scheduled survey open and invite these members; False if it was not
        scheduled (someone else opened or cancelled it)."""
        changed = await tx.execute(
            "UPDATE surveys SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
            (OPEN, to_db(now), survey_id, SCHEDULED),
        )
        if not changed:
            return False
        await tx.execute_many(
            "INSERT OR IGNORE INTO survey_invites (survey_id, member_id) "
            "SELECT ?, telegram_id FROM members WHERE telegram_id = ?",
            [(survey_id, member_id) for member_id in member_ids],
        )
        return True

    async def step(
        self, survey_id: int, member_id: int, now: datetime, decide: Decide
    ) -> tuple[Progress, Keep | Finish | None]:
        """One step of a member through a survey, as one transaction on the database's thread:
        read their progress (and whether the survey is open now), let ``decide`` say what
        changes, and write it; return the progress read and the change made. If ``decide``
        raises, nothing is written."""
        at = to_db(now)

        def work(conn: sqlite3.Connection) -> tuple[Progress, Keep | Finish | None]:
            progress = _read(conn, survey_id, member_id, at)
            change = decide(progress)
            if isinstance(change, Keep):
                _keep(conn, survey_id, member_id, change, at)
            elif isinstance(change, Finish):
                _finish(conn, survey_id, member_id, change)
            return progress, change

        return await self._db.atomically(work)

    async def not_finished(self, survey_id: int, tx: Session | None = None) -> list[int]:
        """Members asked who have not finished (nor taken their answers back)."""
        rows = await (tx or self._db).fetch_all(
            "SELECT member_id FROM survey_invites WHERE survey_id = ? AND finished = ? "
            "ORDER BY member_id",
            (survey_id, NOT_FINISHED),
        )
        return [row["member_id"] for row in rows]

    async def invited(self, survey_id: int, tx: Session | None = None) -> list[int]:
        """Everyone asked who is still a member."""
        rows = await (tx or self._db).fetch_all(
            "SELECT member_id FROM survey_invites WHERE survey_id = ? ORDER BY member_id",
            (survey_id,),
        )
        return [row["member_id"] for row in rows]

    async def end_answering(self, survey_id: int, anonymous: bool, tx: Session) -> int:
        """At closing, in ``tx``: keep how many were asked, drop every unfinished answer, and
        for an anonymous survey every invitation (so nothing says who finished); return how
        many were asked."""
        invited = int(
            await tx.fetch_value(
                "SELECT COUNT(*) FROM survey_invites WHERE survey_id = ?", (survey_id,)
            )
            or 0
        )
        await tx.execute("UPDATE surveys SET invited_count = ? WHERE id = ?", (invited, survey_id))
        await tx.execute("DELETE FROM survey_progress WHERE survey_id = ?", (survey_id,))
        if anonymous:
            await tx.execute("DELETE FROM survey_invites WHERE survey_id = ?", (survey_id,))
        return invited

    async def discard(self, survey_id: int, tx: Session) -> None:
        """A cancelled survey, in ``tx``: every response, answer, progress and invitation goes."""
        await delete_traces(tx, "survey_id", survey_id)

    async def responses(self, survey_id: int) -> list[dict[str, object]]:
        """Every finished response's answers (question id -> answer; None for skipped), in
        the order of their random ids (which says nothing about when or who)."""
        rows = await self._db.fetch_all(
            "SELECT a.response_id, a.question_id, a.value FROM survey_responses r "
            "JOIN survey_answers a ON a.response_id = r.id WHERE r.survey_id = ? "
            "ORDER BY a.response_id, a.question_id",
            (survey_id,),
        )
        found: dict[str, dict[str, object]] = {}
        empty = await self._db.fetch_all(
            "SELECT id FROM survey_responses WHERE survey_id = ? ORDER BY id", (survey_id,)
        )
        for row in empty:
            found[row["id"]] = {}
        for row in rows:
            found[row["response_id"]][row["question_id"]] = json.loads(row["value"])
        return list(found.values())

    async def withdraw(self, token: str, member_id: int, now: datetime) -> int | None:
        """Take back a finished response by its id while its survey is open: its answers
        go, and the member's invitation says they withdrew. A survey that is not anonymous
        only lets its own member do it. Return the survey's id, or None when there is nothing
        to take back (closed, already gone, or not theirs)."""
        at = to_db(now)

        def work(conn: sqlite3.Connection) -> int | None:
            row = conn.execute(
                "SELECT r.survey_id, r.member_id, s.anonymous, s.state, s.closes_at "
                "FROM survey_responses r JOIN surveys s ON s.id = r.survey_id WHERE r.id = ?",
                (token,),
            ).fetchone()
            if row is None or row["state"] != OPEN or row["closes_at"] <= at:
                return None
            if not row["anonymous"] and row["member_id"] != member_id:
                return None
            conn.execute("DELETE FROM survey_answers WHERE response_id = ?", (token,))
            conn.execute("DELETE FROM survey_responses WHERE id = ?", (token,))
            conn.execute(
                "UPDATE survey_invites SET finished = ? "
                "WHERE survey_id = ? AND member_id = ? AND finished = ?",
                (WITHDRAWN, row["survey_id"], member_id, FINISHED),
            )
            return int(row["survey_id"])

        return await self._db.atomically(work)

    async def named_response(self, survey_id: int, member_id: int) -> str | None:
        """The id of this member's response to a survey that is not anonymous, or None."""
        return await self._db.fetch_value(
            "SELECT id FROM survey_responses WHERE survey_id = ? AND member_id = ?",
            (survey_id, member_id),
        )

    async def stop(self, survey_id: int, member_id: int) -> None:
        """ "Stop for now": the member's place is kept, marked stopped (typed text is then no
        answer, after a restart too)."""
        await self._db.execute(
            "UPDATE survey_progress SET stopped = 1 WHERE survey_id = ? AND member_id = ?",
            (survey_id, member_id),
        )

    async def carry_on(self, survey_id: int, member_id: int) -> None:
        """The member carries on: their place is no longer marked stopped."""
        await self._db.execute(
            "UPDATE survey_progress SET stopped = 0 "
            "WHERE survey_id = ? AND member_id = ? AND stopped = 1",
            (survey_id, member_id),
        )

    async def answering(self, member_id: int, now: datetime) -> list[int]:
        """Open surveys this member is part way through and has not stopped for now, the one
        they touched last first."""
        rows = await self._db.fetch_all(
            "SELECT p.survey_id FROM survey_progress p JOIN surveys s ON s.id = p.survey_id "
            "WHERE p.member_id = ? AND p.stopped = 0 AND s.state = ? AND s.closes_at > ? "
            "ORDER BY p.updated_at DESC, p.survey_id DESC",
            (member_id, OPEN, to_db(now)),
        )
        return [row["survey_id"] for row in rows]

    async def member_data(self, member_id: int) -> list[dict[str, object]]:
        """Everything stored about a member in surveys: each survey they were asked (whether
        they agreed, finished or withdrew, and any answers in progress), and their answers to
        surveys that are not anonymous. Anonymous answers are not linked to anyone."""
        rows = await self._db.fetch_all(
            "SELECT s.id, s.title, s.anonymous, i.agreed, i.finished, p.answers AS partial "
            "FROM survey_invites i JOIN surveys s ON s.id = i.survey_id "
            "LEFT JOIN survey_progress p ON p.survey_id = i.survey_id "
            "AND p.member_id = i.member_id WHERE i.member_id = ? ORDER BY s.id",
            (member_id,),
        )
        data: dict[int, dict[str, object]] = {}
        for row in rows:
            data[row["id"]] = {
                "survey": row["title"],
                "anonymous": bool(row["anonymous"]),
                "agreed": bool(row["agreed"]),
                "finished": row["finished"] == FINISHED,
                "withdrawn": row["finished"] == WITHDRAWN,
                "answers_in_progress": json.loads(row["partial"]) if row["partial"] else None,
                "answers": None,
            }
        responses = await self._db.fetch_all(
            "SELECT r.survey_id, s.title, a.question_id, a.value FROM survey_responses r "
            "JOIN surveys s ON s.id = r.survey_id "
            "LEFT JOIN survey_answers a ON a.response_id = r.id "
            "WHERE r.member_id = ? ORDER BY r.survey_id, a.question_id",
            (member_id,),
        )
        for row in responses:
            entry = data.setdefault(
                row["survey_id"],
                {
                    "survey": row["title"],
                    "anonymous": False,
                    "agreed": True,
                    "finished": True,
                    "withdrawn": False,
                    "answers_in_progress": None,
                    "answers": None,
                },
            )
            answers = entry["answers"] if isinstance(entry["answers"], dict) else {}
            if row["question_id"] is not None:
                answers[row["question_id"]] = json.loads(row["value"])
            entry["answers"] = answers
        return [data[survey_id] for survey_id in sorted(data)]


def _read(conn: sqlite3.Connection, survey_id: int, member_id: int, at: str) -> Progress:
    """A member's progress, read on the database's thread."""
    survey = conn.execute(
        "SELECT state, closes_at FROM surveys WHERE id = ?", (survey_id,)
    ).fetchone()
    is_open = survey is not None and survey["state"] == OPEN and survey["closes_at"] > at
    invite = conn.execute(
        "SELECT agreed, finished FROM survey_invites WHERE survey_id = ? AND member_id = ?",
        (survey_id, member_id),
    ).fetchone()
    if invite is None:
        return Progress(open=is_open, invited=False)
    row = conn.execute(
        "SELECT path, answers, pending FROM survey_progress WHERE survey_id = ? AND member_id = ?",
        (survey_id, member_id),
    ).fetchone()
    if row is None:
        return Progress(is_open, True, bool(invite["agreed"]), invite["finished"])
    return Progress(
        is_open,
        True,
        bool(invite["agreed"]),
        invite["finished"],
        tuple(json.loads(row["path"])),
        json.loads(row["answers"]),
        tuple(json.loads(row["pending"])),
    )


def _keep(conn: sqlite3.Connection, survey_id: int, member_id: int, keep: Keep, at: str) -> None:
    """Write a member's progress (and that they agreed); answering again means they carry on,
    so a "Stop for now" is cleared."""
    conn.execute(
        "UPDATE survey_invites SET agreed = 1 WHERE survey_id = ? AND member_id = ?",
        (survey_id, member_id),
    )
    conn.execute(
        "INSERT INTO survey_progress (survey_id, member_id, path, answers, pending, updated_at) "
        "VALUES (?,?,?,?,?,?) ON CONFLICT (survey_id, member_id) DO UPDATE SET "
        "path = excluded.path, answers = excluded.answers, pending = excluded.pending, "
        "stopped = 0, updated_at = excluded.updated_at",
        (
            survey_id,
            member_id,
            json.dumps(list(keep.path)),
            json.dumps(dict(keep.answers), ensure_ascii=False),
            json.dumps(list(keep.pending)),
            at,
        ),
    )


def _finish(conn: sqlite3.Connection, survey_id: int, member_id: int, finish: Finish) -> None:
    """Write a finished response, end the member's progress and mark them finished: one
    transaction (the caller's), so none of it is kept without the rest."""
    conn.execute(
        "INSERT INTO survey_responses (id, survey_id, member_id) VALUES (?,?,?)",
        (finish.response_id, survey_id, finish.member_id),
    )
    conn.executemany(
        "INSERT INTO survey_answers (response_id, question_id, value) VALUES (?,?,?)",
        [
            (finish.response_id, question_id, json.dumps(value, ensure_ascii=False))
            for question_id, value in finish.answers.items()
        ],
    )
    conn.execute(
        "DELETE FROM survey_progress WHERE survey_id = ? AND member_id = ?",
        (survey_id, member_id),
    )
    conn.execute(
        "UPDATE survey_invites SET finished = ? WHERE survey_id = ? AND member_id = ?",
        (FINISHED, survey_id, member_id),
    )
