"""Group chats on real SQLite, through the services the bot builds: who may link, what a link
holds, the bot's own membership (told to coordinators when a linked group removes it), a
group that becomes a supergroup, newcomers, the audit's sentences and erasure."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import build_services
from bot.clock import Clock
from bot.services.errors import InvalidChoice, NotAllowed
from bot.services.group_chats import KIND_INVITE, KIND_REMOVED
from bot.services.registry import Services
from storage.erasure import erase_person
from storage.group_chats import LINKED, PRESENT, REMOVED
from tests.conftest import START, make_settings

CASEY, ALEX = 900_000_001, 900_000_002  # coordinators
SAM, PRIYA, STRANGER = 700_000_001, 700_000_002, 700_000_009
GROUP, OTHER_GROUP = -5001, -5002
INVITE = ("Join us", {"inline_keyboard": [[{"text": "Join", "url": "https://t.me/x?start=join"}]]})


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    """Every service over a real database in tmp_path; Casey and Alex are coordinators."""
    settings = make_settings(tmp_path, coordinator_ids=[CASEY, ALEX])
    built = await build_services(settings, Clock(START))
    try:
        yield built
    finally:
        await built.db.close()


async def _queued(services: Services, kind: str) -> list[tuple[int, str]]:
    """(recipient, text) of every message of this kind queued so far."""
    rows = await services.db.fetch_all(
        "SELECT d.recipient_id, b.text_html FROM deliveries d JOIN broadcasts b "
        "ON b.id = d.broadcast_id WHERE b.kind = ? ORDER BY d.recipient_id",
        (kind,),
    )
    return [(row[0], row[1]) for row in rows]


async def _member(services: Services, telegram_id: int, *, finished: bool = True) -> None:
    """Someone who joined (and finished joining, unless told otherwise)."""
    await services.members.join(telegram_id, "Sam")
    await services.members.choose_region(telegram_id, "north_west")
    if finished:
        await services.members.finish_setup(telegram_id)


async def test_only_a_coordinator_links_and_only_to_a_real_place(services: Services) -> None:
    groups = services.group_chats
    await groups.bot_status(GROUP, "NW hub chat", "group", "member", CASEY)
    with pytest.raises(NotAllowed):
        await groups.link(SAM, GROUP, "NW hub chat", "group", "hub", "nw_hub_1", None)
    for scope, place in (("hub", "nowhere"), ("region", "nw_hub_1"), ("everyone", "x")):
        with pytest.raises(InvalidChoice):
            await groups.link(CASEY, GROUP, "NW hub chat", "group", scope, place, None)
    assert (await groups.get(GROUP)).state == PRESENT  # nothing changed by any refusal
    linked = await groups.link(CASEY, GROUP, "NW hub chat", "group", "hub", "nw_hub_1", 7)
    assert (linked.state, linked.scope, linked.place, linked.thread_id) == (
        LINKED,
        "hub",
        "nw_hub_1",
        7,
    )
    assert linked.linked_by == CASEY
    changed = await groups.link(ALEX, GROUP, "NW hub chat", "group", "region", "north_west", None)
    assert (changed.scope, changed.place, changed.thread_id) == ("region", "north_west", None)
    with pytest.raises(NotAllowed):
        await groups.unlink(SAM, GROUP)
    assert await groups.unlink(ALEX, GROUP) is True
    assert await groups.unlink(ALEX, GROUP) is False  # not linked any more
    assert (await groups.get(GROUP)).state == PRESENT
    with pytest.raises(NotAllowed):
        await groups.listing(SAM)
    assert [g.chat_id for g in await groups.listing(CASEY)] == [GROUP]


async def test_linking_a_group_the_bot_never_heard_arrive(services: Services) -> None:
    """A group the bot was in before it kept group rows: /link makes its row."""
    group = await services.group_chats.link(
        CASEY, GROUP, "Old chat", "supergroup", "everyone", None, None
    )
    assert (group.state, group.kind, group.scope, group.place) == (
        LINKED,
        "supergroup",
        "everyone",
        None,
    )


async def test_a_linked_group_removing_the_bot_tells_every_coordinator_once(
    services: Services,
) -> None:
    groups = services.group_chats
    await groups.bot_status(GROUP, "NW hub chat", "group", "member", SAM)
    await groups.link(CASEY, GROUP, "NW hub chat", "group", "hub", "nw_hub_1", None)
    await groups.bot_status(GROUP, "NW hub chat", "group", "administrator", SAM)
    assert (await groups.get(GROUP)).bot_is_admin is True
    await groups.bot_status(GROUP, "NW hub chat", "group", "kicked", SAM)
    await groups.bot_status(GROUP, "NW hub chat", "group", "left", SAM)  # told twice by Telegram
    group = await groups.get(GROUP)
    assert (group.state, group.scope, group.bot_is_admin) == (REMOVED, None, False)
    told = await _queued(services, KIND_REMOVED)
    assert [who for who, _ in told] == [CASEY, ALEX]
    assert all("NW hub chat" in text and "/link" in text for _, text in told)
    # added back: present again, and it must be linked anew
    await groups.bot_status(GROUP, "NW hub chat", "group", "member", CASEY)
    assert (await groups.get(GROUP)).state == PRESENT
    # a group that was never linked goes quietly
    await groups.bot_status(OTHER_GROUP, "Chat", "group", "member", SAM)
    await groups.bot_status(OTHER_GROUP, "Chat", "group", "kicked", SAM)
    assert len(await _queued(services, KIND_REMOVED)) == 2


async def test_a_group_that_becomes_a_supergroup_keeps_its_link(services: Services) -> None:
    groups = services.group_chats
    await groups.bot_status(GROUP, "NW hub chat", "group", "member", CASEY)
    await groups.link(CASEY, GROUP, "NW hub chat", "group", "hub", "nw_hub_1", None)
    new_id = -1001234567890
    # Telegram's notice in the new supergroup may make its row first (as not linked)
    await groups.bot_status(new_id, "NW hub chat", "supergroup", "member", None)
    assert await groups.moved(GROUP, new_id) is True
    assert await groups.moved(GROUP, new_id) is False  # the second notice changes nothing
    assert await groups.get(GROUP) is None
    moved = await groups.get(new_id)
    assert (moved.state, moved.kind, moved.place) == (LINKED, "supergroup", "nw_hub_1")


async def test_posts_not_sent_yet_move_with_the_group_each_once(services: Services) -> None:
    groups, delivery = services.group_chats, services.delivery
    await groups.bot_status(GROUP, "NW hub chat", "group", "member", CASEY)
    await groups.link(CASEY, GROUP, "NW hub chat", "group", "hub", "nw_hub_1", None)
    new_id = -1001234567890
    waiting = await delivery.enqueue("group_post", "Hub meeting", [GROUP])
    both = await delivery.enqueue("group_post", "Both ids", [GROUP, new_id])
    sent = await delivery.enqueue("group_post", "Sent before", [GROUP])
    await services.db.execute(
        "UPDATE deliveries SET state = 'sent' WHERE broadcast_id = ?", (sent,)
    )
    other = await delivery.enqueue("group_post", "Another group", [OTHER_GROUP])
    assert await groups.moved(GROUP, new_id) is True
    rows = await services.db.fetch_all(
        "SELECT broadcast_id, recipient_id, state, reason FROM deliveries ORDER BY id"
    )
    assert [tuple(row) for row in rows] == [
        (waiting, new_id, "pending", None),  # it goes to the supergroup
        (both, GROUP, "cancelled", "chat_moved"),  # the supergroup gets this one once
        (both, new_id, "pending", None),
        (sent, GROUP, "sent", None),  # what went before stays as it was
        (other, OTHER_GROUP, "pending", None),
    ]
    # told twice (Telegram's two notices): nothing more changes
    assert await groups.moved(GROUP, new_id) is False
    again = await services.db.fetch_all("SELECT recipient_id, state FROM deliveries ORDER BY id")
    assert [tuple(row) for row in again] == [(r[1], r[2]) for r in rows]


async def test_newcomers_are_invited_in_private_or_welcomed_once_a_day(
    services: Services,
) -> None:
    groups = services.group_chats
    await _member(services, SAM)  # a member: nothing
    await _member(services, PRIYA, finished=False)  # opened the bot, not finished joining
    await groups.bot_status(GROUP, "NW hub chat", "group", "member", CASEY)
    # not linked: nothing at all
    plan = await groups.newcomers(GROUP, [STRANGER], INVITE)
    assert (plan.invited, plan.welcome_in_group) == (0, False)
    await groups.link(CASEY, GROUP, "NW hub chat", "group", "hub", "nw_hub_1", None)
    plan = await groups.newcomers(GROUP, [SAM], INVITE)
    assert (plan.invited, plan.welcome_in_group) == (0, False)
    plan = await groups.newcomers(GROUP, [PRIYA, STRANGER], INVITE)
    assert (plan.invited, plan.welcome_in_group) == (1, True)
    assert await _queued(services, KIND_INVITE) == [(PRIYA, "Join us")]
    plan = await groups.newcomers(GROUP, [STRANGER + 1], INVITE)
    assert plan.welcome_in_group is False  # one welcome a day at most
    services.clock.advance(timedelta(days=1))
    plan = await groups.newcomers(GROUP, [STRANGER + 2], INVITE)
    assert plan.welcome_in_group is True
    # nothing about the newcomers is kept
    everything = await services.db.fetch_all("SELECT * FROM group_chats")
    assert all(STRANGER not in tuple(row) for row in everything)


async def test_the_audit_reads_each_change_in_words(services: Services) -> None:
    groups = services.group_chats
    await groups.bot_status(GROUP, "Hub <chat>", "group", "member", CASEY)
    await groups.link(CASEY, GROUP, "Hub <chat>", "group", "hub", "nw_hub_1", None)
    await groups.link(CASEY, GROUP, "Hub <chat>", "group", "everyone", None, None)
    await groups.unlink(CASEY, GROUP)
    await groups.bot_status(GROUP, "Hub <chat>", "group", "administrator", CASEY)
    await groups.bot_status(GROUP, "Hub <chat>", "group", "left", CASEY)
    entries = await services.db.fetch_all(
        "SELECT id FROM audit_log WHERE action LIKE 'group.%' ORDER BY id"
    )
    assert len(entries) == 6
    view = await services.reports.audit_log(CASEY, kind="groups")
    said = [(line.what, line.facts) for line in reversed(view.lines)]
    assert [what for what, _ in said] == [
        "group_bot_added",
        "group_linked",
        "group_relinked",
        "group_unlinked",
        "group_bot_admin",
        "group_bot_removed",
    ]
    assert said[1][1] == {"group": "Hub <chat>", "audience": "hub:nw_hub_1"}
    assert said[2][1]["audience"] == "everyone"


async def test_erasing_a_coordinator_keeps_the_link_without_their_id(services: Services) -> None:
    groups = services.group_chats
    await _member(services, CASEY)
    await groups.link(CASEY, GROUP, "Chat", "group", "hub", "nw_hub_1", None)
    await erase_person(services.db, CASEY)
    group = await groups.get(GROUP)
    assert (group.state, group.linked_by) == (LINKED, None)
