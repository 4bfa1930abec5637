"""What a consultation may hold: the limits, the coordinator's draft, and the checks on
what people type."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.delivery import Audience
from bot.services.consultations.errors import (
    CloseTooFar,
    CloseTooSoon,
    NoteInvalid,
    OptionInvalid,
    QuestionInvalid,
)
from bot.services.errors import ServiceError
from bot.services.times import TimeLimits
from storage.consultations import AFTER_CLOSE
from storage.roles import DECISION_MAKER, RoleRepository

MAX_QUESTION, MAX_OPTION, MAX_NOTE, MAX_COMMENT, MAX_FOLLOWUP = 300, 60, 500, 1000, 3000
MIN_OPTIONS, MAX_OPTIONS = 2, 10
MIN_OPEN = timedelta(minutes=10)  # the shortest time a consultation can be open
MAX_DAYS = 120  # how far ahead a closing time may be
# Typed opening and closing times: read as meetings' are (a year ahead, their words).
TIME_LIMITS = TimeLimits(max_days=400, texts="meetings")


@dataclass(frozen=True)
class ConsultationDraft:
    """A consultation a coordinator is setting up."""

    question: str
    options: tuple[str, ...]
    multiple: bool
    ask_comment: bool
    audience: Audience
    closes_at: datetime
    member_note: str
    opens_at: datetime | None = None  # None: now
    readers: tuple[int, ...] = ()
    show_results: str = AFTER_CLOSE


@dataclass(frozen=True)
class Reader:
    """A decision-maker who can be chosen to receive results."""

    telegram_id: int
    first_name: str | None


async def decision_makers(roles: RoleRepository) -> list[Reader]:
    """Everyone who holds the decision-maker role, with the first name the bot knows them by
    (the readers a coordinator may choose, for a consultation or a survey)."""
    return [Reader(who, name) for who, name in await roles.holders_named(DECISION_MAKER)]


def check_question(text: str) -> str:
    """The question tidied, or QuestionInvalid."""
    text = text.strip()
    if not text or len(text) > MAX_QUESTION:
        raise QuestionInvalid
    return text


def check_option(text: str, existing: Sequence[str]) -> str:
    """One answer tidied, or OptionInvalid (empty, too long for a button, or a repeat)."""
    text = " ".join(text.split())
    if not text or len(text) > MAX_OPTION:
        raise OptionInvalid
    if text.casefold() in {option.casefold() for option in existing}:
        raise OptionInvalid
    return text


def check_note(text: str) -> str:
    """The note members see, tidied, or NoteInvalid."""
    text = text.strip()
    if not text or len(text) > MAX_NOTE:
        raise NoteInvalid
    return text


def check_times(
    opens_at: datetime | None,
    closes_at: datetime,
    now: datetime,
    shortest: timedelta = MIN_OPEN,
    refusals: tuple[type[ServiceError], type[ServiceError]] = (CloseTooSoon, CloseTooFar),
) -> None:
    """Refuse a closing time too soon after opening (or now), or too far ahead (MAX_DAYS).
    Surveys use it too, with their own shortest time open and refusals (too soon, too far)."""
    too_soon, too_far = refusals
    start = max(opens_at or now, now)
    if closes_at < start + shortest:
        raise too_soon
    if closes_at > now + timedelta(days=MAX_DAYS):
        raise too_far
