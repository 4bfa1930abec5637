"""What a survey may be opened with: the limits, the coordinator's draft and the check on its
opening and closing times (consultations' own, with a survey's shortest time open)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.delivery import Audience
from bot.delivery.audience import EVERYONE, HUB, REGION
from bot.services.consultations.rules import check_times as consultation_times
from bot.services.surveys.definition import FORUM
from bot.services.surveys.definition import HUB as FILE_HUB
from bot.services.surveys.definition import REGION as FILE_REGION
from bot.services.surveys.errors import CloseTooFar, CloseTooSoon

MIN_OPEN = timedelta(hours=1)  # the shortest time a survey can be open (at most 120 days)
# The audience scope a survey file's audience kind is sent to.
SCOPE_OF = {FORUM: EVERYONE, FILE_REGION: REGION, FILE_HUB: HUB}
# Survey ids in progress kept in memory for their definitions (they never change once out).
KEPT_DEFINITIONS = 64


@dataclass(frozen=True)
class SurveyDraft:
    """A survey a coordinator is opening from a file in config/surveys/."""

    file_key: str  # the file's name without .yaml
    audience: Audience  # everyone for a forum survey; the region or hub chosen otherwise
    opens_at: datetime | None  # None: now
    closes_at: datetime
    readers: tuple[int, ...] = ()  # decision-makers who receive the results


def check_times(opens_at: datetime | None, closes_at: datetime, now: datetime) -> None:
    """Refuse a closing time too soon after opening (or now), or too far ahead: as
    consultations' check, with a survey's own shortest time open."""
    consultation_times(opens_at, closes_at, now, MIN_OPEN, (CloseTooSoon, CloseTooFar))
