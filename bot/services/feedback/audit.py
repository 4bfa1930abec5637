"""How a feedback survey's audit entry reads back (`bot/services/audit_details.py` and
`bot/services/audit_lines.py` take these): the bot opened a meeting's feedback survey for those
who came; the detail names the survey, the meeting (its title is looked up for /audit) and the
closing time."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

FEEDBACK_OPENED = "survey.feedback"  # the action the bot records when it opens one
FEEDBACK_ACTIONS = (FEEDBACK_OPENED,)
FEEDBACK_SENTENCES = ("feedback_opened",)

_Parser = Callable[[re.Match[str]], tuple[str, dict[str, object]]]


def detail(survey_id: int, meeting_id: int, closes_at: datetime) -> str:
    """The stored detail of an opening."""
    closes = closes_at.isoformat(timespec="minutes")
    return f"survey {survey_id} for meeting {meeting_id}, closes {closes}"


def _when(text: str) -> datetime | None:
    """An ISO time from a detail, or None."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


FEEDBACK_DETAILS: dict[str, tuple[re.Pattern[str], _Parser]] = {
    FEEDBACK_OPENED: (
        re.compile(r"^survey \d+ for meeting (\d+), closes (\S+)$"),
        lambda m: ("feedback_opened", {"meeting": int(m[1]), "time": _when(m[2])}),
    ),
}
