"""Audiences: everyone, a region or a hub, narrowed to members who chose that kind of message."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.forum import Forum
from storage.audience import AudienceRepository

EVERYONE, REGION, HUB = "everyone", "region", "hub"
SCOPES = (EVERYONE, REGION, HUB)


class UnknownPlace(ValueError):
    """An audience names a region or hub that is not in the forum file."""


@dataclass(frozen=True)
class Audience:
    """Who a message is for: a scope (everyone, region, hub), its place id, and a preference."""

    scope: str
    place_id: str | None = None
    preference: str | None = "news"

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError(f"unknown audience scope {self.scope!r}")
        if (self.scope == EVERYONE) != (self.place_id is None):
            raise ValueError("a region or hub audience needs a place, and everyone needs none")

    @property
    def label(self) -> str:
        """A short stored description, like 'region:north_west'."""
        return self.scope if self.place_id is None else f"{self.scope}:{self.place_id}"


@dataclass(eq=False)
class AudienceResolver:
    """Turns an audience into the Telegram ids of the members who should receive it."""

    repository: AudienceRepository
    forum: Forum
    clock: Clock

    def check(self, audience: Audience) -> None:
        """Raise UnknownPlace if the region or hub does not exist."""
        if audience.scope == REGION and self.forum.region(audience.place_id) is None:
            raise UnknownPlace(audience.place_id)
        if audience.scope == HUB and self.forum.hub(audience.place_id) is None:
            raise UnknownPlace(audience.place_id)

    def _filters(self, audience: Audience) -> dict[str, str | None]:
        """The place filters for the repository."""
        self.check(audience)
        return {
            "region_id": audience.place_id if audience.scope == REGION else None,
            "hub_id": audience.place_id if audience.scope == HUB else None,
        }

    async def recipients(self, audience: Audience) -> list[int]:
        """Members in the audience now: chose the kind, not paused, reachable."""
        return await self.repository.recipients(
            audience.preference, self.clock.now(), **self._filters(audience)
        )

    async def count(self, audience: Audience) -> int:
        """How many members the audience has now."""
        return await self.repository.count(
            audience.preference, self.clock.now(), **self._filters(audience)
        )
