"""ContactService on real SQLite: asking a coordinator to get in touch, and marking it done."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.services.contact import (
    ALREADY_BY_YOU,
    ALREADY_DONE,
    MARKED,
    MAX_MESSAGE_LENGTH,
    ContactService,
    MessageTooLong,
)
from bot.services.errors import InvalidChoice, NotAllowed
from bot.services.roles import RoleService
from storage.audit import AuditRepository
from storage.contact_requests import ContactRequestRepository
from storage.db import Database
from storage.members import MemberRepository
from storage.roles import COORDINATOR, RoleRepository
from tests.conftest import START
from tests.contact.conftest import contact_service

COORD_A = 1001
COORD_B = 1002
MEMBER = 2001
VISITOR = 3001


@pytest.fixture
async def roles(db: Database, clock: Clock) -> RoleService:
    service = RoleService(RoleRepository(db), AuditRepository(db), clock, {COORD_A})
    await service.bootstrap()
    return service


@pytest.fixture
def contact(db: Database, clock: Clock, roles: RoleService, tmp_path: Path) -> ContactService:
    return contact_service(db, roles, clock, tmp_path)


@pytest.fixture
def requests(db: Database) -> ContactRequestRepository:
    return ContactRequestRepository(db)


async def test_a_member_asks_with_a_note(db: Database, contact: ContactService) -> None:
    members = MemberRepository(db)
    await members.add(MEMBER, "Sam", START)
    await members.set_place(MEMBER, "north_west", "nw_hub_1", START)

    outcome = await contact.ask(MEMBER, "Telegram name", "  Please call after 5pm.  ")

    request = outcome.request
    # The name the member gave the forum is used, with their region.
    assert (request.telegram_id, request.first_name, request.region_id) == (
        MEMBER,
        "Sam",
        "north_west",
    )
    assert request.message == "Please call after 5pm."
    assert request.created_at == START
    assert request.handled_at is None


async def test_someone_who_has_not_joined_can_ask_too(contact: ContactService) -> None:
    outcome = await contact.ask(VISITOR, "Jo", None)

    assert (outcome.request.first_name, outcome.request.region_id) == ("Jo", None)
    assert outcome.request.message is None


@pytest.mark.parametrize(("given", "stored"), [("", None), ("  ", None), ("J" * 99, "J" * 64)])
async def test_a_missing_or_long_name_is_tidied(
    contact: ContactService, requests: ContactRequestRepository, given: str, stored: str | None
) -> None:
    outcome = await contact.ask(VISITOR, given, None)

    # No name is kept as none (the words for it are the handler's, from the catalogue).
    assert outcome.request.first_name == stored
    assert (await requests.get(outcome.request.id)).first_name == stored


async def test_a_blank_note_counts_as_no_note(contact: ContactService) -> None:
    outcome = await contact.ask(VISITOR, "Jo", " \n ")

    assert outcome.request.message is None


async def test_a_note_at_the_limit_is_kept_and_one_over_is_refused_storing_nothing(
    contact: ContactService, requests: ContactRequestRepository
) -> None:
    kept = await contact.ask(VISITOR, "Jo", "x" * MAX_MESSAGE_LENGTH)
    assert kept.request.message == "x" * MAX_MESSAGE_LENGTH

    with pytest.raises(MessageTooLong) as caught:
        await contact.ask(MEMBER, "Sam", "y" * (MAX_MESSAGE_LENGTH + 1))

    assert caught.value.reason == "contact.too_long"
    assert await requests.by_person(MEMBER) == []
    assert [r.telegram_id for r in await requests.open_requests()] == [VISITOR]


async def test_every_coordinator_is_told(contact: ContactService, roles: RoleService) -> None:
    await roles.grant(COORD_A, COORD_B, COORDINATOR)

    outcome = await contact.ask(VISITOR, "Jo", None)

    assert sorted(outcome.notify) == [COORD_A, COORD_B]


async def test_a_coordinator_marks_a_request_handled_and_it_is_recorded(
    db: Database, contact: ContactService, requests: ContactRequestRepository, clock: Clock
) -> None:
    request = (await contact.ask(VISITOR, "Jo", None)).request
    clock.advance(timedelta(hours=2))

    outcome = await contact.mark_handled(COORD_A, request.id)

    assert outcome.result == MARKED
    handled = outcome.request
    assert handled.handled_by == COORD_A
    assert handled.handled_at == START + timedelta(hours=2)
    assert handled == await requests.get(request.id)
    assert await requests.open_requests() == []
    latest = (await AuditRepository(db).latest(1))[0]
    assert (latest.actor_id, latest.action, latest.detail) == (
        COORD_A,
        "contact.handled",
        f"request {request.id}",
    )


async def test_marking_twice_keeps_the_first_coordinator(
    contact: ContactService, roles: RoleService
) -> None:
    await roles.grant(COORD_A, COORD_B, COORDINATOR)
    request = (await contact.ask(VISITOR, "Jo", None)).request
    await contact.mark_handled(COORD_A, request.id)

    again = await contact.mark_handled(COORD_B, request.id)
    mine_again = await contact.mark_handled(COORD_A, request.id)

    assert (again.result, again.request.handled_by) == (ALREADY_DONE, COORD_A)
    assert (mine_again.result, mine_again.request.handled_by) == (ALREADY_BY_YOU, COORD_A)


async def test_two_coordinators_marking_at_once_one_marks_it(
    db: Database, contact: ContactService, roles: RoleService, requests: ContactRequestRepository
) -> None:
    await roles.grant(COORD_A, COORD_B, COORDINATOR)
    request = (await contact.ask(VISITOR, "Jo", None)).request

    outcomes = await asyncio.gather(
        contact.mark_handled(COORD_A, request.id), contact.mark_handled(COORD_B, request.id)
    )

    assert sorted(o.result for o in outcomes) == sorted([MARKED, ALREADY_DONE])
    winner = next(o for o in outcomes if o.result == MARKED).request.handled_by
    loser = next(o for o in outcomes if o.result == ALREADY_DONE)
    assert loser.request.handled_by == winner  # the loser is told who has it, as stored
    assert (await requests.get(request.id)).handled_by == winner
    handled = [e for e in await AuditRepository(db).latest(10) if e.action == "contact.handled"]
    assert [e.actor_id for e in handled] == [winner]


async def test_only_coordinators_may_mark_handled(
    db: Database, contact: ContactService, requests: ContactRequestRepository
) -> None:
    request = (await contact.ask(VISITOR, "Jo", None)).request

    with pytest.raises(NotAllowed):
        await contact.mark_handled(VISITOR, request.id)
    refused = (await AuditRepository(db).latest(1))[0]
    # The refusal is recorded as what was tried.
    assert (refused.actor_id, refused.action, refused.detail) == (
        VISITOR,
        "refused",
        "mark contact handled",
    )
    with pytest.raises(NotAllowed):
        await contact.get_for_coordinator(VISITOR, request.id)

    assert [r.id for r in await requests.open_requests()] == [request.id]
    latest = (await AuditRepository(db).latest(1))[0]
    assert (latest.actor_id, latest.action) == (VISITOR, "refused")


async def test_an_unknown_request_is_an_invalid_choice(contact: ContactService) -> None:
    with pytest.raises(InvalidChoice):
        await contact.mark_handled(COORD_A, 999)
    with pytest.raises(InvalidChoice):
        await contact.get_for_coordinator(COORD_A, 999)


async def test_a_coordinator_can_read_a_request(contact: ContactService) -> None:
    request = (await contact.ask(VISITOR, "Jo", "hi")).request

    assert await contact.get_for_coordinator(COORD_A, request.id) == request
