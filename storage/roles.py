"""Roles: who is a coordinator, a decision-maker or a reader (of the progression report)."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from storage.timefmt import to_db

COORDINATOR = "coordinator"
DECISION_MAKER = "decision_maker"
READER = "reader"  # reads the progression report (migration 0015)
ROLES = (COORDINATOR, DECISION_MAKER, READER)


class RoleRepository:
    """Reads and writes the roles table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def roles_of(self, telegram_id: int) -> set[str]:
        """The roles this person holds."""
        rows = await self._db.fetch_all(
            "SELECT role FROM roles WHERE telegram_id = ?", (telegram_id,)
        )
        return {row["role"] for row in rows}

    async def has(self, telegram_id: int, role: str) -> bool:
        """True if this person holds the role."""
        value = await self._db.fetch_value(
            "SELECT 1 FROM roles WHERE telegram_id = ? AND role = ?", (telegram_id, role)
        )
        return value is not None

    async def holders(self, role: str) -> list[int]:
        """Everyone who holds the role, oldest grant first."""
        rows = await self._db.fetch_all(
            "SELECT telegram_id FROM roles WHERE role = ? ORDER BY granted_at, telegram_id",
            (role,),
        )
        return [row["telegram_id"] for row in rows]

    async def holders_named(self, role: str) -> list[tuple[int, str | None]]:
        """Everyone who holds the role with the first name the bot knows them by (as a
        member, else the one kept when they opened the bot), oldest grant first."""
        rows = await self._db.fetch_all(
            "SELECT r.telegram_id, COALESCE(m.first_name, r.first_name) AS first_name "
            "FROM roles r LEFT JOIN members m ON m.telegram_id = r.telegram_id "
            "WHERE r.role = ? ORDER BY r.granted_at, r.telegram_id",
            (role,),
        )
        return [(row["telegram_id"], row["first_name"]) for row in rows]

    async def grant(
        self, telegram_id: int, role: str, granted_by: int | None, now: datetime
    ) -> bool:
        """Give the role; False if they already had it."""
        changed = await self._db.execute(
            "INSERT OR IGNORE INTO roles (telegram_id, role, granted_at, granted_by) "
            "VALUES (?, ?, ?, ?)",
            (telegram_id, role, to_db(now), granted_by),
        )
        return changed > 0

    async def revoke(self, telegram_id: int, role: str) -> bool:
        """Take the role away, refusing to remove the last coordinator; False if not held."""
        async with self._db.transaction() as tx:
            if role == COORDINATOR:
                count = await tx.fetch_value(
                    "SELECT COUNT(*) FROM roles WHERE role = ?", (COORDINATOR,)
                )
                held = await tx.fetch_value(
                    "SELECT 1 FROM roles WHERE telegram_id = ? AND role = ?", (telegram_id, role)
                )
                if held and count <= 1:
                    raise LastCoordinatorError
            changed = await tx.execute(
                "DELETE FROM roles WHERE telegram_id = ? AND role = ?", (telegram_id, role)
            )
        return changed > 0


class LastCoordinatorError(Exception):
    """Removing this role would leave the forum with no coordinator."""
