"""Roles and permissions: checked here, in the service, not only by hiding buttons."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.services.errors import NotAllowed, ServiceError
from storage.audit import AuditRepository
from storage.roles import (
    COORDINATOR,
    DECISION_MAKER,
    READER,
    ROLES,
    LastCoordinatorError,
    RoleRepository,
)


class LastCoordinator(ServiceError):
    """Removing this role would leave no coordinator."""

    reason = "roles.last_coordinator"


class FounderRole(ServiceError):
    """The person is named in COORDINATOR_IDS, so the role comes back at every start."""

    reason = "roles.founder"


@dataclass(frozen=True)
class RoleChange:
    """The outcome of a grant or revoke."""

    target_id: int
    role: str
    changed: bool


class RoleService:
    """Grants, revokes and checks roles, recording every coordinator action."""

    def __init__(
        self, roles: RoleRepository, audit: AuditRepository, clock: Clock, founders: set[int]
    ) -> None:
        self._roles = roles
        self._audit = audit
        self._clock = clock
        self._founders = founders

    async def bootstrap(self) -> None:
        """Make sure everyone named in COORDINATOR_IDS is a coordinator."""
        for telegram_id in sorted(self._founders):
            if await self._roles.grant(telegram_id, COORDINATOR, None, self._clock.now()):
                await self._audit.record(
                    None, "role.granted", self._clock.now(), telegram_id, "coordinator (settings)"
                )

    async def roles_of(self, telegram_id: int) -> set[str]:
        """The roles this person holds."""
        return await self._roles.roles_of(telegram_id)

    async def is_coordinator(self, telegram_id: int) -> bool:
        """True for coordinators."""
        return await self._roles.has(telegram_id, COORDINATOR)

    async def coordinators(self) -> list[int]:
        """Every coordinator's Telegram id."""
        return await self._roles.holders(COORDINATOR)

    async def decision_makers(self) -> list[int]:
        """Every decision-maker's Telegram id."""
        return await self._roles.holders(DECISION_MAKER)

    async def report_readers(self) -> list[int]:
        """Everyone given the progression report with `/grant <id> reader`."""
        return await self._roles.holders(READER)

    async def require_coordinator(self, actor_id: int, action: str) -> None:
        """Raise NotAllowed (and record the refusal) unless the actor is a coordinator."""
        if not await self._roles.has(actor_id, COORDINATOR):
            await self._audit.record(actor_id, "refused", self._clock.now(), detail=action)
            raise NotAllowed

    async def grant(self, actor_id: int, target_id: int, role: str) -> RoleChange:
        """Give a role to someone; only coordinators may."""
        await self.require_coordinator(actor_id, f"grant {role}")
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        changed = await self._roles.grant(target_id, role, actor_id, self._clock.now())
        if changed:
            await self._audit.record(actor_id, "role.granted", self._clock.now(), target_id, role)
        return RoleChange(target_id, role, changed)

    async def revoke(self, actor_id: int, target_id: int, role: str) -> RoleChange:
        """Take a role away; never the last coordinator, nor one named in settings."""
        await self.require_coordinator(actor_id, f"revoke {role}")
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        if role == COORDINATOR and target_id in self._founders:
            raise FounderRole
        try:
            changed = await self._roles.revoke(target_id, role)
        except LastCoordinatorError:
            raise LastCoordinator from None
        if changed:
            await self._audit.record(actor_id, "role.revoked", self._clock.now(), target_id, role)
        return RoleChange(target_id, role, changed)


__all__ = ["COORDINATOR", "DECISION_MAKER", "READER", "ROLES", "RoleChange", "RoleService"]
