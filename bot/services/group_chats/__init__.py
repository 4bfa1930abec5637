"""Hub and regional group chats: the bot added, made admin or removed; a coordinator linking a
group to a hub, a region or the whole forum (and the topic it posts in); a group that became a
supergroup; and newcomers invited to join in private. Nothing about the people in a group is
kept.

Only coordinators link, unlink or change a link (checked here, not by hiding a button); each
change is audited, and a linked group that removed the bot is marked so and every coordinator
told, in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.delivery import DeliveryService
from bot.delivery.audience import EVERYONE, HUB, REGION
from bot.delivery.outbox import Rendered, outbox
from bot.forum import Forum
from bot.services.errors import InvalidChoice, NotAllowed
from bot.services.reach import OPENED, ReachService
from bot.services.roles import RoleService
from storage.audit import AuditRepository
from storage.db import Session
from storage.group_chats import LINKED, REMOVED, GroupChat, GroupChatRepository
from storage.members import MemberRepository

KIND_REMOVED = "group_removed"  # to coordinators: a linked group removed the bot
KIND_INVITE = "group_invite"  # to someone who joined a linked group and has opened the bot

# What the bot's membership changed to, as Telegram's ChatMember statuses say.
IN_GROUP = frozenset({"member", "administrator", "creator", "restricted"})


class GroupMessages(Protocol):
    """How the messages this service queues look; the handlers layer provides it."""

    def removed(self, group: GroupChat) -> str: ...


@dataclass(frozen=True)
class Newcomers:
    """What to do about people who joined a group: who gets a private invitation (queued
    already), and whether to post one welcome in the group now."""

    invited: int
    welcome_in_group: bool


@dataclass(eq=False)
class GroupChatService:
    """Group chats, from Telegram's notices and coordinators' commands."""

    groups: GroupChatRepository
    members: MemberRepository
    roles: RoleService
    reach: ReachService
    audit: AuditRepository
    delivery: DeliveryService
    forum: Forum
    clock: Clock
    zone: ZoneInfo
    messages: GroupMessages

    def __post_init__(self) -> None:
        """A post that finds its group became a supergroup moves the link too."""
        self.delivery.on_chat_moved(self.moved)

    async def get(self, chat_id: int) -> GroupChat | None:
        """The group, or None if the bot has no row for it."""
        return await self.groups.get(chat_id)

    async def bot_status(
        self, chat_id: int, title: str, kind: str, status: str, actor: int | None
    ) -> GroupChat | None:
        """Telegram says the bot's membership changed: added (present), made admin or not,
        removed (and every coordinator told if the group was linked). Return the group
        as it was before, or None if new."""
        now = self.clock.now()
        # read before the transaction: the one connection is held by it until it ends
        coordinators = [] if status in IN_GROUP else await self.roles.coordinators()
        async with outbox(self.groups, self.delivery) as box:
            before = await self.groups.get(chat_id, box.tx)
            if status in IN_GROUP:
                admin = status in ("administrator", "creator")
                await self.groups.arrived(chat_id, title, kind, admin, now, box.tx)
                if before is None or before.state == REMOVED:
                    await self._log(actor, "group.bot_added", chat_id, title, box.tx)
                elif before.bot_is_admin != admin:
                    action = "group.bot_admin" if admin else "group.bot_not_admin"
                    await self._log(actor, action, chat_id, title, box.tx)
            elif before is not None and before.state != REMOVED:
                await self.groups.removed(chat_id, now, box.tx)
                await self._log(actor, "group.bot_removed", chat_id, title, box.tx)
                if before.linked:
                    await box.send(KIND_REMOVED, self.messages.removed(before), coordinators)
        return before

    async def link(
        self,
        actor: int,
        chat_id: int,
        title: str,
        kind: str,
        scope: str,
        place: str | None,
        thread_id: int | None,
    ) -> GroupChat:
        """A coordinator links this group to the whole forum, a region or a hub (posting in
        ``thread_id``'s topic, if any). A place the forum file does not know is refused."""
        await self.require_coordinator(actor)
        self._check_place(scope, place)
        now = self.clock.now()
        async with self.groups.transaction() as tx:
            before = await self.groups.get(chat_id, tx)
            admin = before.bot_is_admin if before is not None else False
            await self.groups.arrived(chat_id, title, kind, admin, now, tx)
            await self.groups.link(chat_id, scope, place, thread_id, actor, now, tx)
            action = "group.relinked" if before is not None and before.linked else "group.linked"
            label = scope if place is None else f"{scope}:{place}"
            await self._log(actor, action, chat_id, title, tx, label)
            after = await self.groups.get(chat_id, tx)
        assert after is not None
        return after

    async def unlink(self, actor: int, chat_id: int) -> bool:
        """A coordinator unlinks this group; False if it was not linked."""
        await self.require_coordinator(actor)
        async with self.groups.transaction() as tx:
            group = await self.groups.get(chat_id, tx)
            if group is None or not await self.groups.unlink(chat_id, self.clock.now(), tx):
                return False
            await self._log(actor, "group.unlinked", chat_id, group.title, tx)
        return True

    async def moved(self, old_id: int, new_id: int) -> bool:
        """The group became a supergroup (Telegram's notice, or a post that found out): in
        one transaction its posts not sent yet go to the new id, each once, and its link
        follows (audited once). True if the link moved now."""
        now = self.clock.now()
        async with self.groups.transaction() as tx:
            posts = await self.groups.move_posts(old_id, new_id, now, tx)
            group = await self.groups.get(old_id, tx)
            linked = group is not None and await self.groups.move(old_id, new_id, now, tx)
            if linked:
                assert group is not None
                await self._log(None, "group.moved", new_id, group.title, tx)
        if posts:
            self.delivery.wake()
        return linked

    async def listing(self, actor: int) -> list[GroupChat]:
        """Every group the bot is or was in, for a coordinator."""
        await self.require_coordinator(actor)
        return await self.groups.all()

    async def linked(self) -> list[GroupChat]:
        """The linked groups."""
        return await self.groups.linked()

    async def linked_to(self, scope: str, place: str | None) -> int:
        """How many groups are linked to exactly this audience (their posts go with its)."""
        return len(await self.groups.linked_to(scope, place))

    async def newcomers(
        self, chat_id: int, people: Iterable[int], invitation: Rendered
    ) -> Newcomers:
        """People joined a linked group: those who are not forum members and have opened the
        bot get ``invitation`` in private; if any others remain, one welcome may be posted in
        the group, at most once a day. Nothing about them is stored."""
        group = await self.groups.get(chat_id)
        if group is None or not group.linked:
            return Newcomers(0, False)
        invite: list[int] = []
        others = 0
        for person in people:
            member = await self.members.get(person)
            if member is not None and member.setup_done:
                continue
            if await self.reach.of(person) == OPENED:
                invite.append(person)
            else:
                others += 1
        if invite:
            async with outbox(self.groups, self.delivery) as box:
                await box.send_rendered(KIND_INVITE, invitation, invite)
        now = self.clock.now()
        welcome = others > 0 and await self.groups.take_welcome(
            chat_id, now.astimezone(self.zone).date(), now
        )
        return Newcomers(len(invite), welcome)

    async def is_coordinator(self, person: int) -> bool:
        """Whether this person may link, unlink or change a group."""
        return await self.roles.is_coordinator(person)

    async def require_coordinator(self, person: int) -> None:
        """NotAllowed unless this person is a coordinator."""
        if not await self.roles.is_coordinator(person):
            raise NotAllowed

    def place_words(self, scope: str, place: str | None) -> str:
        """Where a group is linked, as its name in the forum file ("" for the whole forum)."""
        if scope == REGION:
            return self.forum.region_name(place) or ""
        if scope == HUB:
            return self.forum.hub_name(place) or ""
        return ""

    def _check_place(self, scope: str, place: str | None) -> None:
        """InvalidChoice for a scope or place the forum file does not have."""
        known = (
            (scope == EVERYONE and place is None)
            or (scope == REGION and self.forum.region(place) is not None)
            or (scope == HUB and self.forum.hub(place) is not None)
        )
        if not known:
            raise InvalidChoice

    async def _log(
        self,
        actor: int | None,
        action: str,
        chat_id: int,
        title: str,
        tx: Session,
        audience: str | None = None,
    ) -> None:
        """One audit entry for a group change: "group <id>[ to <audience>]: <title>" (no
        target: the audit's target is always a person)."""
        to = f" to {audience}" if audience else ""
        detail = f"group {chat_id}{to}: {title}"
        await self.audit.record(actor, action, self.clock.now(), None, detail, tx=tx)


__all__ = ["LINKED", "GroupChat", "GroupChatService", "GroupMessages", "Newcomers"]
