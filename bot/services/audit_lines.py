"""The audit log read as facts for sentences: kinds, typed words, people, and each entry's facts."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.forum import Forum
from bot.services.consultations.messages import KINDS_BY_ANSWER
from storage.audit import AuditEntry, AuditRepository
from storage.roles import COORDINATOR, DECISION_MAKER

AUDIT_READ = "audit.read"

# Kinds of action to look at one at a time (buttons, and words typed after /audit).
AUDIT_KINDS: dict[str, tuple[str, ...]] = {
    "roles": ("role.granted", "role.revoked", "invitation.made", "invitation.used"),
    "messages": (
        "broadcast.created",
        "broadcast.cancelled",
        "broadcast.resent",
        "delivery.finished",
    ),
    "meetings": (
        "meeting.created",
        "meeting.changed",
        "meeting.cancelled",
        "meeting.series_stopped",
        "meeting.attendance",
        "meeting.answered",
        "attendance.report",
    ),
    "questions": (
        "consultation.created",
        "consultation.extended",
        "consultation.cancelled",
        "consultation.closed",
        "consultation.followup",
        "consultation.refused",
    ),
    "members": ("members.report", "members.listed", "member.erased", "retention.applied"),
    "requests": ("contact.claimed", "contact.handled"),
    "refused": ("refused", "consultation.refused"),
    "audit": (AUDIT_READ,),
}
# Words a coordinator may type for each kind (any case; a final s is optional).
KIND_WORDS = {
    "roles": "roles",
    "role": "roles",
    "grant": "roles",
    "grants": "roles",
    "granted": "roles",
    "revoke": "roles",
    "revokes": "roles",
    "invitation": "roles",
    "link": "roles",
    "message": "messages",
    "broadcast": "messages",
    "sent": "messages",
    "meeting": "meetings",
    "attendance": "meetings",
    "question": "questions",
    "poll": "questions",
    "consultation": "questions",
    "member": "members",
    "request": "requests",
    "contact": "requests",
    "refused": "refused",
    "refusal": "refused",
    "audit": "audit",
}
NAMED, LEFT, BOT, UNNAMED = "named", "left", "bot", "unnamed"
# What the bot does by itself: no one is behind these.
BOT_DOES = {
    "delivery_finished",
    "delivery_finished_by_answer",
    "question_closed",
    "member_left",
    "role_from_settings",
    "invitation_used",
}
# Sentences with no one acted on (a target id there means nothing, or is not kept).
NO_TARGET = {
    "refused",
    "members_report",
    "members_listed",
    "message_sent",
    "message_planned",
    "message_stopped",
    "message_resent",
    "delivery_finished",
    "delivery_finished_by_answer",
    "member_left",
}


@dataclass(frozen=True)
class Person:
    """Someone in a log line: a name, someone who has left, the bot, or an id with no name."""

    telegram_id: int | None
    name: str | None
    kind: str  # NAMED, LEFT, BOT or UNNAMED


@dataclass(frozen=True)
class AuditLine:
    """One recorded action, ready to be said in a sentence.

    ``what`` names the sentence (like 'message_sent'); ``facts`` holds what it needs: counts,
    ids, a role, a stored audience label, a title or question (None once deleted), a time in UTC.
    """

    at: datetime
    action: str
    what: str
    actor: Person
    target: Person | None
    facts: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditView:
    """What /audit shows: lines newest first, the kind and person asked for, and a name
    typed that matched nobody."""

    lines: list[AuditLine]
    kind: str | None
    about: Person | None
    name: str = ""
    not_found: bool = False
    full: bool = False  # as many lines as are shown at once: there may be older ones


def read_audit_words(words: str, kind: str | None = None) -> tuple[str | None, str]:
    """Typed words after /audit as (kind, first name): kind words anywhere, the rest a name.
    'Casey grants' is ('roles', 'Casey'); 'meetings' is ('meetings', '')."""
    rest = []
    for word in words.split():
        plain = word.strip(".,;:!?'\"").casefold()
        found = KIND_WORDS.get(plain) or KIND_WORDS.get(plain.removesuffix("s"))
        if found is not None and kind is None:
            kind = found
        elif found is None:
            rest.append(word.strip(".,;:!?'\""))
    return kind, " ".join(rest)


def person_of(telegram_id: int | None, names: dict[int, str], bot: bool = False) -> Person:
    """Who an id is, in the log's terms (an erased person's ids are cleared to None)."""
    if bot:
        return Person(None, None, BOT)
    if telegram_id is None:
        return Person(None, None, LEFT)
    if telegram_id in names:
        return Person(telegram_id, names[telegram_id], NAMED)
    return Person(telegram_id, None, UNNAMED)


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
    if role not in (COORDINATOR, DECISION_MAKER):
        return "other", {}
    if entry.action == "role.revoked":
        return "role_revoked", {"role": role}
    if why == "(settings)" and entry.actor_id is None:
        return "role_from_settings", {"role": role}
    return "role_granted", {"role": role}


def _one_id(what: str, name: str) -> _Parser:
    """A detail holding one id (its pattern's first group): the sentence and that id."""
    return lambda m: (what, {name: int(m[1])})


_DETAILS: dict[str, tuple[re.Pattern[str], _Parser]] = {
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
    "consultation.created": (
        re.compile(r"consultation (\d+) for (\S+), closes (\S+)$"),
        lambda m: (
            "question_created",
            {"question": int(m[1]), "audience": m[2], "time": _when(m[3])},
        ),
    ),
    "consultation.extended": (
        re.compile(r"consultation (\d+) now closes (\S+)$"),
        lambda m: ("question_extended", {"question": int(m[1]), "time": _when(m[2])}),
    ),
    "consultation.cancelled": (
        re.compile(r"consultation (\d+), (\d+) told$"),
        lambda m: ("question_cancelled", {"question": int(m[1]), "count": int(m[2])}),
    ),
    "consultation.closed": (
        re.compile(r"consultation (\d+): (.*)$"),
        lambda m: (
            "question_closed" if m[2] == "deadline" else "question_closed_early",
            {"question": int(m[1])},
        ),
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
        re.compile(r"^(coordinator|decision_maker), link \d+$"),
        lambda m: ("invitation_made", {"role": m[1]}),
    ),
    "invitation.used": (
        re.compile(r"^(coordinator|decision_maker), link \d+"),
        lambda m: ("invitation_used", {"role": m[1]}),
    ),
    "members.listed": (
        re.compile(r"hub (\S+)$"),
        lambda m: ("members_listed", {"hub": m[1]}),
    ),
}
_SIMPLE = {
    "members.report": "members_report",
    "member.erased": "member_left",
}


def _parse(entry: AuditEntry) -> tuple[str, dict[str, object]]:
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
    elif entry.action in _DETAILS:
        pattern, parser = _DETAILS[entry.action]
        match = pattern.search(entry.detail)
        what, facts = parser(match) if match else ("other", {})
    else:
        what, facts = "other", {}
    if what == "other":
        facts = {"action": entry.action, "detail": entry.detail}
    return what, facts


async def describe(
    entries: list[AuditEntry], audit: AuditRepository, forum: Forum
) -> list[AuditLine]:
    """Each entry as an AuditLine: who, to whom, and the facts its detail holds, with the
    names, titles and questions it points at looked up."""
    parsed = [(entry, _parse(entry)) for entry in entries]
    meeting_ids = {f["meeting"] for _, (_, f) in parsed if "meeting" in f}
    series_ids = {f["series"] for _, (_, f) in parsed if "series" in f}
    question_ids = {f["question"] for _, (_, f) in parsed if "question" in f}
    broadcast_ids = {f["broadcast"] for _, (_, f) in parsed if "broadcast" in f}
    people = {e.actor_id for e in entries if e.actor_id is not None}
    people |= {e.target_id for e in entries if e.target_id is not None}
    names = await audit.names(people)
    titles = await audit.meeting_titles(meeting_ids)
    series = await audit.series_titles(series_ids)
    questions = await audit.questions(question_ids)
    numbers = await audit.message_numbers(broadcast_ids)
    lines = []
    for entry, (what, facts) in parsed:
        if "meeting" in facts:
            facts["title"] = titles.get(facts.pop("meeting"))
        if "series" in facts:
            facts["title"] = series.get(facts.pop("series"))
        if "question" in facts:
            facts["title"] = questions.get(facts.pop("question"))
        if "broadcast" in facts:  # the number coordinators see, where there is one
            broadcast_id = facts.pop("broadcast")
            facts["id"] = numbers.get(broadcast_id, broadcast_id)
        if "hub" in facts:
            facts["hub"] = forum.hub_name(facts["hub"]) or facts["hub"]
        lines.append(
            AuditLine(
                entry.at,
                entry.action,
                what,
                person_of(entry.actor_id, names, bot=what in BOT_DOES),
                None if what in NO_TARGET else person_of(entry.target_id, names),
                facts,
            )
        )
    return lines
