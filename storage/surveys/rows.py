"""The surveys table and its readers: writing, state changes and the lists the service reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.db import Row, Session
from storage.meetings.feedback import is_listed, listed_members
from storage.rows import columns, record
from storage.scheduled import ScheduledRows
from storage.surveys.records import (
    CLOSED,
    FINISHED,
    NUDGE_PENDING,
    OPEN,
    SCHEDULED,
    Counts,
    NewSurvey,
    Rows,
    SurveyRow,
)
from storage.timefmt import to_db

_COLUMNS = columns(SurveyRow)


class SurveyRows(Rows, ScheduledRows):
    """Surveys and the decision-makers chosen to read their results."""

    table, readers_table, key = "surveys", "survey_readers", "survey_id"

    async def _many(
        self, sql: str, params: Sequence[object] = (), tx: Session | None = None
    ) -> list[SurveyRow]:
        """Surveys from a query over the surveys table."""
        rows = await (tx or self._db).fetch_all(sql, params)
        return [_survey(row) for row in rows]

    async def create(
        self, new: NewSurvey, created_by: int | None, now: datetime, tx: Session
    ) -> int:
        """Write a survey with its readers, in ``tx``; return its id."""
        return await self.insert(new, created_by, now, tx)

    async def get(self, survey_id: int, tx: Session | None = None) -> SurveyRow | None:
        """One survey, or None (read in ``tx`` when given)."""
        found = await self._many(f"SELECT {_COLUMNS} FROM surveys WHERE id = ?", (survey_id,), tx)
        return found[0] if found else None

    async def _where(
        self, where: str, *params: object, order: str = "id", limit: int = -1
    ) -> list[SurveyRow]:
        """Surveys matching a condition on the surveys table (-1: no limit)."""
        return await self._many(
            f"SELECT {_COLUMNS} FROM surveys WHERE {where} ORDER BY {order} LIMIT ?",
            (*params, limit),
        )

    async def due_to_open(self, now: datetime) -> list[SurveyRow]:
        """Scheduled surveys whose opening time has come."""
        return await self._where("state = ? AND opens_at <= ?", SCHEDULED, to_db(now))

    async def due_to_close(self, now: datetime) -> list[SurveyRow]:
        """Open or scheduled surveys whose closing time has passed."""
        return await self._where("state IN (?, ?) AND closes_at <= ?", OPEN, SCHEDULED, to_db(now))

    async def closed_without_results(self) -> list[SurveyRow]:
        """Closed surveys whose results pack was never queued (a crash in between)."""
        return await self._where("state = ? AND results_sent = 0", CLOSED)

    async def open_with_nudge_pending(self) -> list[SurveyRow]:
        """Open surveys whose nudge has not gone out or been skipped."""
        return await self._where("state = ? AND nudge_state = ?", OPEN, NUDGE_PENDING)

    async def running(self, limit: int = 20) -> list[SurveyRow]:
        """Scheduled and open surveys, soonest closing first."""
        return await self._where(
            "state IN (?, ?)", SCHEDULED, OPEN, order="closes_at, id", limit=limit
        )

    async def closed(self, limit: int = 20, reader: int | None = None) -> list[SurveyRow]:
        """Closed surveys, newest first; only those ``reader`` receives when given."""
        newest = "closed_at DESC, id DESC"
        if reader is None:
            return await self._where("state = ?", CLOSED, order=newest, limit=limit)
        chosen = "id IN (SELECT survey_id FROM survey_readers WHERE telegram_id = ?)"
        return await self._where(
            f"state = ? AND {chosen}", CLOSED, reader, order=newest, limit=limit
        )

    async def open_for(self, member_id: int, now: datetime) -> list[SurveyRow]:
        """Open surveys this member was asked and has not finished or withdrawn from,
        closing soonest first."""
        asked = "id IN (SELECT survey_id FROM survey_invites WHERE member_id = ? AND finished = 0)"
        return await self._where(
            f"state = ? AND closes_at > ? AND {asked}",
            OPEN,
            to_db(now),
            member_id,
            order="closes_at, id",
        )

    async def listed(self, survey_id: int, now: datetime) -> list[int] | None:
        """Who a survey sent to a list of members rather than a place asks now (a meeting's
        feedback survey: those marked as came); None for a survey sent to a place."""
        return await listed_members(self._db, survey_id, now)

    async def is_listed(self, survey_id: int) -> bool:
        """Whether a survey asks a list of members rather than a place (see ``listed``)."""
        return await is_listed(self._db, survey_id)

    async def counts(self, survey: SurveyRow) -> Counts:
        """How many were asked (as kept at closing, once closed) and how many responses are
        kept."""
        finished = await self._db.fetch_value(
            "SELECT COUNT(*) FROM survey_responses WHERE survey_id = ?", (survey.id,)
        )
        if survey.invited_count is not None:
            invited = survey.invited_count
        else:
            invited = await self._db.fetch_value(
                "SELECT COUNT(*) FROM survey_invites WHERE survey_id = ?", (survey.id,)
            )
        return Counts(int(invited or 0), int(finished or 0))

    async def finished_invites(self, survey_id: int) -> int:
        """How many of those asked have finished (their invitation says so)."""
        return int(
            await self._db.fetch_value(
                "SELECT COUNT(*) FROM survey_invites WHERE survey_id = ? AND finished = ?",
                (survey_id, FINISHED),
            )
            or 0
        )


def _survey(row: Row) -> SurveyRow:
    """A row of the surveys table as a record."""
    return record(SurveyRow, row)
