"""Anonymous counts: crisis replies per day and people who left, with no link to anyone."""

from __future__ import annotations

from storage.db import Database


class StatsRepository:
    """Reads and bumps the anonymous counters."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def count_crisis_reply(self, day: str) -> None:
        """Add one to the day's count of crisis replies (day as YYYY-MM-DD)."""
        await self._db.execute(
            "INSERT INTO crisis_daily_counts (day, count) VALUES (?, 1) "
            "ON CONFLICT (day) DO UPDATE SET count = count + 1",
            (day,),
        )

    async def crisis_replies(self, day: str) -> int:
        """How many crisis replies were sent on a day."""
        value = await self._db.fetch_value(
            "SELECT count FROM crisis_daily_counts WHERE day = ?", (day,)
        )
        return int(value or 0)

    async def leavers_by_place(self) -> dict[tuple[str | None, str | None], int]:
        """How many people left, by the region and hub they had."""
        rows = await self._db.fetch_all("SELECT region_id, hub_id, count FROM leaver_counts")
        return {(row["region_id"] or None, row["hub_id"] or None): row["count"] for row in rows}
