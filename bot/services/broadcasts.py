"""Coordinators' broadcasts: a draft, its audience and preview count, sending, listing, stopping."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.delivery import Audience, BroadcastStatus, Media
from bot.delivery.group_posts import JOIN
from bot.delivery.outbox import outbox
from bot.delivery.reach import Missed
from bot.services.audiences import audience_recipients
from bot.services.consultations.messages import KINDS_BY_ANSWER
from bot.services.errors import InvalidChoice, ServiceError
from bot.services.outreach import Outreach
from bot.services.times import TimeLimits, read_future_time
from bot.textsplit import visible_units

KIND = "broadcast"
KIND_GROUP_POST = "broadcast_group_post"  # a coordinator's message, posted in a group chat too
MAX_HTML_LENGTH = 4096  # as Telegram counts a text: what is read, not its HTML
MAX_DAYS_AHEAD = 60
# A time that happens twice (clocks go back) is read as the first: an hour out matters less.
TIME_LIMITS = TimeLimits(max_days=MAX_DAYS_AHEAD, texts="broadcast", refuse_twice=False)
RECENT = 8
RECENT_NOTICES = 6


class NoRecipients(ServiceError):
    """Nobody in the chosen audience would receive it."""

    reason = "broadcast.nobody"


class MessageTooLong(ServiceError):
    """The message (with its formatting) is longer than one Telegram message."""

    reason = "broadcast.too_long"


class NoMessage(ServiceError):
    """The draft has no text and no photo or file yet."""

    reason = "broadcast.no_message"


class NotFinished(ServiceError):
    """The broadcast is still going: who it did not reach is not known yet."""

    reason = "broadcast.not_finished"


class AlreadyFinished(ServiceError):
    """The broadcast has already finished or been stopped."""

    reason = "broadcast.already_finished"


@dataclass(frozen=True)
class Draft:
    """A broadcast being written: who it is for, what it says, when, and how urgent."""

    id: str = field(default_factory=lambda: secrets.token_hex(4))
    audience: Audience | None = None
    text_html: str = ""
    media: Media | None = None
    urgent: bool = False
    send_at: datetime | None = None
    to_groups: bool | None = None  # also posted in the linked group chats (None: not asked)

    def with_changes(self, **changes: object) -> Draft:
        """A copy with some fields changed (same draft id)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def has_content(self) -> bool:
        """True once there is text or a photo or file."""
        return bool(self.text_html.strip()) or self.media is not None


@dataclass(frozen=True)
class Queued:
    """A broadcast that has been queued."""

    broadcast_id: int
    recipients: int
    starts_at: datetime | None  # None: straight away
    number: int = 0  # what coordinators see: "Message 3" (their messages count 1, 2, 3 ...)
    groups: int = 0  # group chats it was posted in too


@dataclass(eq=False)
class BroadcastService(Outreach):
    """Everything a coordinator does with broadcasts; every step checks the role first."""

    COUNTING = "broadcast"  # the audience's own choice: forum news

    async def begin(self, actor_id: int) -> Draft:
        """A new, empty draft (coordinators only)."""
        await self.roles.require_coordinator(actor_id, "broadcast")
        return Draft()

    @staticmethod
    def check_text(text_html: str) -> str:
        """The message text, or MessageTooLong when it will not fit in one message."""
        if visible_units(text_html) > MAX_HTML_LENGTH:
            raise MessageTooLong
        return text_html

    def read_time(self, text: str) -> datetime:
        """A typed local time as UTC: in the future and at most 60 days ahead."""
        return read_future_time(text, self.clock.now(), self.zone, TIME_LIMITS)

    def starts_at(self, draft: Draft) -> datetime | None:
        """When sending would really begin: the chosen time, moved past quiet hours unless
        urgent; None for straight away."""
        now = self.clock.now()
        start = draft.send_at if draft.send_at and draft.send_at > now else now
        if not draft.urgent:
            start = self.quiet.ends_at(start)
        return start if start > now else None

    async def send(self, actor_id: int, draft: Draft) -> Queued:
        """Queue the broadcast for its audience, with progress and a report for the sender."""
        await self.roles.require_coordinator(actor_id, "broadcast")
        if draft.audience is None:
            raise InvalidChoice
        if not draft.has_content:
            raise NoMessage
        self.check_text(draft.text_html)
        recipients = await audience_recipients(self.audiences, draft.audience)
        if not recipients:
            raise NoRecipients
        send_at = draft.send_at if draft.send_at and draft.send_at > self.clock.now() else None
        # The message and its group posts are queued together, or not at all.
        async with outbox(self.delivery.broadcasts, self.delivery) as box:
            broadcast_id = await box.send(
                KIND,
                draft.text_html,
                recipients,
                created_by=actor_id,
                urgent=draft.urgent,
                not_before=send_at,
                media=draft.media,
                preference=draft.audience.preference,
                audience=draft.audience.label,
                report_to=actor_id,
            )
            groups = 0
            if draft.to_groups:
                groups = await box.post_to_groups(
                    KIND_GROUP_POST,
                    draft.audience.scope,
                    draft.audience.place_id,
                    draft.text_html,
                    JOIN,
                    urgent=draft.urgent,
                    not_before=send_at,
                    media=draft.media,
                    created_by=actor_id,
                )
        assert broadcast_id is not None
        detail = f"broadcast {broadcast_id} to {draft.audience.label}, {len(recipients)} people"
        if draft.urgent:
            detail += ", urgent"
        if send_at is not None:
            detail += f", from {send_at.isoformat(timespec='minutes')}"
        await self.audit.record(actor_id, "broadcast.created", self.clock.now(), detail=detail)
        status = await self.delivery.status(broadcast_id)
        number = status.broadcast.number if status is not None else broadcast_id
        return Queued(broadcast_id, len(recipients), self.starts_at(draft), number, groups)

    async def linked_groups(self, actor_id: int, audience: Audience) -> int:
        """How many group chats are linked to exactly this audience (for the preview)."""
        await self.roles.require_coordinator(actor_id, "broadcast")
        posts = self.delivery.group_posts
        if posts is None:
            return 0
        return len(await posts.groups.linked_to(audience.scope, audience.place_id))

    async def recent(self, actor_id: int) -> list[BroadcastStatus]:
        """Coordinators' newest messages to members, with their state."""
        await self.roles.require_coordinator(actor_id, "list broadcasts")
        return await self.delivery.recent(RECENT, KIND)

    async def notices(self, actor_id: int) -> list[BroadcastStatus]:
        """The bot's own newest notices (meeting invitations, reminders, consultation
        messages, urgent contact notices ...), with their state; not those sent to people
        picked by whether they answered a question, which would say who answered."""
        await self.roles.require_coordinator(actor_id, "list broadcasts")
        return await self.delivery.recent(RECENT_NOTICES, other_than=(KIND, *KINDS_BY_ANSWER))

    async def missed(self, actor_id: int, broadcast_id: int, limit: int = 50) -> list[Missed]:
        """Who a broadcast did not reach, or may not have, and why."""
        await self.roles.require_coordinator(actor_id, "read broadcast")
        return await self.delivery.missed(broadcast_id, limit)

    async def resend_uncertain(self, actor_id: int, broadcast_id: int, note_html: str) -> int:
        """Send a broadcast again, with a note that they may have it already, to everyone
        counted "not sure"; progress and a report go to the coordinator. Return how many:
        0 when each of them was sent it again already (a second press sends nothing)."""
        await self.roles.require_coordinator(actor_id, "resend broadcast")
        status = await self._shown(broadcast_id)
        if not status.finished:
            raise NotFinished
        resent = await self.delivery.resend_uncertain(
            broadcast_id, note_html, created_by=actor_id, report_to=actor_id
        )
        if resent is None:
            return 0
        await self.audit.record(
            actor_id,
            "broadcast.resent",
            self.clock.now(),
            detail=f"broadcast {broadcast_id} again as {resent.broadcast_id}, "
            f"{resent.recipients} not sure",
        )
        return resent.recipients

    async def get(self, actor_id: int, broadcast_id: int) -> BroadcastStatus:
        """One broadcast's state, or InvalidChoice."""
        await self.roles.require_coordinator(actor_id, "read broadcast")
        return await self._shown(broadcast_id)

    async def _shown(self, broadcast_id: int) -> BroadcastStatus:
        """A broadcast coordinators may see and act on, or InvalidChoice (none such, or one
        picked by answer: a button for it can only be forged)."""
        status = await self.delivery.status(broadcast_id)
        if status is None or status.broadcast.kind in KINDS_BY_ANSWER:
            raise InvalidChoice
        return status

    async def cancel(self, actor_id: int, broadcast_id: int) -> int:
        """Stop a broadcast: rows not sent yet are cancelled; return how many."""
        await self.roles.require_coordinator(actor_id, "cancel broadcast")
        await self._shown(broadcast_id)
        cancelled = await self.delivery.cancel(broadcast_id)
        if cancelled is None:
            raise AlreadyFinished
        await self.audit.record(
            actor_id,
            "broadcast.cancelled",
            self.clock.now(),
            detail=f"broadcast {broadcast_id}, {cancelled} not sent",
        )
        return cancelled
