"""Invitation links: someone given a role before they opened the bot cannot be sent anything
(Telegram lets a bot write only to people who started it). /grant then gives a link,
``https://t.me/<bot>?start=<token>``, for the coordinator to pass on.

The token is random (``secrets``), only its SHA-256 is stored, it is for one person, works
once and for ``INVITATION_DAYS``; a newer link for them, or using one, ends their others.
Opening it, in one transaction: the link is taken, the person can be reached again, a welcome
in their role and everything that could not reach them before (results packs, urgent contact
notices, anything that failed because they had not started or had blocked the bot) are queued
in order, and the coordinator who made the link is told. A link that is used, out of date,
someone else's or made up changes nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import Clock
from bot.delivery import DeliveryService
from bot.delivery.outbox import outbox
from bot.services.reach import OPENED, ReachService
from bot.services.roles import RoleService
from storage.audit import AuditRepository
from storage.invitations import InvitationRepository
from storage.reach import ReachRepository

INVITATION_DAYS = 14
KIND_WELCOME = "invitation_welcome"  # to the person who opened the link
KIND_USED = "invitation_used"  # to the coordinator who made it
_TOKEN_BYTES = 24  # 32 characters: Telegram allows 64 of A-Z a-z 0-9 _ - after ?start=
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

# What opening a link did.
WELCOMED, USED, EXPIRED, NOT_YOURS, UNKNOWN, WITHDRAWN = (
    "welcomed",
    "used",
    "expired",
    "not_yours",
    "unknown",
    "withdrawn",
)


class InvitationMessages(Protocol):
    """How the welcome and the coordinator's note look; the handlers layer provides it."""

    def welcome(self, role: str, waiting: int) -> str: ...
    def link_used(self, name: str | None, user_id: int, role: str, waiting: int) -> str: ...


@dataclass(frozen=True)
class Offer:
    """A new link for someone who has not opened the bot (``reach``: NOT_OPENED or
    BLOCKED_BOT when the bot knows, UNSURE when it does not)."""

    token: str
    reach: str
    expires_at: datetime
    days: int = INVITATION_DAYS


@dataclass(frozen=True)
class Opening:
    """What opening a link did (WELCOMED, USED, EXPIRED, NOT_YOURS, UNKNOWN, WITHDRAWN), in
    which role, and how many waiting messages were queued again."""

    result: str
    role: str | None = None
    waiting: int = 0


def looks_like_token(word: str) -> bool:
    """True for words that could be a link's token (anything else after /start is not)."""
    return bool(_TOKEN.match(word))


def _hash(token: str) -> str:
    """What is stored instead of the token."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@dataclass(eq=False)
class InvitationService:
    """Makes invitation links for /grant and opens them for /start."""

    invitations: InvitationRepository
    reach_rows: ReachRepository
    reach: ReachService
    delivery: DeliveryService
    roles: RoleService
    audit: AuditRepository
    clock: Clock
    messages: InvitationMessages

    async def offer(
        self, actor_id: int, target_id: int, role: str, name: str | None = None
    ) -> Offer | None:
        """After a grant: a link to pass on, unless the bot knows they have opened it (then
        None). ``name`` is a first name the bot may know them by (from a contact request)."""
        await self.roles.require_coordinator(actor_id, "invite")
        if role not in await self.roles.roles_of(target_id):
            return None
        if name:
            await self.reach_rows.name_role_holder(target_id, name)
        reach = await self.reach.of(target_id)
        if reach == OPENED:
            return None
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        now = self.clock.now()
        expires = now + timedelta(days=INVITATION_DAYS)
        invitation = await self.invitations.add(
            _hash(token), target_id, role, actor_id, now, expires
        )
        await self.invitations.retire_others(target_id, invitation.id, now)
        await self.audit.record(
            actor_id, "invitation.made", now, target_id, f"{role}, link {invitation.id}"
        )
        return Offer(token, reach, expires)

    async def open(self, user_id: int, first_name: str | None, token: str) -> Opening:
        """Someone opened a link (/start <token>)."""
        if not looks_like_token(token):
            return Opening(UNKNOWN)
        invitation = await self.invitations.find(_hash(token))
        if invitation is None:
            return Opening(UNKNOWN)
        if invitation.telegram_id != user_id:
            return Opening(NOT_YOURS)
        if invitation.used_at is not None:
            return Opening(USED, invitation.role)
        now = self.clock.now()
        if invitation.expires_at <= now:
            return Opening(EXPIRED, invitation.role)
        if invitation.role not in await self.roles.roles_of(user_id):
            return Opening(WITHDRAWN)
        coordinators = await self.roles.coordinators()
        granter = invitation.created_by
        notify = [granter] if granter in coordinators else coordinators
        name = first_name or await self.reach.name_of(user_id)
        async with outbox(self.invitations, self.delivery) as box:
            tx = box.tx
            if not await self.invitations.take(invitation.id, now, tx):
                return Opening(USED, invitation.role)
            await self.invitations.retire_others(user_id, invitation.id, now, tx)
            await self.reach_rows.opened(user_id, first_name, now, tx)
            waiting = await self.delivery.count_waiting(user_id, tx=tx)
            # The welcome first, then what was waiting, oldest first: all urgent (the person
            # is here now), so they go in the order they were queued.
            await box.send(
                KIND_WELCOME,
                self.messages.welcome(invitation.role, waiting),
                [user_id],
                urgent=True,
            )
            copies = await box.resend_waiting(user_id)
            text = self.messages.link_used(name, user_id, invitation.role, len(copies))
            broadcast_id = await box.send(KIND_USED, text, notify, audience="coordinators")
            if broadcast_id is not None:
                await self.invitations.set_notice(invitation.id, broadcast_id, tx)
            await self.audit.record(
                None,
                "invitation.used",
                now,
                user_id,
                f"{invitation.role}, link {invitation.id}, {len(copies)} sent again",
                tx=tx,
            )
        return Opening(WELCOMED, invitation.role, len(copies))
