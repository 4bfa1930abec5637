"""RoleService on real SQLite: founders, grants and revokes, refusals recorded in the audit log."""

from __future__ import annotations

import pytest

from bot.clock import Clock
from bot.services.errors import NotAllowed
from bot.services.roles import FounderRole, LastCoordinator, RoleService
from storage.audit import AuditRepository
from storage.db import Database
from storage.roles import COORDINATOR, DECISION_MAKER, RoleRepository
from tests.conftest import START

FOUNDER = 1001
OTHER_FOUNDER = 1002
MEMBER = 2001
STRANGER = 3001


def _service(db: Database, clock: Clock, founders: set[int]) -> RoleService:
    return RoleService(RoleRepository(db), AuditRepository(db), clock, founders)


@pytest.fixture
async def roles(db: Database, clock: Clock) -> RoleService:
    service = _service(db, clock, {FOUNDER})
    await service.bootstrap()
    return service


@pytest.fixture
def audit(db: Database) -> AuditRepository:
    return AuditRepository(db)


async def test_bootstrap_makes_every_founder_a_coordinator_once(
    db: Database, clock: Clock, audit: AuditRepository
) -> None:
    service = _service(db, clock, {FOUNDER, OTHER_FOUNDER})

    await service.bootstrap()
    await service.bootstrap()  # every start runs it again

    assert await service.coordinators() == [FOUNDER, OTHER_FOUNDER]
    entries = await audit.latest()
    assert sorted(e.target_id for e in entries if e.action == "role.granted") == [
        FOUNDER,
        OTHER_FOUNDER,
    ]
    assert all(e.actor_id is None and e.at == START for e in entries)


async def test_a_coordinator_grants_and_revokes_the_coordinator_role(
    roles: RoleService, audit: AuditRepository
) -> None:
    granted = await roles.grant(FOUNDER, MEMBER, COORDINATOR)

    assert granted.changed
    assert await roles.is_coordinator(MEMBER)
    assert await roles.coordinators() == [FOUNDER, MEMBER]

    revoked = await roles.revoke(FOUNDER, MEMBER, COORDINATOR)

    assert revoked.changed
    assert not await roles.is_coordinator(MEMBER)
    actions = [(e.actor_id, e.action, e.target_id, e.detail) for e in await audit.latest()]
    assert actions[:2] == [
        (FOUNDER, "role.revoked", MEMBER, COORDINATOR),
        (FOUNDER, "role.granted", MEMBER, COORDINATOR),
    ]


async def test_granting_twice_changes_nothing_the_second_time(
    roles: RoleService, audit: AuditRepository
) -> None:
    await roles.grant(FOUNDER, MEMBER, DECISION_MAKER)
    before = len(await audit.latest(100))

    again = await roles.grant(FOUNDER, MEMBER, DECISION_MAKER)

    assert not again.changed
    assert len(await audit.latest(100)) == before


async def test_revoking_a_role_not_held_changes_nothing(roles: RoleService) -> None:
    result = await roles.revoke(FOUNDER, MEMBER, DECISION_MAKER)

    assert not result.changed


async def test_the_decision_maker_role(roles: RoleService) -> None:
    await roles.grant(FOUNDER, MEMBER, DECISION_MAKER)

    assert await roles.roles_of(MEMBER) == {DECISION_MAKER}
    assert not await roles.is_coordinator(MEMBER)
    # A decision-maker is not a coordinator, so cannot grant.
    with pytest.raises(NotAllowed):
        await roles.grant(MEMBER, STRANGER, DECISION_MAKER)

    await roles.revoke(FOUNDER, MEMBER, DECISION_MAKER)
    assert await roles.roles_of(MEMBER) == set()


@pytest.mark.parametrize("action", ["grant", "revoke"])
async def test_someone_else_is_refused_and_the_refusal_is_recorded(
    roles: RoleService, audit: AuditRepository, action: str
) -> None:
    await roles.grant(FOUNDER, MEMBER, DECISION_MAKER)

    with pytest.raises(NotAllowed):
        if action == "grant":
            await roles.grant(STRANGER, STRANGER, COORDINATOR)
        else:
            await roles.revoke(STRANGER, MEMBER, DECISION_MAKER)

    assert not await roles.is_coordinator(STRANGER)
    assert await roles.roles_of(MEMBER) == {DECISION_MAKER}
    latest = (await audit.latest(1))[0]
    assert (latest.actor_id, latest.action) == (STRANGER, "refused")
    assert action in latest.detail


async def test_the_last_coordinator_cannot_be_removed(db: Database, clock: Clock) -> None:
    # A coordinator who is not a founder (founders are refused for another reason).
    service = _service(db, clock, set())
    await RoleRepository(db).grant(MEMBER, COORDINATOR, None, START)

    with pytest.raises(LastCoordinator):
        await service.revoke(MEMBER, MEMBER, COORDINATOR)

    assert await service.coordinators() == [MEMBER]


async def test_a_coordinator_can_step_down_while_another_remains(
    roles: RoleService,
) -> None:
    await roles.grant(FOUNDER, MEMBER, COORDINATOR)

    result = await roles.revoke(MEMBER, MEMBER, COORDINATOR)

    assert result.changed
    assert await roles.coordinators() == [FOUNDER]


async def test_founders_cannot_be_revoked(roles: RoleService) -> None:
    await roles.grant(FOUNDER, MEMBER, COORDINATOR)

    with pytest.raises(FounderRole):
        await roles.revoke(MEMBER, FOUNDER, COORDINATOR)

    assert await roles.is_coordinator(FOUNDER)


async def test_an_unknown_role_is_refused(roles: RoleService) -> None:
    with pytest.raises(ValueError, match="unknown role"):
        await roles.grant(FOUNDER, MEMBER, "admin")
    with pytest.raises(ValueError, match="unknown role"):
        await roles.revoke(FOUNDER, MEMBER, "admin")

    assert await roles.roles_of(MEMBER) == set()


async def test_require_coordinator(roles: RoleService, audit: AuditRepository) -> None:
    await roles.require_coordinator(FOUNDER, "look")
    assert all(e.action != "refused" for e in await audit.latest())

    with pytest.raises(NotAllowed):
        await roles.require_coordinator(STRANGER, "look")
    latest = (await audit.latest(1))[0]
    assert (latest.actor_id, latest.action, latest.detail) == (STRANGER, "refused", "look")
