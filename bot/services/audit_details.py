"""Each audit entry's stored detail read back: which sentence it needs and the facts it holds
(ids, counts, a role, an audience label, a time). Anything unknown or changed since is "other"."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from bot.services.consultations.messages import KINDS_BY_ANSWER
from bot.services.feedback.audit import FEEDBACK_DETAILS
from bot.services.opportunities.audit import OPPORTUNITY_DETAILS
from bot.services.series.audit import SERIES_DETAILS
from storage.audit import AuditEntry
from storage.roles import COORDINATOR, DECISION_MAKER, READER

AUDIT_READ = "audit.read"

_Parser = Callable[[re.Match[str]], tuple[str, dict[str, object]]]


def _when(text: str | None) -> datetime | None:
    """An ISO time from a detail, or None."""
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _role(entry: AuditEntry) -> tuple[str, dict[str, object]]:
    """role.granted / role.revoked: the role, and whether settings gave it."""
    role, _, why = entry.detail.partition(" ")
    if role not in (COORDINATOR, DECISION_MAKER, READER):
        return "other", {}
    if entry.action == "role.revoked":
        return "role_revoked", {"role": role}
    if why == "(settings)" and entry.actor_id is None:
        return "role_from_settings", {"role": role}
    return "role_granted", {"role": role}


def _scheduled(action: str, name: str) -> dict[str, tuple[re.Pattern[str], _Parser]]:
    """Creating, cancelling and closing a consultation or a survey (``action``), whose details
    read alike: the sentences start with ``name``, which also names the id among the facts."""
    return {
        f"{action}.created": (
            re.compile(rf"{action} (\d+) for (\S+), closes (\S+)$"),
            lambda m: (
                f"{name}_created",
                {name: int(m[1]), "audience": m[2], "time": _when(m[3])},
            ),
        ),
        f"{action}.cancelled": (
            re.compile(rf"{action} (\d+), (\d+) told$"),
            lambda m: (f"{name}_cancelled", {name: int(m[1]), "count": int(m[2])}),
        ),
        f"{action}.closed": (
            re.compile(rf"{action} (\d+): (.*)$"),
            lambda m: (
                f"{name}_closed" if m[2] == "deadline" else f"{name}_closed_early",
                {name: int(m[1])},
            ),
        ),
    }


def _one_id(what: str, name: str) -> _Parser:
    """A detail holding one id (its pattern's first group): the sentence and that id."""
    return lambda m: (what, {name: int(m[1])})


DETAILS: dict[str, tuple[re.Pattern[str], _Parser]] = {
    "broadcast.created": (
        re.compile(r"broadcast (\d+) to (\S+), (\d+) people(, urgent)?(?:, from (\S+))?$"),
        lambda m: (
            "message_planned" if m[5] else "message_sent",
            {
                "broadcast": int(m[1]),
                "audience": m[2],
                "count": int(m[3]),
                "urgent": bool(m[4]),
                "time": _when(m[5]),
            },
        ),
    ),
    "broadcast.cancelled": (
        re.compile(r"broadcast (\d+), (\d+) not sent$"),
        lambda m: ("message_stopped", {"broadcast": int(m[1]), "count": int(m[2])}),
    ),
    "delivery.finished": (
        re.compile(
            r"(\S+) (\d+) \S+: (\d+) delivered, (\d+) blocked, (\d+) failed, (\d+) uncertain, "
            r"(\d+) cancelled, (\d+) skipped$"
        ),
        lambda m: (
            ("delivery_finished_by_answer", {"broadcast": int(m[2]), "coordinators": False})
            if m[1] in KINDS_BY_ANSWER  # its numbers would say how many answered
            else (
                "delivery_finished",
                {
                    "broadcast": int(m[2]),
                    "coordinators": m[1] == "broadcast",  # a coordinator's message, or a notice
                    "delivered": int(m[3]),
                    "total": sum(int(n) for n in m.groups()[2:]),
                },
            )
        ),
    ),
    "meeting.created": (
        re.compile(r"meeting (\d+) for (\S+), (\d+) invited"),
        lambda m: (
            "meeting_created",
            {"meeting": int(m[1]), "audience": m[2], "count": int(m[3])},
        ),
    ),
    "retention.applied": (
        re.compile(
            r"asked (\d+), removed (\d+), contact notes (\d+), broadcasts (\d+), "
            r"audit entries (\d+)$"
        ),
        lambda m: (
            "retention_applied",
            {
                "asked": int(m[1]),
                "removed": int(m[2]),
                "requests": int(m[3]),
                "broadcasts": int(m[4]),
                "entries": int(m[5]),
            },
        ),
    ),
    "meeting.changed": (re.compile(r"meeting (\d+)$"), _one_id("meeting_changed", "meeting")),
    "meeting.cancelled": (re.compile(r"meeting (\d+)$"), _one_id("meeting_cancelled", "meeting")),
    "meeting.series_stopped": (
        re.compile(r"series (\d+)$"),
        _one_id("meeting_series_stopped", "series"),
    ),
    "meeting.attendance": (
        re.compile(r"meeting (\d+): (\d+) came$"),
        lambda m: ("attendance_saved", {"meeting": int(m[1]), "count": int(m[2])}),
    ),
    "meeting.answered": (
        re.compile(r"meeting (\d+): (going|maybe|no)$"),
        lambda m: ("meeting_answered", {"meeting": int(m[1]), "answer": m[2]}),
    ),
    "attendance.report": (
        re.compile(r"meeting (\d+)$|last (\d+) months$"),
        lambda m: (
            ("attendance_meeting", {"meeting": int(m[1])})
            if m[1]
            else ("attendance_period", {"months": int(m[2])})
        ),
    ),
    "contact.claimed": (re.compile(r"request (\d+)$"), _one_id("request_taken", "id")),
    "contact.handled": (re.compile(r"request (\d+)$"), _one_id("request_done", "id")),
    "consultation.extended": (
        re.compile(r"consultation (\d+) now closes (\S+)$"),
        lambda m: ("question_extended", {"question": int(m[1]), "time": _when(m[2])}),
    ),
    "consultation.followup": (
        re.compile(r"consultation (\d+)$"),
        _one_id("question_followup", "question"),
    ),
    "consultation.refused": (
        re.compile(r"consultation (\d+): \w+$"),
        _one_id("question_refused", "question"),
    ),
    "broadcast.resent": (
        re.compile(r"broadcast (\d+) again as \d+, (\d+) not sure$"),
        lambda m: ("message_resent", {"broadcast": int(m[1]), "count": int(m[2])}),
    ),
    "invitation.made": (
        re.compile(r"^(coordinator|decision_maker|reader), link \d+$"),
        lambda m: ("invitation_made", {"role": m[1]}),
    ),
    "invitation.used": (
        re.compile(r"^(coordinator|decision_maker|reader), link \d+"),
        lambda m: ("invitation_used", {"role": m[1]}),
    ),
    "contribution.recorded": (
        re.compile(r"contribution \d+: (\w+)$"),
        lambda m: ("contribution_recorded", {"contribution": m[1]}),
    ),
    "members.listed": (
        re.compile(r"hub (\S+)$"),
        lambda m: ("members_listed", {"hub": m[1]}),
    ),
    **_scheduled("consultation", "question"),
    **_scheduled("survey", "survey"),
    **SERIES_DETAILS,
    **FEEDBACK_DETAILS,
    **OPPORTUNITY_DETAILS,
}
# A group chat's changes (bot/services/group_chats): "group <id>[ to <audience>]: <title>".
_GROUP = re.compile(r"^group -?\d+(?: to (\S+))?: (.*)$", re.DOTALL)
GROUP_ACTIONS = (
    "linked",
    "relinked",
    "unlinked",
    "bot_added",
    "bot_removed",
    "bot_admin",
    "bot_not_admin",
    "moved",
)


def _group_change(what: str) -> _Parser:
    """A group change's sentence, with the group's title and where it is linked to."""
    return lambda m: (what, {"group": m[2], **({"audience": m[1]} if m[1] else {})})


DETAILS.update({f"group.{a}": (_GROUP, _group_change(f"group_{a}")) for a in GROUP_ACTIONS})

_SIMPLE = {
    "members.report": "members_report",
    "progression.report": "progression_report",
    "member.erased": "member_left",
}


def parse_entry(entry: AuditEntry) -> tuple[str, dict[str, object]]:
    """The sentence an entry needs and the facts its detail holds; anything unknown or
    changed since is 'other', shown with its action and detail as stored."""
    if entry.action in ("role.granted", "role.revoked"):
        what, facts = _role(entry)
    elif entry.action in _SIMPLE:
        what, facts = _SIMPLE[entry.action], {}
    elif entry.action == "refused":
        what, facts = "refused", {"what": entry.detail}
    elif entry.action == AUDIT_READ:
        what, facts = ("audit_read_about" if entry.target_id else "audit_read"), {}
    elif entry.action in DETAILS:
        pattern, parser = DETAILS[entry.action]
        match = pattern.search(entry.detail)
        what, facts = parser(match) if match else ("other", {})
    else:
        what, facts = "other", {}
    if what == "other":
        facts = {"action": entry.action, "detail": entry.detail}
    return what, facts
