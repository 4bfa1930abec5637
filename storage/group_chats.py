"""Group chats the bot is in, and the hub, region or whole forum each is linked to. No member
data: who is in a group is never stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from storage.db import Row, Session
from storage.deliveries import move_chat
from storage.repository import Repository
from storage.rows import record
from storage.timefmt import to_db

PRESENT, LINKED, REMOVED = "present", "linked", "removed"


@dataclass(frozen=True)
class GroupChat:
    """A group the bot was added to: ``state`` is present (not linked), linked or removed."""

    chat_id: int
    title: str
    kind: str
    state: str
    scope: str | None
    place: str | None
    thread_id: int | None
    bot_is_admin: bool
    linked_by: int | None
    linked_at: datetime | None
    welcomed_on: str | None
    updated_at: datetime

    @property
    def linked(self) -> bool:
        """Whether the bot posts here."""
        return self.state == LINKED


_COLUMNS = (
    "chat_id, title, kind, state, scope, place, thread_id, bot_is_admin, linked_by, linked_at, "
    "welcomed_on, updated_at"
)


def _group(row: Row) -> GroupChat:
    """A row into a GroupChat."""
    return record(GroupChat, row)


class GroupChatRepository(Repository):
    """Reads and writes group_chats; each change is written with its audit entry and its
    messages in the caller's transaction."""

    async def get(self, chat_id: int, tx: Session | None = None) -> GroupChat | None:
        """The group with this id, or None."""
        row = await (tx or self._db).fetch_one(
            f"SELECT {_COLUMNS} FROM group_chats WHERE chat_id = ?", (chat_id,)
        )
        return _group(row) if row else None

    async def all(self) -> list[GroupChat]:
        """Every group: linked first, then present, then removed; by title."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM group_chats ORDER BY "
            "CASE state WHEN 'linked' THEN 0 WHEN 'present' THEN 1 ELSE 2 END, title, chat_id"
        )
        return [_group(row) for row in rows]

    async def linked(self) -> list[GroupChat]:
        """The linked groups, by title."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM group_chats WHERE state = 'linked' ORDER BY title, chat_id"
        )
        return [_group(row) for row in rows]

    async def linked_to(
        self, scope: str, place: str | None, tx: Session | None = None
    ) -> list[GroupChat]:
        """The groups linked to exactly this audience (the whole forum, a region, a hub)."""
        rows = await (tx or self._db).fetch_all(
            f"SELECT {_COLUMNS} FROM group_chats WHERE state = 'linked' AND scope = ? "
            "AND place IS ? ORDER BY chat_id",
            (scope, place),
        )
        return [_group(row) for row in rows]

    async def arrived(
        self, chat_id: int, title: str, kind: str, admin: bool, now: datetime, tx: Session
    ) -> None:
        """The bot is in this group (added, or seen there): a new row is present; a removed one
        is present again (linked anew by a coordinator); the title, kind and admin kept fresh."""
        await tx.execute(
            "INSERT INTO group_chats (chat_id, title, kind, bot_is_admin, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET title = excluded.title, "
            "kind = excluded.kind, bot_is_admin = excluded.bot_is_admin, "
            "state = CASE state WHEN 'removed' THEN 'present' ELSE state END, "
            "updated_at = excluded.updated_at",
            (chat_id, title, kind, int(admin), to_db(now)),
        )

    async def removed(self, chat_id: int, now: datetime, tx: Session) -> None:
        """The bot left or was removed: nothing more is posted there until it is linked again."""
        await tx.execute(
            "UPDATE group_chats SET state = 'removed', scope = NULL, place = NULL, "
            "thread_id = NULL, bot_is_admin = 0, updated_at = ? WHERE chat_id = ?",
            (to_db(now), chat_id),
        )

    async def set_admin(self, chat_id: int, admin: bool, now: datetime, tx: Session) -> None:
        """The bot was made an admin, or is one no more."""
        await tx.execute(
            "UPDATE group_chats SET bot_is_admin = ?, updated_at = ? WHERE chat_id = ?",
            (int(admin), to_db(now), chat_id),
        )

    async def link(
        self,
        chat_id: int,
        scope: str,
        place: str | None,
        thread_id: int | None,
        by: int,
        now: datetime,
        tx: Session,
    ) -> None:
        """Link a group (which must have a row) to the whole forum, a region or a hub."""
        await tx.execute(
            "UPDATE group_chats SET state = 'linked', scope = ?, place = ?, thread_id = ?, "
            "linked_by = ?, linked_at = ?, updated_at = ? WHERE chat_id = ?",
            (scope, place, thread_id, by, to_db(now), to_db(now), chat_id),
        )

    async def unlink(self, chat_id: int, now: datetime, tx: Session) -> bool:
        """Unlink a linked group; False if it was not linked."""
        changed = await tx.execute(
            "UPDATE group_chats SET state = 'present', scope = NULL, place = NULL, "
            "thread_id = NULL, updated_at = ? WHERE chat_id = ? AND state = 'linked'",
            (to_db(now), chat_id),
        )
        return changed > 0

    async def move(self, old_id: int, new_id: int, now: datetime, tx: Session) -> bool:
        """A group became a supergroup with a new id: its row (and link) moves to the new id,
        once (either of Telegram's two notices may come first, or both). True if it moved."""
        old = await self.get(old_id, tx)
        if old is None:
            return False
        new = await self.get(new_id, tx)
        if new is not None and new.linked and not old.linked:
            await tx.execute("DELETE FROM group_chats WHERE chat_id = ?", (old_id,))
            return False
        await tx.execute("DELETE FROM group_chats WHERE chat_id = ?", (new_id,))
        await tx.execute(
            "UPDATE group_chats SET chat_id = ?, kind = 'supergroup', updated_at = ? "
            "WHERE chat_id = ?",
            (new_id, to_db(now), old_id),
        )
        return True

    async def move_posts(self, old_id: int, new_id: int, now: datetime, tx: Session) -> int:
        """The group's posts not sent yet go to its new id, in ``tx`` (each once); how many."""
        return await move_chat(tx, old_id, new_id, now)

    async def take_welcome(self, chat_id: int, day: date, now: datetime) -> bool:
        """Note that a welcome is posted in a linked group today; False if one was already
        (at most one a day, so a group is never flooded)."""
        changed = await self._db.execute(
            "UPDATE group_chats SET welcomed_on = ?, updated_at = ? WHERE chat_id = ? "
            "AND state = 'linked' AND (welcomed_on IS NULL OR welcomed_on != ?)",
            (day.isoformat(), to_db(now), chat_id, day.isoformat()),
        )
        return changed > 0
