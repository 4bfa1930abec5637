"""Anonymous counts: crisis replies per day and people who left, with no link to anyone."""

from __future__ import annotations

from storage.db import Database


class StatsRepository:
    """Reads and bumps the anonymous counters."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def count_crisis_reply(self, day: str, tier: str, kind: str) -> None:
        """Add one to the day's count of replies of this tier and kind (day as YYYY-MM-DD)."""
        await self._db.execute(
            "INSERT INTO crisis_counts (day, tier, kind, count) VALUES (?, ?, ?, 1) "
            "ON CONFLICT (day, tier, kind) DO UPDATE SET count = count + 1",
            (day, tier, kind),
        )

    async def crisis_replies(self, day: str) -> int:
        """How many crisis and concern replies were sent on a day, of every kind."""
        value = await self._db.fetch_value(
            "SELECT SUM(count) FROM crisis_counts WHERE day = ?", (day,)
        )
        return int(value or 0)

    async def crisis_counts(self, day: str) -> dict[tuple[str, str], int]:
        """The day's replies by (tier, kind)."""
        rows = await self._db.fetch_all(
            "SELECT tier, kind, count FROM crisis_counts WHERE day = ?", (day,)
        )
        return {(row["tier"], row["kind"]): row["count"] for row in rows}

    async def leavers_by_place(self) -> dict[tuple[str | None, str | None], int]:
        """How many people left, by the region and hub they had."""
        rows = await self._db.fetch_all("SELECT region_id, hub_id, count FROM leaver_counts")
        return {(row["region_id"] or None, row["hub_id"] or None): row["count"] for row in rows}
