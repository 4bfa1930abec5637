"""What the bot knows about whether someone can be reached: have they opened the bot, did the
last send to them work, and the first name it knows them by (members, or role holders who are
not members)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Session
from storage.repository import Repository
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class ReachEvidence:
    """Everything stored that says whether a person has opened the bot."""

    telegram_id: int
    member: bool
    member_reachable: bool  # False once a send failed for good (blocked, not found)
    last_state: str | None  # the last send that ended: 'sent' or 'failed', or None
    last_reason: str | None
    last_at: datetime | None
    opened_at: datetime | None  # a role holder who is not a member opened the bot then
    asked: bool  # they asked a coordinator to get in touch (so they wrote to the bot)
    name: str | None


class ReachRepository(Repository):
    """Reads the signs that a person has opened the bot, and records that they have (an
    opening is written in one transaction with what it sends)."""

    async def evidence(self, telegram_id: int) -> ReachEvidence:
        """What is stored about this person's chat with the bot."""
        member = await self._db.fetch_one(
            "SELECT first_name, reachable FROM members WHERE telegram_id = ?", (telegram_id,)
        )
        last = await self._db.fetch_one(
            "SELECT state, reason, updated_at FROM deliveries "
            "WHERE recipient_id = ? AND state IN ('sent', 'failed') "
            "ORDER BY updated_at DESC, id DESC LIMIT 1",
            (telegram_id,),
        )
        role = await self._db.fetch_one(
            "SELECT MAX(first_name) AS first_name, MAX(opened_at) AS opened_at FROM roles "
            "WHERE telegram_id = ?",
            (telegram_id,),
        )
        asked = await self._db.fetch_value(
            "SELECT 1 FROM contact_requests WHERE telegram_id = ? LIMIT 1", (telegram_id,)
        )
        name = member["first_name"] if member else (role["first_name"] if role else None)
        return ReachEvidence(
            telegram_id=telegram_id,
            member=member is not None,
            member_reachable=bool(member["reachable"]) if member else False,
            last_state=last["state"] if last else None,
            last_reason=last["reason"] if last else None,
            last_at=from_db(last["updated_at"]) if last else None,
            opened_at=from_db(role["opened_at"]) if role else None,
            asked=asked is not None,
            name=name,
        )

    async def name_of(self, telegram_id: int) -> str | None:
        """The first name the bot knows this person by, if any."""
        return await self._db.fetch_value(
            "SELECT COALESCE("
            "(SELECT first_name FROM members WHERE telegram_id = ?), "
            "(SELECT MAX(first_name) FROM roles WHERE telegram_id = ?))",
            (telegram_id, telegram_id),
        )

    async def name_role_holder(
        self, telegram_id: int, first_name: str, tx: Session | None = None
    ) -> None:
        """Keep a role holder's first name (given by the contact request they were granted
        from), unless one is known already."""
        await (tx or self._db).execute(
            "UPDATE roles SET first_name = ? WHERE telegram_id = ? AND first_name IS NULL",
            (first_name, telegram_id),
        )

    async def opened(
        self, telegram_id: int, first_name: str | None, now: datetime, tx: Session | None = None
    ) -> None:
        """The person has just opened the bot: a member can be reached again, and a role
        holder's first name and the time are kept (nothing for anyone else)."""
        session = tx or self._db
        await session.execute(
            "UPDATE members SET reachable = 1, updated_at = ? "
            "WHERE telegram_id = ? AND reachable = 0",
            (to_db(now), telegram_id),
        )
        await session.execute(
            "UPDATE roles SET first_name = COALESCE(?, first_name), opened_at = ? "
            "WHERE telegram_id = ?",
            (first_name, to_db(now), telegram_id),
        )
