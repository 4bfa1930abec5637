"""How handlers write counts, times, lengths of time and audiences for people to read."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.localtime import local_datetime
from bot.services.registry import Services


def number(value: int) -> str:
    """A count with thousands separators, like 1,200."""
    return f"{value:,}"


def audience_words(services: Services, label: str) -> str:
    """A stored audience label ('region:north_west') in words ('North West')."""
    texts = services.texts
    scope, _, place = label.partition(":")
    if scope == "everyone":
        return texts.plain("broadcast.audience_everyone")
    if scope == "region" and services.forum.region_name(place):
        return texts.plain("broadcast.audience_region", region=services.forum.region_name(place))
    if scope == "hub" and services.forum.hub_name(place):
        return texts.plain("broadcast.audience_hub", hub=services.forum.hub_name(place))
    if scope == "group":  # a post to a linked group chat (bot/delivery/group_posts.py)
        return texts.plain("group_chats.audience_group")
    return texts.plain("broadcast.audience_other")


def local_time(services: Services, moment: datetime) -> str:
    """A UTC moment in the forum's local time, in words."""
    return local_datetime(moment, services.settings.zone)


def duration_words(services: Services, span: timedelta) -> str:
    """A length of time like '3 minutes 20 seconds'."""
    texts = services.texts
    seconds = max(0, round(span.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = []
    for value, unit in ((hours, "hour"), (minutes, "minute"), (seconds, "second")):
        if value or (unit == "second" and not parts):
            suffix = "one" if value == 1 else "many"
            parts.append(texts.plain(f"broadcast.time_{unit}_{suffix}", n=value))
    return " ".join(parts)
