"""Who a broadcast reaches: members who chose the kind, are not paused and can be reached."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import Clock
from bot.delivery import Audience, AudienceResolver
from bot.delivery.audience import EVERYONE, HUB, REGION, UnknownPlace
from bot.forum import load_forum
from config.settings import CONFIG_DIR
from storage.audience import AudienceRepository
from storage.db import Database
from storage.members import MemberRepository

NOW = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)


@pytest.fixture
async def resolver(db: Database) -> AudienceResolver:
    """Members in two hubs and a region, in every state, and the resolver over them."""
    repo = MemberRepository(db)

    async def member(member_id: int, region: str | None, hub: str | None) -> None:
        """A member in a place."""
        await repo.add(member_id, f"M{member_id}", NOW)
        await repo.set_place(member_id, region, hub, NOW)

    await member(1, "north_west", "nw_hub_1")
    await member(2, "north_west", "nw_hub_1")
    await member(3, "north_west", "nw_hub_2")
    await member(4, "north_west", None)
    await member(5, "midlands", "mid_hub_1")
    await member(6, None, None)  # national only
    await member(7, "north_west", "nw_hub_1")  # paused
    await repo.set_pause(7, NOW + timedelta(days=14), NOW)
    await member(8, "north_west", "nw_hub_1")  # pause over
    await repo.set_pause(8, NOW - timedelta(minutes=1), NOW)
    await member(9, "north_west", "nw_hub_1")  # no news
    await repo.set_preference(9, "news", False, NOW)
    await member(10, "north_west", "nw_hub_1")  # blocked the bot
    await repo.set_reachable(10, False, NOW)
    forum = load_forum(CONFIG_DIR / "forum.yaml")
    return AudienceResolver(AudienceRepository(db), forum, Clock(NOW))


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        (Audience(EVERYONE), [1, 2, 3, 4, 5, 6, 8]),
        (Audience(REGION, "north_west"), [1, 2, 3, 4, 8]),
        (Audience(HUB, "nw_hub_1"), [1, 2, 8]),
        (Audience(HUB, "nw_hub_1", preference=None), [1, 2, 8, 9]),
        (Audience(REGION, "south_west"), []),
    ],
)
async def test_audiences_leave_out_paused_opted_out_and_unreachable_members(
    resolver: AudienceResolver, audience: Audience, expected: list[int]
) -> None:
    assert sorted(await resolver.recipients(audience)) == expected
    assert await resolver.count(audience) == len(expected)


async def test_unknown_places_and_bad_audiences_are_refused(resolver: AudienceResolver) -> None:
    with pytest.raises(UnknownPlace):
        await resolver.count(Audience(REGION, "atlantis"))
    with pytest.raises(UnknownPlace):
        await resolver.recipients(Audience(HUB, "north_west"))  # a region is not a hub
    with pytest.raises(ValueError):
        Audience(EVERYONE, "north_west")
    with pytest.raises(ValueError):
        Audience(REGION)
    with pytest.raises(ValueError):
        Audience("galaxy")
    assert Audience(HUB, "nw_hub_1").label == "hub:nw_hub_1"
