"""The one reader of typed times: a future local time within its limits, or one refusal of
the ``TimeRefused`` family that names the catalogue text explaining it (bot/timeparse.py
is the parser)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.services.errors import ServiceError
from bot.timeparse import (
    TimeAmbiguous,
    TimeDoesNotExist,
    TimeNotUnderstood,
    parse_local_time,
    parse_unambiguous_time,
)


@dataclass(frozen=True)
class TimeLimits:
    """What a typed time may be: at most ``max_days`` ahead; ``refuse_twice``: a clock time
    that happens twice (clocks go back) is refused rather than read as the first; ``texts``:
    the catalogue section whose ``time_*`` keys explain each refusal."""

    max_days: int
    texts: str
    refuse_twice: bool = True


class TimeRefused(ServiceError):
    """A typed time that cannot be used; ``reason`` is ``<texts>.time_<kind>``."""

    kind = "unclear"

    def __init__(self, texts: str) -> None:
        super().__init__(self.kind)
        self.reason = f"{texts}.time_{self.kind}"


class TimeUnclear(TimeRefused):
    """The typed date and time could not be read."""

    kind = "unclear"


class TimeSkipped(TimeRefused):
    """The typed time does not exist: the clocks go forward then."""

    kind = "skipped"


class TimeTwice(TimeRefused):
    """The typed time happens twice: the clocks go back then."""

    kind = "twice"


class TimePassed(TimeRefused):
    """The typed time is already past."""

    kind = "passed"


class TimeTooFar(TimeRefused):
    """The typed time is further ahead than the limits allow."""

    kind = "too_far"


def read_future_time(text: str, now: datetime, zone: ZoneInfo, limits: TimeLimits) -> datetime:
    """A typed local date and time (day before month) as UTC, in the future and within
    ``limits``; each kind of problem raises its own ``TimeRefused``."""
    parse = parse_unambiguous_time if limits.refuse_twice else parse_local_time
    try:
        moment = parse(text, now, zone)
    except TimeDoesNotExist:
        raise TimeSkipped(limits.texts) from None
    except TimeAmbiguous:
        raise TimeTwice(limits.texts) from None
    except TimeNotUnderstood:
        raise TimeUnclear(limits.texts) from None
    if moment <= now:
        raise TimePassed(limits.texts)
    if moment > now + timedelta(days=limits.max_days):
        raise TimeTooFar(limits.texts)
    return moment
