"""How opportunities' audit entries read back (`bot/services/audit_details.py` and
`bot/services/audit_lines.py` take these): each detail names the opportunity as
``opportunity <id>``, read as the fact ``opportunity`` (its title is looked up for /audit), with
the kind, audience, counts or outcome where there are some."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.services.opportunities.closing import CLOSED_ON_TIME

OPPORTUNITY_ACTIONS = (
    "opportunity.created",
    "opportunity.interest",
    "opportunity.withdrawn",
    "opportunity.people",
    "opportunity.chosen",
    "opportunity.outcome",
    "opportunity.closed",
    "opportunity.cancelled",
)
BY_THE_BOT = ("opportunity_closed",)  # the sweep closed it on its closing date
NO_ONE_ACTED_ON = (  # every sentence but the outcome's, which names the person
    "opportunity_created",
    "opportunity_interest",
    "opportunity_withdrawn",
    "opportunity_people",
    "opportunity_chosen",
    "opportunity_closed",
    "opportunity_closed_early",
    "opportunity_cancelled",
)

_Parser = Callable[[re.Match[str]], tuple[str, dict[str, object]]]


def _plain(what: str) -> tuple[re.Pattern[str], _Parser]:
    """A detail holding only the opportunity."""
    return re.compile(r"^opportunity (\d+)$"), lambda m: (what, {"opportunity": int(m[1])})


def _closed(m: re.Match[str]) -> tuple[str, dict[str, object]]:
    """Closed by the sweep on its closing date (with who was waiting), or early by hand."""
    if m[2] is None:
        return "opportunity_closed_early", {"opportunity": int(m[1])}
    return "opportunity_closed", {"opportunity": int(m[1]), "count": int(m[2])}


OPPORTUNITY_DETAILS: dict[str, tuple[re.Pattern[str], _Parser]] = {
    "opportunity.created": (
        re.compile(r"^opportunity (\d+) \((\w+)\) for (\S+), (\d+) told$"),
        lambda m: (
            "opportunity_created",
            {
                "opportunity": int(m[1]),
                "opportunity_kind": m[2],
                "audience": m[3],
                "count": int(m[4]),
            },
        ),
    ),
    "opportunity.interest": _plain("opportunity_interest"),
    "opportunity.withdrawn": _plain("opportunity_withdrawn"),
    "opportunity.people": _plain("opportunity_people"),
    "opportunity.chosen": (
        re.compile(r"^opportunity (\d+): (\d+) chosen, (\d+) not this time$"),
        lambda m: (
            "opportunity_chosen",
            {"opportunity": int(m[1]), "chosen": int(m[2]), "count": int(m[3])},
        ),
    ),
    "opportunity.outcome": (
        re.compile(r"^opportunity (\d+): (took_part|completed|did_not_go_ahead)$"),
        lambda m: ("opportunity_outcome", {"opportunity": int(m[1]), "outcome": m[2]}),
    ),
    "opportunity.closed": (
        re.compile(rf"^opportunity (\d+)(?:: {CLOSED_ON_TIME}, (\d+) waiting, \d+ chosen)?$"),
        _closed,
    ),
    "opportunity.cancelled": _plain("opportunity_cancelled"),
}
