"""Group chats under load: a meeting notice for each of the forum's 10 hubs, to its 200 members
(2,000 in all, in private) and to its linked hub group, while one group is also given 25 more
posts at once; through the real bot and an emulator process enforcing Telegram's limits (30 a
second overall, 20 a minute per group).

Reports ``group_over_limit`` (429s Telegram gave for a group: 0 when the engine paces groups),
``group_posts_duplicated`` (posts a group got more than once: 0), ``group_posts_lost``, the
members reached, and how long the group with 25 more posts took (at 20 a minute, at least
72 s: the pace is Telegram's, not ours)."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from datetime import timedelta

from bot.delivery import Audience
from bot.delivery.outbox import outbox
from bot.services.meetings.rules import MeetingDraft
from storage.members import MemberRepository
from storage.roles import COORDINATOR, RoleRepository

FIRST_MEMBER = 830_000_001
LINKER = 829_999_999  # the coordinator who links the groups
FIRST_GROUP = -1_000_000_000_100  # supergroup ids, one per hub
EXTRA_POSTS = 25  # more posts for the first group, queued at once
ROUND_TIMEOUT = 300.0


def hubs_of(app) -> list[tuple[str, str]]:
    """Every hub in the forum file: (region id, hub id)."""
    forum = app.bot_data["services"].forum
    return [(region.id, hub.id) for region in forum.regions for hub in region.hubs]


def hub_members(app) -> dict[str, list[int]]:
    """The members of each hub: BENCH_GROUP_MEMBERS (default 2,000) shared out."""
    hubs = hubs_of(app)
    per_hub = int(os.environ.get("BENCH_GROUP_MEMBERS", "2000")) // len(hubs)
    return {
        hub: list(range(FIRST_MEMBER + index * per_hub, FIRST_MEMBER + (index + 1) * per_hub))
        for index, (_region, hub) in enumerate(hubs)
    }


async def add_hub_members(emu, app, token: str) -> None:
    """Before the bot polls: every member started in the emulator and placed in their hub."""
    services = app.bot_data["services"]
    members = MemberRepository(services.db)
    regions = {hub: region for region, hub in hubs_of(app)}
    for hub, ids in hub_members(app).items():
        await emu.add_started_users(ids, token)
        for member_id in ids:
            await members.add(member_id, "Member", services.clock.now())
            await members.set_place(member_id, regions[hub], hub, services.clock.now())
            await members.mark_setup_done(member_id, services.clock.now())


async def run_group_posts(emu, app) -> dict:
    """Add and link the hub groups, queue the notices, wait for every send, count."""
    services = app.bot_data["services"]
    hubs = hubs_of(app)
    people = [member for ids in hub_members(app).values() for member in ids]
    await emu.control("POST", "/users", {"user_id": LINKER, "first_name": "Casey"})
    await RoleRepository(services.db).grant(LINKER, COORDINATOR, None, services.clock.now())
    groups = {}
    for index, (_region, hub) in enumerate(hubs):
        chat_id = FIRST_GROUP - index
        body = {"action": "add", "by_user": LINKER, "title": f"{hub} chat", "supergroup": True}
        await emu.control("POST", f"/groups/{chat_id}/bot", body)
        groups[chat_id] = hub
    await _until_known(services, groups)
    for chat_id, hub in groups.items():
        title = f"{hub} chat"
        await services.group_chats.link(LINKER, chat_id, title, "supergroup", "hub", hub, None)
    await emu.control("POST", "/limits", {"enabled": True, "global_per_second": 30})
    log_start = len(await emu.control("GET", "/requests"))
    started = time.monotonic()
    starts = services.clock.now() + timedelta(days=7)
    for _region, hub in hubs:
        draft = MeetingDraft(
            f"Hub meeting {hub}", starts, 60, Audience("hub", hub), place="The hub"
        )
        await services.meetings.create(LINKER, draft)
    busy = next(iter(groups))
    async with outbox(services.delivery.broadcasts, services.delivery) as box:
        for number in range(EXTRA_POSTS):
            await box.post_to_groups(
                "bench_group_post", "hub", groups[busy], f"Bench post {number}", "join"
            )
    expected = len(people) + len(groups) + EXTRA_POSTS
    await _until_settled(services, expected)
    seconds = time.monotonic() - started
    log = (await emu.control("GET", "/requests"))[log_start:]
    texts = await emu.bot_texts()
    posts = ("New meeting", "Bench post")  # not the "hello" each group got when added
    group_texts = Counter(
        (m["chat_id"], m["text"])
        for m in texts
        if m["chat_id"] < 0 and (m.get("text") or "").startswith(posts)
    )
    member_chats = {m["chat_id"] for m in texts if m["chat_id"] > 0}
    busy_times = [r["time"] for r in log if r["chat_id"] == busy and r["status"] == 200]
    return {
        "group_hubs": len(groups),
        "group_members": len(people),
        "group_members_reached": len(member_chats & set(people)),
        "group_posts_expected": len(groups) + EXTRA_POSTS,
        "group_posts_delivered": sum(1 for key in group_texts),
        "group_posts_duplicated": sum(count - 1 for count in group_texts.values()),
        "group_posts_lost": len(groups) + EXTRA_POSTS - len(group_texts),
        "group_over_limit": sum(1 for r in log if (r["chat_id"] or 0) < 0 and r["status"] == 429),
        "group_busiest_posts": len(busy_times),
        "group_busiest_seconds": round(max(busy_times) - min(busy_times), 1) if busy_times else 0,
        "group_all_seconds": round(seconds, 1),
    }


async def _until_known(services, groups: dict[int, str]) -> None:
    """Wait until the bot has read each group's "added" update."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        known = [await services.group_chats.get(chat_id) for chat_id in groups]
        if all(group is not None for group in known):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("the bot never saw it was added to the groups")


async def _until_settled(services, expected: int) -> None:
    """Wait until every delivery row has ended (sent, failed, uncertain or cancelled)."""
    deadline = time.monotonic() + ROUND_TIMEOUT
    while time.monotonic() < deadline:
        pending = await services.db.fetch_value(
            "SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'sending')"
        )
        total = await services.db.fetch_value("SELECT COUNT(*) FROM deliveries")
        if pending == 0 and total >= expected:
            return
        await asyncio.sleep(0.5)
    raise TimeoutError("the sends did not finish in time")
