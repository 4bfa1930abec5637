"""Counting answers by region and hub, and the anonymous counts kept at closing."""

from __future__ import annotations

from collections.abc import Sequence

from storage.consultations.records import PlaceCounts, Rows
from storage.db import Database, Session


class CountRows(Rows):
    """Live counts from the answers, and ``consultation_result_*`` kept at closing."""

    async def live_counts(
        self, consultation_id: int, options: int, tx: Session | None = None
    ) -> list[PlaceCounts]:
        """Counts by region and hub from the answers as they are now (inside ``tx`` when
        given, so closing and counting agree)."""
        return await self._counts(
            tx or self._db,
            "SELECT region_id, hub_id, COUNT(*) AS invited, COUNT(answered_at) AS answered "
            "FROM consultation_invites WHERE consultation_id = ? GROUP BY region_id, hub_id",
            "SELECT i.region_id, i.hub_id, c.position, COUNT(*) AS count "
            "FROM consultation_choices c JOIN consultation_invites i "
            "ON i.consultation_id = c.consultation_id AND i.member_id = c.member_id "
            "WHERE c.consultation_id = ? AND i.answered_at IS NOT NULL "
            "GROUP BY i.region_id, i.hub_id, c.position",
            consultation_id,
            options,
        )

    async def kept_counts(self, consultation_id: int, options: int) -> list[PlaceCounts]:
        """The counts kept when the consultation closed."""
        return await self._counts(
            self._db,
            "SELECT region_id, hub_id, invited, answered FROM consultation_result_places "
            "WHERE consultation_id = ?",
            "SELECT region_id, hub_id, position, count FROM consultation_result_counts "
            "WHERE consultation_id = ?",
            consultation_id,
            options,
        )

    @staticmethod
    async def _counts(
        source: Session | Database,
        places_sql: str,
        counts_sql: str,
        consultation_id: int,
        options: int,
    ) -> list[PlaceCounts]:
        """Join place totals and per-answer counts into PlaceCounts, sorted by place."""
        counts: dict[tuple[str, str], list[int]] = {}
        for row in await source.fetch_all(counts_sql, (consultation_id,)):
            key = (row["region_id"], row["hub_id"])
            if 0 <= row["position"] < options:
                counts.setdefault(key, [0] * options)[row["position"]] = row["count"]
        return sorted(
            (
                PlaceCounts(
                    region_id=row["region_id"],
                    hub_id=row["hub_id"],
                    invited=row["invited"],
                    answered=row["answered"],
                    counts=tuple(counts.get((row["region_id"], row["hub_id"]), [0] * options)),
                )
                for row in await source.fetch_all(places_sql, (consultation_id,))
            ),
            key=lambda place: (place.region_id, place.hub_id),
        )

    async def keep_counts(
        self, consultation_id: int, places: Sequence[PlaceCounts], tx: Session
    ) -> None:
        """Store the closing counts (with no link to anyone), in ``tx``."""
        await tx.execute_many(
            "INSERT OR REPLACE INTO consultation_result_places "
            "(consultation_id, region_id, hub_id, invited, answered) VALUES (?,?,?,?,?)",
            [(consultation_id, p.region_id, p.hub_id, p.invited, p.answered) for p in places],
        )
        await tx.execute_many(
            "INSERT OR REPLACE INTO consultation_result_counts "
            "(consultation_id, region_id, hub_id, position, count) VALUES (?,?,?,?,?)",
            [
                (consultation_id, p.region_id, p.hub_id, position, count)
                for p in places
                for position, count in enumerate(p.counts)
            ],
        )
