"""Invitation links for people given a role before they opened the bot. Only a hash of each
link's token is stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Row, Session
from storage.repository import Repository
from storage.rows import record, stamp_once
from storage.timefmt import to_db


@dataclass(frozen=True)
class Invitation:
    """One invitation link (its token is never stored, only a hash of it)."""

    id: int
    telegram_id: int
    role: str
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


_COLUMNS = "id, telegram_id, role, created_by, created_at, expires_at, used_at"


def _invitation(row: Row) -> Invitation:
    """Turn a row into an Invitation."""
    return record(Invitation, row)


class InvitationRepository(Repository):
    """Reads and writes invitation links (a link is taken with everything it sends, in one
    transaction)."""

    async def add(
        self,
        token_hash: str,
        telegram_id: int,
        role: str,
        created_by: int,
        now: datetime,
        expires_at: datetime,
    ) -> Invitation:
        """Store a new link."""
        invitation_id = await self._db.insert(
            "INSERT INTO invitations (token_hash, telegram_id, role, created_by, created_at, "
            "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (token_hash, telegram_id, role, created_by, to_db(now), to_db(expires_at)),
        )
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM invitations WHERE id = ?", (invitation_id,)
        )
        assert row is not None
        return _invitation(row)

    async def find(self, token_hash: str, tx: Session | None = None) -> Invitation | None:
        """The link with this token hash, or None."""
        row = await (tx or self._db).fetch_one(
            f"SELECT {_COLUMNS} FROM invitations WHERE token_hash = ?", (token_hash,)
        )
        return _invitation(row) if row else None

    async def take(self, invitation_id: int, now: datetime, tx: Session) -> bool:
        """Mark the link used; False if it was used already (it works once)."""
        return await stamp_once(tx, "invitations", "used_at", invitation_id, now)

    async def retire_others(
        self, telegram_id: int, keep_id: int, now: datetime, tx: Session | None = None
    ) -> int:
        """End this person's other unused links now (a newer one was made, or one was used):
        only the newest link works. Return how many."""
        return await (tx or self._db).execute(
            "UPDATE invitations SET expires_at = ? WHERE telegram_id = ? AND id != ? "
            "AND used_at IS NULL AND expires_at > ?",
            (to_db(now), telegram_id, keep_id, to_db(now)),
        )

    async def set_notice(self, invitation_id: int, broadcast_id: int, tx: Session) -> None:
        """Remember the message that told coordinators the link was used (it names the
        person, so it is erased with them)."""
        await tx.execute(
            "UPDATE invitations SET notice_broadcast_id = ? WHERE id = ?",
            (broadcast_id, invitation_id),
        )
