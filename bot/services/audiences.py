"""Audiences as coordinators choose them: a place the forum file does not know (a forged or
stale button) is refused as InvalidChoice, the same way for every service."""

from __future__ import annotations

from bot.delivery import Audience, AudienceResolver
from bot.delivery.audience import UnknownPlace
from bot.services.errors import InvalidChoice


def check_audience(audiences: AudienceResolver, audience: Audience) -> None:
    """Refuse an audience whose region or hub is not in the forum file."""
    try:
        audiences.check(audience)
    except UnknownPlace:
        raise InvalidChoice from None


async def audience_count(
    audiences: AudienceResolver, audience: Audience, preference: str | None = None
) -> int:
    """How many people the audience reaches now; with ``preference``, only those who chose
    that kind of message (instead of the audience's own)."""
    if preference is not None:
        audience = Audience(audience.scope, audience.place_id, preference)
    try:
        return await audiences.count(audience)
    except UnknownPlace:
        raise InvalidChoice from None


async def audience_recipients(audiences: AudienceResolver, audience: Audience) -> list[int]:
    """Who the audience reaches now, or InvalidChoice for an unknown place."""
    try:
        return await audiences.recipients(audience)
    except UnknownPlace:
        raise InvalidChoice from None
