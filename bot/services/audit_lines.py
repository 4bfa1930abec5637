"""The audit log read as facts for sentences: kinds, typed words, people, and each entry's facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.forum import Forum
from bot.services.audit_details import AUDIT_READ, GROUP_ACTIONS, parse_entry
from bot.services.feedback.audit import FEEDBACK_ACTIONS, FEEDBACK_SENTENCES
from bot.services.opportunities.audit import BY_THE_BOT, NO_ONE_ACTED_ON, OPPORTUNITY_ACTIONS
from bot.services.series.audit import SENTENCES as SERIES_SENTENCES
from bot.services.series.audit import SERIES_ACTIONS
from storage.audit import AuditEntry, AuditRepository

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
        *FEEDBACK_ACTIONS,
    ),
    "questions": (
        "consultation.created",
        "consultation.extended",
        "consultation.cancelled",
        "consultation.closed",
        "consultation.followup",
        "consultation.refused",
        "survey.created",
        "survey.cancelled",
        "survey.closed",
        *SERIES_ACTIONS,
    ),
    "members": (
        "members.report",
        "members.listed",
        "member.erased",
        "retention.applied",
        "contribution.recorded",
        "progression.report",
    ),
    "requests": ("contact.claimed", "contact.handled"),
    "groups": tuple(f"group.{action}" for action in GROUP_ACTIONS),
    "opportunities": OPPORTUNITY_ACTIONS,
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
    "survey": "questions",
    "member": "members",
    "request": "requests",
    "contact": "requests",
    "refused": "refused",
    "refusal": "refused",
    "group": "groups",
    "chat": "groups",
    "audit": "audit",
    "opportunity": "opportunities",
    "opportunities": "opportunities",
}
NAMED, LEFT, BOT, UNNAMED = "named", "left", "bot", "unnamed"
# What the bot does by itself: no one is behind these.
BOT_DOES = {
    "delivery_finished",
    "delivery_finished_by_answer",
    "question_closed",
    "survey_closed",
    "member_left",
    "role_from_settings",
    "invitation_used",
    "series_round",
    *FEEDBACK_SENTENCES,
    *BY_THE_BOT,
}
# Sentences with no one acted on (a target id there means nothing, or is not kept).
NO_TARGET = {
    "refused",
    "members_report",
    "members_listed",
    "progression_report",
    "message_sent",
    "message_planned",
    "message_stopped",
    "message_resent",
    "delivery_finished",
    "delivery_finished_by_answer",
    "member_left",
    *SERIES_SENTENCES,
    *FEEDBACK_SENTENCES,
    *NO_ONE_ACTED_ON,
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


async def describe(
    entries: list[AuditEntry], audit: AuditRepository, forum: Forum
) -> list[AuditLine]:
    """Each entry as an AuditLine: who, to whom, and the facts its detail holds, with the
    names, titles and questions it points at looked up."""
    parsed = [(entry, parse_entry(entry)) for entry in entries]
    meeting_ids = {f["meeting"] for _, (_, f) in parsed if "meeting" in f}
    series_ids = {f["series"] for _, (_, f) in parsed if "series" in f}
    question_ids = {f["question"] for _, (_, f) in parsed if "question" in f}
    survey_ids = {f["survey"] for _, (_, f) in parsed if "survey" in f}
    broadcast_ids = {f["broadcast"] for _, (_, f) in parsed if "broadcast" in f}
    people = {e.actor_id for e in entries if e.actor_id is not None}
    people |= {e.target_id for e in entries if e.target_id is not None}
    names = await audit.names(people)
    titles = await audit.meeting_titles(meeting_ids)
    series = await audit.series_titles(series_ids)
    questions = await audit.questions(question_ids)
    surveys = await audit.survey_titles(survey_ids)
    repeats = await audit.repeat_titles({f["repeat"] for _, (_, f) in parsed if "repeat" in f})
    offers = await audit.opportunity_titles(
        {f["opportunity"] for _, (_, f) in parsed if "opportunity" in f}
    )
    numbers = await audit.message_numbers(broadcast_ids)
    lines = []
    for entry, (what, facts) in parsed:
        if "meeting" in facts:
            facts["title"] = titles.get(facts.pop("meeting"))
        if "series" in facts:
            facts["title"] = series.get(facts.pop("series"))
        if "question" in facts:
            facts["title"] = questions.get(facts.pop("question"))
        if "survey" in facts:
            facts["title"] = surveys.get(facts.pop("survey"))
        if "repeat" in facts:  # a repeating question or survey (bot/services/series)
            facts["title"] = repeats.get(facts.pop("repeat"))
        if "opportunity" in facts:  # bot/services/opportunities
            facts["title"] = offers.get(facts.pop("opportunity"))
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
