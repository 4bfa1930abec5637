"""The crisis safety net: spot risk in free text and count replies, storing nothing else."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.crisis import CrisisMatch, CrisisMatcher
from storage.stats import StatsRepository


class SafetyNet:
    """Checks text for risk; keeps only an anonymous daily count of crisis replies."""

    def __init__(
        self, matcher: CrisisMatcher, stats: StatsRepository, clock: Clock, zone: ZoneInfo
    ) -> None:
        self._matcher = matcher
        self._stats = stats
        self._clock = clock
        self._zone = zone

    def check(self, text: str) -> CrisisMatch | None:
        """Whether the text shows someone may be at risk (pure, instant)."""
        return self._matcher.match(text)

    async def count_reply(self) -> None:
        """Add one to today's count of crisis replies (the forum's local day)."""
        today = self._clock.now().astimezone(self._zone).date()
        await self._stats.count_crisis_reply(today.isoformat())

    async def replies_on(self, day: str) -> int:
        """How many crisis replies went out on a local day (YYYY-MM-DD)."""
        return await self._stats.crisis_replies(day)
