"""Joining, choosing region, hub and messages, pausing, seeing and erasing one's own data."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from bot.clock import Clock
from bot.forum import Forum
from bot.services.errors import InvalidChoice, NotAMember
from bot.services.roles import LastCoordinator
from storage.audit import AuditRepository
from storage.db import Database, Session
from storage.erasure import erase_person
from storage.members import PREFERENCE_COLUMNS, Member, MemberRepository
from storage.roles import COORDINATOR, RoleRepository

if TYPE_CHECKING:
    from bot.services.catch_up import CatchUpService

logger = logging.getLogger(__name__)

PAUSE_WEEKS = (2, 4)
MAX_NAME_LENGTH = 64  # a first name as Telegram gives it is cut to this
PREFERENCES = tuple(PREFERENCE_COLUMNS)
# Turning one of these back on may let a member be asked what they missed meanwhile.
CAUGHT_UP = ("consultations", "meetings")
T = TypeVar("T")


@dataclass(eq=False)
class MemberService:
    """Everything a member does with their own membership."""

    db: Database
    members: MemberRepository
    roles: RoleRepository
    audit: AuditRepository
    forum: Forum
    clock: Clock
    catch_up: CatchUpService | None = None

    async def get(self, telegram_id: int) -> Member | None:
        """The member, or None for someone who has not joined."""
        return await self.members.get(telegram_id)

    async def require(self, telegram_id: int) -> Member:
        """The member, or NotAMember."""
        member = await self.members.get(telegram_id)
        if member is None:
            raise NotAMember
        return member

    async def join(self, telegram_id: int, first_name: str) -> Member:
        """Record consent, with its time, and start the member's setup."""
        name = tidy_name(first_name) or "Member"
        return await self.members.add(telegram_id, name, self.clock.now())

    async def choose_region(self, telegram_id: int, region_id: str | None) -> Member:
        """Set the region (None for national only); the hub is cleared when it no longer fits."""
        member = await self.require(telegram_id)
        if region_id is not None and self.forum.region(region_id) is None:
            raise InvalidChoice
        hub = self.forum.hub(member.hub_id)
        hub_id = member.hub_id if hub is not None and hub.region_id == region_id else None
        await self.members.set_place(telegram_id, region_id, hub_id, self.clock.now())
        return await self.require(telegram_id)

    async def choose_hub(self, telegram_id: int, hub_id: str | None) -> Member:
        """Set the hub, which must be in the member's region (None for not sure)."""
        member = await self.require(telegram_id)
        if hub_id is not None:
            hub = self.forum.hub(hub_id)
            if hub is None or hub.region_id != member.region_id:
                raise InvalidChoice
        await self.members.set_place(telegram_id, member.region_id, hub_id, self.clock.now())
        return await self.require(telegram_id)

    async def toggle_preference(self, telegram_id: int, preference: str) -> Member:
        """Switch one kind of message on or off; turning consultations or meetings back on
        asks the member, once each, what is still open for them (catch-up)."""
        member = await self.require(telegram_id)
        if preference not in PREFERENCE_COLUMNS:
            raise InvalidChoice
        wanted = not getattr(member, PREFERENCE_COLUMNS[preference])
        now = self.clock.now()

        async def change(tx: Session) -> None:
            await self.members.set_preference(telegram_id, preference, wanted, now, tx)

        if wanted and preference in CAUGHT_UP:
            await self._with_catch_up(telegram_id, change)
        else:
            await self.members.set_preference(telegram_id, preference, wanted, now)
        return await self.require(telegram_id)

    async def finish_setup(self, telegram_id: int) -> Member:
        """Mark setup as finished."""
        await self.require(telegram_id)
        await self.members.mark_setup_done(telegram_id, self.clock.now())
        return await self.require(telegram_id)

    async def pause(self, telegram_id: int, weeks: int) -> Member:
        """Pause every message for 2 or 4 weeks; it ends by itself."""
        await self.require(telegram_id)
        if weeks not in PAUSE_WEEKS:
            raise InvalidChoice
        now = self.clock.now()
        await self.members.set_pause(telegram_id, now + timedelta(weeks=weeks), now)
        return await self.require(telegram_id)

    async def resume(self, telegram_id: int) -> Member:
        """End a pause now, and ask what was opened meanwhile (catch-up)."""
        await self.require(telegram_id)
        now = self.clock.now()

        async def change(tx: Session) -> None:
            await self.members.set_pause(telegram_id, None, now, tx)

        await self._with_catch_up(telegram_id, change)
        return await self.require(telegram_id)

    async def end_expired_pauses(self) -> list[int]:
        """End every pause whose time is up, each with its catch-up; return the members to
        tell."""
        now = self.clock.now()
        ended = []
        for member_id in await self.members.expired_pauses(now):

            async def change(tx: Session, member_id: int = member_id) -> bool:
                return await self.members.end_pause(member_id, now, tx)

            if await self._with_catch_up(member_id, change):
                ended.append(member_id)
        return ended

    async def _with_catch_up(
        self, telegram_id: int, change: Callable[[Session], Awaitable[T]]
    ) -> T:
        """Make a change that lets a member receive more and, in the same transaction, invite
        them to what they missed (``CatchUpService.member_in``): a crash keeps both or
        neither. If the catch-up cannot be written the change is made on its own (logged),
        so nobody stays paused or unable to turn messages on because of it."""
        if self.catch_up is None:
            async with self.db.transaction() as tx:
                return await change(tx)
        try:
            async with self.catch_up.outbox(self.db) as box:
                result = await change(box.tx)
                await self.catch_up.member_in(telegram_id, box)
        except Exception:
            logger.exception("catch-up not written; the member's change is made on its own")
            async with self.db.transaction() as tx:
                return await change(tx)
        return result

    async def mark_reachable(self, telegram_id: int, reachable: bool) -> None:
        """Record whether Telegram delivers to this person (they blocked or came back)."""
        await self.members.set_reachable(telegram_id, reachable, self.clock.now())

    async def export(self, telegram_id: int) -> dict[str, Any]:
        """What this service keeps about the person, as plain data for reading and JSON: the
        membership, roles and coordinators' records (their contact requests come from
        ``ContactService.member_data``)."""
        member = await self.members.get(telegram_id)
        roles = sorted(await self.roles.roles_of(telegram_id))
        audit = await self.audit.about(telegram_id)
        return {
            "telegram_id": telegram_id,
            "member": None
            if member is None
            else {
                "first_name": member.first_name,
                "consented_at": iso_time(member.consented_at),
                "region": self.forum.region_name(member.region_id),
                "hub": self.forum.hub_name(member.hub_id),
                "receives": {
                    "meeting_reminders": member.wants_meetings,
                    "consultations": member.wants_consultations,
                    "forum_news": member.wants_news,
                },
                "paused_until": iso_time(member.paused_until),
                "last_updated": iso_time(member.updated_at),
            },
            "roles": roles,
            "coordinator_records": [
                {
                    "at": iso_time(entry.at),
                    "action": entry.action,
                    "by_you": entry.actor_id == telegram_id,
                    "detail": entry.detail,
                }
                for entry in audit
            ],
        }

    async def erase(self, telegram_id: int) -> bool:
        """Erase everything about this person; refuse if they are the last coordinator."""
        if await self.roles.has(telegram_id, COORDINATOR):
            coordinators = await self.roles.holders(COORDINATOR)
            if len(coordinators) <= 1:
                raise LastCoordinator
        was_member = await erase_person(self.db, telegram_id, at=self.clock.now())
        if was_member:  # pressed again (a double tap), there is nobody left to record
            await self.audit.record(None, "member.erased", self.clock.now())
        return was_member


def tidy_name(name: str | None) -> str | None:
    """A first name as Telegram gives it, trimmed and cut to a sensible length; None when
    nothing is left."""
    return (name or "").strip()[:MAX_NAME_LENGTH] or None


def iso_time(moment: datetime | None) -> str | None:
    """A time as ISO text for /mydata's file (None stays None)."""
    return moment.isoformat() if moment is not None else None
