"""/mydata's part for contributions noted for a member: the file's entries and the lines in
words."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.services.members import iso_time
from bot.services.registry import Services
from bot.texts import Texts
from handlers.progression.messages import day_words


async def contribution_data(services: Services, member_id: int) -> list[dict[str, Any]]:
    """Each contribution noted for the member: kind, their words, the day, when noted (UTC)."""
    zone = services.settings.zone
    return [
        {
            "kind": item.kind,
            "detail": item.detail,
            "day": item.happened_on.astimezone(zone).date().isoformat(),
            "noted_at": iso_time(item.recorded_at),
        }
        for item in await services.progression.contributions_of(member_id)
    ]


def contribution_lines(texts: Texts, items: list[dict[str, Any]]) -> list[str]:
    """How many, then each one by day and words; nothing when there are none."""
    if not items:
        return []
    lines = [texts.get("progression.mydata_contributions", count=len(items))]
    lines += [
        texts.get(
            "progression.mydata_contribution",
            day=day_words(date.fromisoformat(item["day"])),
            detail=item["detail"],
        )
        for item in items
    ]
    return lines
