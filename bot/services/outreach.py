"""The fields every service that sends to an audience on a coordinator's word shares
(broadcasts, meetings, consultations), and building a service's parts from the same fields."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, ClassVar, Self
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.delivery import Audience, AudienceResolver, DeliveryService
from bot.delivery.quiet import QuietHours
from bot.services.audiences import audience_count
from bot.services.roles import RoleService
from storage.audit import AuditRepository


@dataclass(eq=False)
class Outreach:
    """The delivery engine, audiences, role checks, the audit log, quiet hours and the clock."""

    delivery: DeliveryService
    audiences: AudienceResolver
    roles: RoleService
    audit: AuditRepository
    quiet: QuietHours
    clock: Clock
    # Each service's own: the kind of message its audience must have chosen (None: the
    # audience's own), and the action a coordinator's count is checked as.
    AUDIENCE_CHOICE: ClassVar[str | None] = None
    COUNTING: ClassVar[str] = "count audience"

    @property
    def zone(self) -> ZoneInfo:
        """The local time zone."""
        return self.quiet.zone

    def reaches_at(self) -> datetime | None:
        """When a message queued now (not urgent) would really go: the end of the night's
        quiet hours; None for straight away."""
        now = self.clock.now()
        start = self.quiet.ends_at(now)
        return start if start > now else None

    async def audience_size(self, actor_id: int, audience: Audience) -> int:
        """How many people this service's message to ``audience`` would reach now (who chose
        that kind of message, are not paused and can be reached); coordinators only."""
        await self.roles.require_coordinator(actor_id, self.COUNTING)
        return await audience_count(self.audiences, audience, self.AUDIENCE_CHOICE)

    @classmethod
    def sharing(cls, whole: Outreach, **own: Any) -> Self:
        """One part of a service: each field it has in common with ``whole`` taken from it (the
        same repositories, engine and clock), unless ``own`` gives it; the rest from ``own``."""
        mine = {field.name for field in fields(cls) if field.init}
        values = {field.name: getattr(whole, field.name) for field in fields(whole)}
        values = {name: value for name, value in values.items() if name in mine}
        return cls(**(values | own))
