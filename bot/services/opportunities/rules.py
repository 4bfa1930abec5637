"""Opportunities' rules: the kinds (with who hears about each by default), limits on what a
coordinator types, the draft a conversation fills, the closing date, and the refusals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.delivery import Audience
from bot.services.errors import ServiceError
from bot.services.times import TimeLimits, TimeUnclear, read_future_time
from storage.opportunities import OpportunityWords

# The kinds, in the order they are shown everywhere (their names: opportunities.kinds.<kind>).
KINDS = ("volunteering", "mentoring", "training", "paid", "job", "speaking", "research")
# The forum's own activities: members hear about them unless they turn them off; the other
# kinds only once they turn them on (no row in member_opportunity_kinds: this default).
ON_BY_DEFAULT = frozenset({"paid", "speaking", "research"})
OUTCOMES = ("took_part", "completed", "did_not_go_ahead")
INTERESTED, WITHDRAWN, CHOSEN, NOT_CHOSEN = "interested", "withdrawn", "chosen", "not_chosen"
OPEN, CLOSED, ENDED, CANCELLED = "open", "closed", "ended", "cancelled"

MAX_TITLE = 100
MAX_INVOLVES = 800
MAX_GIVES = 400
MAX_TIME = 100
MAX_PLACE = 200
MAX_NOTE = 300
MAX_PLACES = 500
MAX_DAYS_AHEAD = 365
TEXTS = "opportunities"  # its refusals of typed dates: opportunities.time_<kind>
LIMITS = TimeLimits(MAX_DAYS_AHEAD, TEXTS, refuse_twice=False)
END_OF_DAY = "23:59"


def wanted_by_default(kind: str) -> bool:
    """Whether a member hears about this kind when they have not chosen."""
    return kind in ON_BY_DEFAULT


@dataclass(frozen=True)
class OpportunityDraft(OpportunityWords):
    """What a coordinator set up, checked again by the service before it is stored."""

    closes_at: datetime
    places: int | None
    audience: Audience
    paid: bool


class OpportunityInvalid(ServiceError):
    """A draft that is missing something or out of range (a forged or stale step)."""

    reason = "opportunities.invalid"


class OpportunityGone(ServiceError):
    """No such opportunity, or one the person may not see."""

    reason = "opportunities.gone"


class OpportunityClosed(ServiceError):
    """Too late to say "I'm interested": it closed, was cancelled or its places are filled."""

    reason = "opportunities.closed_now"


class OpportunityFull(ServiceError):
    """Every place is filled and the people chosen."""

    reason = "opportunities.full_now"


class NoteTooLong(ServiceError):
    """A note longer than MAX_NOTE."""

    reason = "opportunities.note_too_long"


class NothingToTell(ServiceError):
    """ "Tell them" with nobody chosen or turned down who is still waiting to hear."""

    reason = "opportunities.nothing_to_tell"


class TooManyChosen(ServiceError):
    """More people chosen than there are places."""

    reason = "opportunities.too_many_chosen"


def check_draft(draft: OpportunityDraft, now: datetime) -> None:
    """Refuse a draft missing something or out of range (a forged or stale step); the
    service checks its audience against the forum too."""
    texts = (
        (draft.title, MAX_TITLE),
        (draft.involves, MAX_INVOLVES),
        (draft.gives, MAX_GIVES),
        (draft.time_needed, MAX_TIME),
        (draft.place, MAX_PLACE),
    )
    if draft.kind not in KINDS or any(not t.strip() or len(t) > most for t, most in texts):
        raise OpportunityInvalid
    if draft.closes_at <= now or draft.closes_at > now + timedelta(days=MAX_DAYS_AHEAD + 1):
        raise OpportunityInvalid
    if draft.places is not None and not 1 <= draft.places <= MAX_PLACES:
        raise OpportunityInvalid
    if draft.kind == "paid" and not draft.paid:
        raise OpportunityInvalid


def read_closing(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """A typed closing date (a time of day is optional: the end of that day), in the future
    and within a year; a ``TimeRefused`` says what is wrong."""
    try:
        return read_future_time(text, now, zone, LIMITS)
    except TimeUnclear:
        if len(text) > 40:
            raise
        return read_future_time(f"{text} {END_OF_DAY}", now, zone, LIMITS)


def end_of_day(now: datetime, days: int, zone: ZoneInfo) -> datetime:
    """23:59 local time ``days`` days after today (local), as UTC."""
    local = (now.astimezone(zone) + timedelta(days=days)).date()
    return datetime(local.year, local.month, local.day, 23, 59, tzinfo=zone).astimezone(now.tzinfo)
