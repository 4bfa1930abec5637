"""Members: who joined, where they belong, what they receive and whether they are paused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, Row, Session
from storage.rows import record
from storage.timefmt import to_db


@dataclass(frozen=True)
class Member:
    """One forum member as stored."""

    telegram_id: int
    first_name: str
    consented_at: datetime
    region_id: str | None
    hub_id: str | None
    wants_meetings: bool
    wants_consultations: bool
    wants_news: bool
    setup_done: bool
    paused_until: datetime | None
    reachable: bool
    updated_at: datetime

    def is_paused(self, now: datetime) -> bool:
        """True while a pause is running."""
        return self.paused_until is not None and self.paused_until > now


@dataclass(frozen=True)
class PlaceCount:
    """How many members are in one region and hub, split by state."""

    region_id: str | None
    hub_id: str | None
    active: int
    paused: int


_COLUMNS = (
    "telegram_id, first_name, consented_at, region_id, hub_id, wants_meetings, "
    "wants_consultations, wants_news, setup_done, paused_until, reachable, updated_at"
)
PREFERENCE_COLUMNS = {
    "meetings": "wants_meetings",
    "consultations": "wants_consultations",
    "news": "wants_news",
}


def _member(row: Row) -> Member:
    """Turn a row into a Member."""
    return record(Member, row)


class MemberRepository:
    """Reads and writes the members table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, telegram_id: int, tx: Session | None = None) -> Member | None:
        """The member with this Telegram id, or None (read in ``tx`` when given)."""
        row = await (tx or self._db).fetch_one(
            f"SELECT {_COLUMNS} FROM members WHERE telegram_id = ?", (telegram_id,)
        )
        return _member(row) if row else None

    async def add(self, telegram_id: int, first_name: str, now: datetime) -> Member:
        """Record a new member who has just given consent (or renew consent)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO members (telegram_id, first_name, consented_at, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (telegram_id) DO UPDATE SET "
                "first_name = excluded.first_name, consented_at = excluded.consented_at, "
                "reachable = 1, updated_at = excluded.updated_at",
                (telegram_id, first_name, to_db(now), to_db(now)),
            )
        member = await self.get(telegram_id)
        assert member is not None
        return member

    async def set_place(
        self, telegram_id: int, region_id: str | None, hub_id: str | None, now: datetime
    ) -> None:
        """Set the member's region and hub (None means national only or not sure)."""
        await self._db.execute(
            "UPDATE members SET region_id = ?, hub_id = ?, updated_at = ? WHERE telegram_id = ?",
            (region_id, hub_id, to_db(now), telegram_id),
        )

    async def set_preference(
        self,
        telegram_id: int,
        preference: str,
        wanted: bool,
        now: datetime,
        tx: Session | None = None,
    ) -> None:
        """Turn one kind of message on or off (in ``tx`` when given)."""
        column = PREFERENCE_COLUMNS[preference]
        await (tx or self._db).execute(
            f"UPDATE members SET {column} = ?, updated_at = ? WHERE telegram_id = ?",
            (int(wanted), to_db(now), telegram_id),
        )

    async def mark_setup_done(self, telegram_id: int, now: datetime) -> None:
        """Record that the member finished choosing region, hub and preferences."""
        await self._db.execute(
            "UPDATE members SET setup_done = 1, updated_at = ? WHERE telegram_id = ?",
            (to_db(now), telegram_id),
        )

    async def set_pause(
        self, telegram_id: int, until: datetime | None, now: datetime, tx: Session | None = None
    ) -> None:
        """Pause everything until a time, or end the pause with None (in ``tx`` when given)."""
        await (tx or self._db).execute(
            "UPDATE members SET paused_until = ?, updated_at = ? WHERE telegram_id = ?",
            (to_db(until), to_db(now), telegram_id),
        )

    async def set_reachable(self, telegram_id: int, reachable: bool, now: datetime) -> None:
        """Mark whether Telegram still delivers to this member."""
        await self._db.execute(
            "UPDATE members SET reachable = ?, updated_at = ? WHERE telegram_id = ?",
            (int(reachable), to_db(now), telegram_id),
        )

    async def expired_pauses(self, now: datetime) -> list[int]:
        """Members whose pause has ended but is still recorded, each then cleared with
        ``end_pause``."""
        rows = await self._db.fetch_all(
            "SELECT telegram_id FROM members WHERE paused_until IS NOT NULL "
            "AND paused_until <= ? ORDER BY telegram_id",
            (to_db(now),),
        )
        return [row["telegram_id"] for row in rows]

    async def end_pause(self, telegram_id: int, now: datetime, tx: Session) -> bool:
        """Clear one member's pause if it has ended, in ``tx``; True for the caller that did."""
        return (
            await tx.execute(
                "UPDATE members SET paused_until = NULL, updated_at = ? "
                "WHERE telegram_id = ? AND paused_until IS NOT NULL AND paused_until <= ?",
                (to_db(now), telegram_id, to_db(now)),
            )
            == 1
        )

    async def counts_by_place(self, now: datetime) -> list[PlaceCount]:
        """Active and paused member counts for each region and hub."""
        rows = await self._db.fetch_all(
            "SELECT region_id, hub_id, "
            "SUM(CASE WHEN paused_until IS NULL OR paused_until <= ? THEN 1 ELSE 0 END) AS active, "
            "SUM(CASE WHEN paused_until > ? THEN 1 ELSE 0 END) AS paused "
            "FROM members GROUP BY region_id, hub_id",
            (to_db(now), to_db(now)),
        )
        return [
            PlaceCount(row["region_id"], row["hub_id"], row["active"], row["paused"])
            for row in rows
        ]

    async def in_hub(self, hub_id: str) -> list[Member]:
        """Every member of one hub, by first name."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM members WHERE hub_id = ? ORDER BY first_name COLLATE NOCASE",
            (hub_id,),
        )
        return [_member(row) for row in rows]
