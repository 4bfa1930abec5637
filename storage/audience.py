"""Who receives a message: members who chose that kind, are not paused and can be reached."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database, Session
from storage.members import PREFERENCE_COLUMNS
from storage.timefmt import to_db


class HasAudience:
    """A stored record sent to an audience: ``audience_scope`` and ``audience_place``."""

    audience_scope: str
    audience_place: str | None

    @property
    def audience_label(self) -> str:
        """Like 'everyone', 'region:north_west' or 'hub:nw_1'."""
        if self.audience_place is None:
            return self.audience_scope
        return f"{self.audience_scope}:{self.audience_place}"


def reachable_in(
    now: datetime, region_id: str | None, hub_id: str | None, alias: str = ""
) -> tuple[list[str], list[object]]:
    """The conditions (and their values) for members who can be reached and are not paused at
    ``now``, in the region and hub when given; ``alias``: the members table's name in the query."""
    at = f"{alias}." if alias else ""
    clauses = [f"{at}reachable = 1", f"({at}paused_until IS NULL OR {at}paused_until <= ?)"]
    values: list[object] = [to_db(now)]
    for column, value in (("region_id", region_id), ("hub_id", hub_id)):
        if value is not None:
            clauses.append(f"{at}{column} = ?")
            values.append(value)
    return clauses, values


class AudienceRepository:
    """Finds the members in an audience, by preference and by place."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @staticmethod
    def _where(
        preference: str | None, now: datetime, region_id: str | None, hub_id: str | None
    ) -> tuple[str, list[object]]:
        """The WHERE clause and its values for one audience."""
        clauses, values = reachable_in(now, region_id, hub_id)
        if preference is not None:
            # The column name comes from a fixed table, never from input.
            clauses.append(f"{PREFERENCE_COLUMNS[preference]} = 1")
        return " AND ".join(clauses), values

    async def recipients(
        self,
        preference: str | None,
        now: datetime,
        region_id: str | None = None,
        hub_id: str | None = None,
    ) -> list[int]:
        """Telegram ids of the members in the audience, in joining order."""
        where, values = self._where(preference, now, region_id, hub_id)
        rows = await self._db.fetch_all(
            f"SELECT telegram_id FROM members WHERE {where} ORDER BY consented_at, telegram_id",
            values,
        )
        return [row["telegram_id"] for row in rows]

    async def count(
        self,
        preference: str | None,
        now: datetime,
        region_id: str | None = None,
        hub_id: str | None = None,
    ) -> int:
        """How many members are in the audience."""
        where, values = self._where(preference, now, region_id, hub_id)
        return int(
            await self._db.fetch_value(f"SELECT COUNT(*) FROM members WHERE {where}", values)
        )

    async def includes(
        self,
        telegram_id: int,
        preference: str | None,
        now: datetime,
        tx: Session | None = None,
    ) -> bool:
        """True when this member would be in an audience of this kind now (place aside); read
        in ``tx`` when given."""
        where, values = self._where(preference, now, None, None)
        return bool(
            await (tx or self._db).fetch_value(
                f"SELECT 1 FROM members WHERE telegram_id = ? AND {where}", [telegram_id, *values]
            )
        )
