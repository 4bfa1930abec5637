"""Asking a coordinator to get in touch, and coordinators marking it handled."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.services.errors import InvalidChoice, ServiceError
from bot.services.roles import RoleService
from storage.audit import AuditRepository
from storage.contact_requests import ContactRequest, ContactRequestRepository
from storage.members import MemberRepository

MAX_MESSAGE_LENGTH = 1000


class MessageTooLong(ServiceError):
    """The optional message is longer than a coordinator can read at a glance."""

    reason = "contact.too_long"


@dataclass(frozen=True)
class ContactOutcome:
    """A new request and who should hear about it."""

    request: ContactRequest
    notify: list[int]


class ContactService:
    """Stores contact requests and says which coordinators to tell."""

    def __init__(
        self,
        requests: ContactRequestRepository,
        members: MemberRepository,
        roles: RoleService,
        audit: AuditRepository,
        clock: Clock,
    ) -> None:
        self._requests = requests
        self._members = members
        self._roles = roles
        self._audit = audit
        self._clock = clock

    async def ask(self, telegram_id: int, first_name: str, message: str | None) -> ContactOutcome:
        """Record a request (member or not) and return the coordinators to notify."""
        text = (message or "").strip() or None
        if text is not None and len(text) > MAX_MESSAGE_LENGTH:
            raise MessageTooLong
        member = await self._members.get(telegram_id)
        name = member.first_name if member else ((first_name or "").strip()[:64] or "Someone")
        region = member.region_id if member else None
        request = await self._requests.add(telegram_id, name, region, text, self._clock.now())
        return ContactOutcome(request, await self._roles.coordinators())

    async def mark_handled(self, coordinator_id: int, request_id: int) -> ContactRequest:
        """Mark a request handled; only coordinators may."""
        await self._roles.require_coordinator(coordinator_id, "mark contact handled")
        request = await self._requests.get(request_id)
        if request is None:
            raise InvalidChoice
        if await self._requests.mark_handled(request_id, coordinator_id, self._clock.now()):
            await self._audit.record(
                coordinator_id, "contact.handled", self._clock.now(), detail=f"request {request_id}"
            )
        handled = await self._requests.get(request_id)
        assert handled is not None
        return handled

    async def get_for_coordinator(self, coordinator_id: int, request_id: int) -> ContactRequest:
        """A request, for a coordinator (used to grant a role from a request)."""
        await self._roles.require_coordinator(coordinator_id, "read contact request")
        request = await self._requests.get(request_id)
        if request is None:
            raise InvalidChoice
        return request
