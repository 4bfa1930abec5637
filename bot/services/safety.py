"""The crisis safety net: spot risk in free text and count replies, storing nothing else."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.crisis import CrisisMatcher, Verdict
from storage.stats import StatsRepository


class SafetyNet:
    """Checks text for risk; keeps only an anonymous daily count of replies by tier and kind."""

    def __init__(
        self, matcher: CrisisMatcher, stats: StatsRepository, clock: Clock, zone: ZoneInfo
    ) -> None:
        self._matcher = matcher
        self._stats = stats
        self._clock = clock
        self._zone = zone

    def check(self, text: str) -> Verdict | None:
        """What risk the text shows, if any: the tier and kinds (pure; milliseconds)."""
        return self._matcher.check(text)

    async def assess(self, text: str) -> Verdict | None:
        """Like check, on a worker thread: reading a message's meaning takes milliseconds
        (bot/crisis/encoder.py), and nobody else's reply should wait for it."""
        return await asyncio.to_thread(self.check, text)

    async def count_reply(self, verdict: Verdict) -> None:
        """Add one to today's count of replies of this tier and kind (the forum's local day)."""
        today = self._clock.now().astimezone(self._zone).date()
        await self._stats.count_crisis_reply(today.isoformat(), verdict.tier, verdict.kind)

    async def replies_on(self, day: str) -> int:
        """How many crisis and concern replies went out on a local day (YYYY-MM-DD)."""
        return await self._stats.crisis_replies(day)

    async def counts_on(self, day: str) -> dict[tuple[str, str], int]:
        """A local day's replies by (tier, kind)."""
        return await self._stats.crisis_counts(day)
