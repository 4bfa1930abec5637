"""Asking a coordinator to get in touch, and coordinators taking it and marking it done.

A request from the menu is an ordinary one: the handler tells each coordinator directly.
A request from a crisis or concern reply is urgent: it is stored together with a notice to
every coordinator, queued as an urgent broadcast through the delivery engine in the same
transaction (so a crash right after the press loses neither, and urgent rows go first even
during a big broadcast). The first coordinator to press "I'll take this" claims it, checked
again here in one transaction; if nobody has after ``reminder_hours``, coordinators are
reminded once (``send_reminders``, run by a repeating job, decides it from the database).

A press delivered twice counts once: an ask carries a random key (kept with the request), and
an ask that repeats a recent open request of the same kind returns that request instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import KW_ONLY, dataclass, replace
from datetime import timedelta
from typing import Any, Protocol

from bot.clock import Clock
from bot.delivery import DeliveryService
from bot.delivery.outbox import outbox
from bot.services.errors import InvalidChoice, ServiceError
from bot.services.members import MAX_NAME_LENGTH as MAX_NAME_LENGTH
from bot.services.members import iso_time, tidy_name
from bot.services.roles import RoleService
from storage.audit import AuditRepository
from storage.contact_requests import ContactRequest, ContactRequestRepository, NoticeCopy
from storage.members import MemberRepository

logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 1000
KIND_URGENT, KIND_REMINDER = "contact_urgent", "contact_reminder"
KIND_REQUEST = "contact_request"  # an ordinary request, to every coordinator
AUDIENCE = "coordinators"
# An ask by the same person, of the same kind, while their request is open and younger than
# this, is the same request (a double tap, a replayed press, pressing again a minute later).
REPEAT_WINDOW = timedelta(hours=1)
DEFAULT_REMINDER_HOURS = 2

# What a press on "I'll take this" did.
CLAIMED, YOURS, TAKEN, DONE = "claimed", "yours", "taken", "done"
# What a press on "Mark as done" did: marked it now, or it was done already (by them, or by
# someone else).
MARKED, ALREADY_BY_YOU, ALREADY_DONE = "marked", "already_by_you", "already_done"

# (text_html, reply_markup: Bot API JSON or python-telegram-bot's markup, or None)
Rendered = tuple[str, object]


class MessageTooLong(ServiceError):
    """The optional message is longer than a coordinator can read at a glance."""

    reason = "contact.too_long"


class ReachCheck(Protocol):
    """Whether any of these people may be reached (bot/services/reach.py gives one)."""

    async def may_reach_any(self, people: Iterable[int]) -> bool: ...


class ContactMessages(Protocol):
    """How the notices to coordinators look; the handlers layer provides it."""

    def request_notice(self, request: ContactRequest) -> Rendered: ...
    def urgent_notice(self, request: ContactRequest) -> Rendered: ...
    def urgent_reminder(self, request: ContactRequest, hours: int) -> Rendered: ...


@dataclass(frozen=True)
class ContactOutcome:
    """A request and who should hear about it; ``repeated`` when the ask was already made;
    ``passed_on`` False when the bot knows no coordinator can get it (none, or none has opened
    the bot or all blocked it): the person must not be told it was."""

    request: ContactRequest
    notify: list[int]
    repeated: bool = False
    passed_on: bool = True


@dataclass(frozen=True)
class ClaimOutcome:
    """What a press on "I'll take this" did (CLAIMED, YOURS, TAKEN or DONE), and on a new
    claim the coordinators' copies of the notice that now say it is taken."""

    request: ContactRequest
    result: str
    copies: list[NoticeCopy]


@dataclass(frozen=True)
class HandledOutcome:
    """What a press on "Mark as done" did (MARKED, ALREADY_BY_YOU or ALREADY_DONE), decided
    by the write itself, with the request as it now is."""

    request: ContactRequest
    result: str


@dataclass(eq=False)
class ContactService:
    """Stores contact requests, sends urgent ones to every coordinator, claims and reminders."""

    requests: ContactRequestRepository
    members: MemberRepository
    roles: RoleService
    audit: AuditRepository
    clock: Clock
    _: KW_ONLY
    delivery: DeliveryService
    messages: ContactMessages
    reach: ReachCheck
    reminder_hours: int = DEFAULT_REMINDER_HOURS  # an urgent request's wait before the reminder

    def __post_init__(self) -> None:
        """Refuse a reminder time under an hour."""
        if self.reminder_hours < 1:
            raise ValueError("reminder_hours must be at least 1")

    async def ask(
        self,
        telegram_id: int,
        first_name: str,
        message: str | None,
        *,
        urgent: bool = False,
        ask_key: str | None = None,
    ) -> ContactOutcome:
        """Record a request (member or not) with its notice to every coordinator, queued
        through the delivery engine in one transaction (urgent: first, even in quiet hours).
        An ask that repeats one already made returns that request, marked ``repeated``, and
        writes nothing.
        """
        text = (message or "").strip() or None
        if text is not None and len(text) > MAX_MESSAGE_LENGTH:
            raise MessageTooLong
        member = await self.members.get(telegram_id)
        name = member.first_name if member else tidy_name(first_name)  # None: no name given
        region = member.region_id if member else None
        coordinators = await self.roles.coordinators()
        # An ordinary request waits for a coordinator who has not opened the bot yet (it is
        # sent again once they do); an urgent one must not be said to be passed on then.
        passed_on = await self._may_reach(coordinators) if urgent else bool(coordinators)
        now = self.clock.now()
        async with outbox(self.requests, self.delivery) as box:
            tx = box.tx
            earlier = await self.requests.repeat_of(
                telegram_id,
                ask_key=ask_key,
                urgent=urgent,
                message=text,
                since=now - REPEAT_WINDOW,
                tx=tx,
            )
            if earlier is not None:
                return ContactOutcome(earlier, coordinators, repeated=True, passed_on=passed_on)
            request = await self.requests.add(
                telegram_id, name, region, text, now, urgent=urgent, ask_key=ask_key, tx=tx
            )
            if coordinators:
                # The notice names the person: its id on the request lets erasure and
                # retention find it.
                notice = self.messages.urgent_notice if urgent else self.messages.request_notice
                text_html, markup = notice(request)
                broadcast_id = await box.send(
                    KIND_URGENT if urgent else KIND_REQUEST,
                    text_html,
                    coordinators,
                    reply_markup=markup,
                    urgent=urgent,  # an ordinary one waits for the morning in quiet hours
                    audience=AUDIENCE,
                    must_reach=True,  # a coordinator's pause is for member messages, not work
                )
                assert broadcast_id is not None
                await self.requests.set_notice(request.id, broadcast_id, tx)
                request = replace(request, notice_broadcast_id=broadcast_id)
            if not passed_on:
                # They are told now; the check after the notice ends must not tell them again.
                await self.requests.mark_unreached(request.id, now, tx)
        return ContactOutcome(request, coordinators, passed_on=passed_on)

    async def _may_reach(self, coordinators: list[int]) -> bool:
        """False when there is no coordinator, or the bot knows it can reach none of them."""
        if not coordinators:
            return False
        try:
            return await self.reach.may_reach_any(coordinators)
        except Exception as exc:  # not knowing is not a reason to say it failed
            logger.error("could not check coordinators can be reached: %s", type(exc).__name__)
            return True

    async def claim(self, coordinator_id: int, first_name: str, request_id: int) -> ClaimOutcome:
        """A coordinator takes an urgent request. Only the first press claims it; any later
        press (theirs or another's, or one delivered twice) changes nothing."""
        await self.roles.require_coordinator(coordinator_id, "take contact request")
        member = await self.members.get(coordinator_id)
        name = member.first_name if member else tidy_name(first_name)  # None: no name given
        now = self.clock.now()
        async with self.requests.transaction() as tx:
            request = await self.requests.get(request_id, tx)
            if request is None or not request.urgent:
                raise InvalidChoice
            claimed = await self.requests.claim(request_id, coordinator_id, name, now, tx)
            if claimed:
                await self.audit.record(
                    coordinator_id, "contact.claimed", now, detail=f"request {request_id}", tx=tx
                )
                request = await self.requests.get(request_id, tx) or request
        if not claimed:
            if request.handled_at is not None:
                result = DONE
            elif request.claimed_by == coordinator_id:
                result = YOURS
            else:
                result = TAKEN
            return ClaimOutcome(request, result, [])
        await self._stop_notices(request)
        return ClaimOutcome(request, CLAIMED, await self.requests.notice_copies(request_id))

    async def _stop_notices(self, request: ContactRequest) -> None:
        """Once taken, copies of the notice or reminder not sent yet are not sent at all."""
        for broadcast_id in (request.notice_broadcast_id, request.reminder_broadcast_id):
            if broadcast_id is None:
                continue
            try:
                await self.delivery.cancel(broadcast_id)
            except Exception as exc:  # a late copy only says "I'll take this" once more
                logger.error("could not stop a taken request's notice: %s", type(exc).__name__)

    async def send_reminders(self) -> list[int]:
        """Remind every coordinator, once, about each urgent request nobody has taken or
        marked done within ``reminder_hours``; return the requests reminded about.

        Each reminder is marked and its urgent broadcast queued in one transaction, so it is
        never lost nor sent twice, across restarts too; one that cannot be written stays
        due for the next run.
        """
        now = self.clock.now()
        before = now - timedelta(hours=self.reminder_hours)
        waiting = await self.requests.waiting_since(before)
        if not waiting:
            return []
        coordinators = await self.roles.coordinators()
        reminded: list[int] = []
        for request_id in waiting:
            try:
                async with outbox(self.requests, self.delivery) as box:
                    request = await self.requests.take_reminder(request_id, before, now, box.tx)
                    if request is None:
                        continue
                    text_html, markup = self.messages.urgent_reminder(request, self.reminder_hours)
                    broadcast_id = await box.send(
                        KIND_REMINDER,
                        text_html,
                        coordinators,
                        reply_markup=markup,
                        urgent=True,
                        audience=AUDIENCE,
                        must_reach=True,
                    )
                    if broadcast_id is not None:
                        await self.requests.set_reminder(request_id, broadcast_id, box.tx)
                reminded.append(request_id)
            except Exception as exc:
                logger.error(
                    "reminder for contact request %d not queued this time: %s",
                    request_id,
                    type(exc).__name__,
                )
        return reminded

    async def mark_handled(self, coordinator_id: int, request_id: int) -> HandledOutcome:
        """Mark a request handled; only coordinators may. Only the first press marks it; the
        write decides which that was, so two coordinators pressing at once (or one press
        delivered twice) mark it once."""
        await self.roles.require_coordinator(coordinator_id, "mark contact handled")
        now = self.clock.now()
        async with self.requests.transaction() as tx:
            request = await self.requests.get(request_id, tx)
            if request is None:
                raise InvalidChoice
            if not await self.requests.mark_handled(request_id, coordinator_id, now, tx):
                mine = request.handled_by == coordinator_id
                return HandledOutcome(request, ALREADY_BY_YOU if mine else ALREADY_DONE)
            await self.audit.record(
                coordinator_id, "contact.handled", now, detail=f"request {request_id}", tx=tx
            )
            handled = await self.requests.get(request_id, tx)
        assert handled is not None
        return HandledOutcome(handled, MARKED)

    async def get_for_coordinator(self, coordinator_id: int, request_id: int) -> ContactRequest:
        """A request, for a coordinator (used to grant a role from a request)."""
        await self.roles.require_coordinator(coordinator_id, "read contact request")
        request = await self.requests.get(request_id)
        if request is None:
            raise InvalidChoice
        return request

    async def member_data(self, telegram_id: int) -> list[dict[str, Any]]:
        """Every request this person made, for /mydata (nothing about other people)."""
        return [
            {
                "asked_at": iso_time(request.created_at),
                "message": request.message,
                "urgent": request.urgent,
                "taken_by_a_coordinator": request.claimed_at is not None,
                "taken_at": iso_time(request.claimed_at),
                "reminder_sent_at": iso_time(request.reminded_at),
                "handled": request.handled_at is not None,
                "handled_at": iso_time(request.handled_at),
            }
            for request in await self.requests.by_person(telegram_id)
        ]
