"""The audit log: who did what, and when; and the names and titles that make it readable."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Database, Row, Session
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class AuditEntry:
    """One recorded action."""

    id: int
    at: datetime
    actor_id: int | None
    action: str
    target_id: int | None
    detail: str


def _entry(row: Row) -> AuditEntry:
    """Turn a row into an AuditEntry."""
    return AuditEntry(
        row["id"],
        from_db(row["at"]),  # type: ignore[arg-type]
        row["actor_id"],
        row["action"],
        row["target_id"],
        row["detail"],
    )


class AuditRepository:
    """Appends to and reads the audit log."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        actor_id: int | None,
        action: str,
        now: datetime,
        target_id: int | None = None,
        detail: str = "",
        tx: Session | None = None,
    ) -> None:
        """Add an entry, inside a given transaction or on its own."""
        sql = "INSERT INTO audit_log (at, actor_id, action, target_id, detail) VALUES (?,?,?,?,?)"
        params = (to_db(now), actor_id, action, target_id, detail)
        if tx is not None:
            await tx.insert(sql, params)
        else:
            await self._db.insert(sql, params)

    async def latest(
        self,
        limit: int = 20,
        actions: Collection[str] | None = None,
        people: Collection[int] | None = None,
    ) -> list[AuditEntry]:
        """The newest entries, newest first; only these actions, and only entries where one of
        these people acted or was acted on, when given."""
        where, params = [], []
        if actions is not None:
            where.append(f"action IN ({_marks(actions)})")
            params += list(actions)
        if people is not None:
            where.append(f"(actor_id IN ({_marks(people)}) OR target_id IN ({_marks(people)}))")
            params += [*people, *people]
        sql = "SELECT id, at, actor_id, action, target_id, detail FROM audit_log"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = await self._db.fetch_all(sql + " ORDER BY id DESC LIMIT ?", (*params, limit))
        return [_entry(row) for row in rows]

    async def names(self, people: Collection[int]) -> dict[int, str]:
        """First names to show in the log: a member's, else a role holder's, else the one
        given with their latest contact request. Someone with none of these (or who has
        left) is not in the answer."""
        if not people:
            return {}
        marks, ids = _marks(people), tuple(people)
        found: dict[int, str] = {}
        for row in await self._db.fetch_all(
            f"SELECT telegram_id, first_name FROM contact_requests "
            f"WHERE telegram_id IN ({marks}) ORDER BY id",
            ids,
        ):
            found[row["telegram_id"]] = row["first_name"]
        for row in await self._db.fetch_all(
            f"SELECT telegram_id, first_name FROM roles "
            f"WHERE telegram_id IN ({marks}) AND first_name IS NOT NULL",
            ids,
        ):
            found[row["telegram_id"]] = row["first_name"]
        for row in await self._db.fetch_all(
            f"SELECT telegram_id, first_name FROM members WHERE telegram_id IN ({marks})", ids
        ):
            found[row["telegram_id"]] = row["first_name"]
        return found

    async def message_numbers(self, broadcast_ids: Collection[int]) -> dict[int, int]:
        """The numbers coordinators see for messages ("Message 3"), by broadcast id; a
        broadcast without one is left out."""
        return await self._by_id(
            "SELECT id, number FROM broadcasts WHERE id IN ({}) AND number IS NOT NULL",
            broadcast_ids,
        )

    async def people_named(self, name: str) -> list[int]:
        """Everyone whose first name (as a member, or with a contact request) is ``name``,
        in any mix of capitals."""
        wanted = name.casefold()
        rows = await self._db.fetch_all(
            "SELECT telegram_id, first_name FROM members WHERE first_name LIKE ? "
            "UNION SELECT telegram_id, first_name FROM contact_requests WHERE first_name LIKE ?",
            (name, name),
        )
        if not rows:  # LIKE ignores capitals only for A to Z: look wider for other letters
            rows = await self._db.fetch_all(
                "SELECT telegram_id, first_name FROM members "
                "UNION SELECT telegram_id, first_name FROM contact_requests"
            )
        return sorted(
            {row["telegram_id"] for row in rows if row["first_name"].casefold() == wanted}
        )

    async def meeting_titles(self, meeting_ids: Collection[int]) -> dict[int, str]:
        """Meetings' titles by id (a deleted one is left out)."""
        return await self._by_id("SELECT id, title FROM meetings WHERE id IN ({})", meeting_ids)

    async def series_titles(self, series_ids: Collection[int]) -> dict[int, str]:
        """Each meeting series' title: that of its latest meeting."""
        return await self._by_id(
            "SELECT series_id, title FROM meetings WHERE series_id IN ({}) ORDER BY starts_at",
            series_ids,
        )

    async def questions(self, consultation_ids: Collection[int]) -> dict[int, str]:
        """Consultations' questions by id (a deleted one is left out)."""
        return await self._by_id(
            "SELECT id, question FROM consultations WHERE id IN ({})", consultation_ids
        )

    async def survey_titles(self, survey_ids: Collection[int]) -> dict[int, str]:
        """Surveys' titles by id."""
        return await self._by_id("SELECT id, title FROM surveys WHERE id IN ({})", survey_ids)

    async def repeat_titles(self, series_ids: Collection[int]) -> dict[int, str]:
        """Repeating questions' and surveys' titles by series id (storage/series.py)."""
        return await self._by_id("SELECT id, title FROM series WHERE id IN ({})", series_ids)

    async def opportunity_titles(self, opportunity_ids: Collection[int]) -> dict[int, str]:
        """Opportunities' titles by id (storage/opportunities.py)."""
        return await self._by_id(
            "SELECT id, title FROM opportunities WHERE id IN ({})", opportunity_ids
        )

    async def _by_id(self, sql: str, ids: Collection[int]) -> dict[int, Any]:
        """A lookup of ids: ``sql`` selects (id, value) with ``{}`` where the id list goes;
        the last row for an id wins. No ids, no query."""
        if not ids:
            return {}
        rows = await self._db.fetch_all(sql.format(_marks(ids)), tuple(ids))
        return {row[0]: row[1] for row in rows}

    async def about(self, telegram_id: int) -> list[AuditEntry]:
        """Entries where this person acted or was acted on (for their own data export)."""
        rows = await self._db.fetch_all(
            "SELECT id, at, actor_id, action, target_id, detail FROM audit_log "
            "WHERE actor_id = ? OR target_id = ? ORDER BY id",
            (telegram_id, telegram_id),
        )
        return [_entry(row) for row in rows]


def _marks(values: Collection[object]) -> str:
    """One ``?`` for each value, for an ``IN (...)`` list."""
    return ",".join("?" * len(values))
