"""The crisis safety net: spot risk in free text and count replies, storing nothing else."""

from __future__ import annotations

from bot.clock import Clock
from bot.crisis import CrisisMatch, CrisisMatcher
from storage.stats import StatsRepository


class SafetyNet:
    """Checks text for risk; keeps only an anonymous daily count of crisis replies."""

    def __init__(self, matcher: CrisisMatcher, stats: StatsRepository, clock: Clock) -> None:
        self._matcher = matcher
        self._stats = stats
        self._clock = clock

    def check(self, text: str) -> CrisisMatch | None:
        """Whether the text shows someone may be at risk (pure, instant)."""
        return self._matcher.match(text)

    async def count_reply(self) -> None:
        """Add one to today's count of crisis replies."""
        await self._stats.count_crisis_reply(self._clock.now().date().isoformat())

    async def replies_on(self, day: str) -> int:
        """How many crisis replies went out on a day (YYYY-MM-DD, UTC)."""
        return await self._stats.crisis_replies(day)
