"""How a series' audit entries read back (`bot/services/audit_details.py` takes these): each
detail names the series as ``series <id>``, read as the fact ``repeat`` (its title is looked up
for /audit), with the time of the next round or the round's number where there is one."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

SERIES_ACTIONS = (
    "series.created",
    "series.paused",
    "series.resumed",
    "series.stopped",
    "series.changed",
    "series.readers",
    "series.round",
)
SENTENCES = tuple(action.replace(".", "_") for action in SERIES_ACTIONS)

_Parser = Callable[[re.Match[str]], tuple[str, dict[str, object]]]


def _when(text: str) -> datetime | None:
    """An ISO time from a detail, or None."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _plain(what: str) -> tuple[re.Pattern[str], _Parser]:
    """A detail holding only the series."""
    return re.compile(r"^series (\d+)$"), lambda m: (what, {"repeat": int(m[1])})


SERIES_DETAILS: dict[str, tuple[re.Pattern[str], _Parser]] = {
    "series.created": (
        re.compile(r"^series (\d+): \w+, next (\S+)$"),
        lambda m: ("series_created", {"repeat": int(m[1]), "time": _when(m[2])}),
    ),
    "series.paused": _plain("series_paused"),
    "series.resumed": _plain("series_resumed"),
    "series.stopped": _plain("series_stopped"),
    "series.changed": (
        re.compile(r"^series (\d+), next (\S+)$"),
        lambda m: ("series_changed", {"repeat": int(m[1]), "time": _when(m[2])}),
    ),
    "series.readers": (
        re.compile(r"^series (\d+), (\d+) decision-makers$"),
        lambda m: ("series_readers", {"repeat": int(m[1]), "count": int(m[2])}),
    ),
    "series.round": (
        re.compile(r"^series (\d+) round (\d+): \w+ \d+$"),
        lambda m: ("series_round", {"repeat": int(m[1]), "round": int(m[2])}),
    ),
}
