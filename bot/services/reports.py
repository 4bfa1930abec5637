"""Coordinators' views: members against the forum's targets, hub lists and the audit log."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import Clock
from bot.forum import Forum
from bot.services.consultation_sending import KINDS_BY_ANSWER
from bot.services.errors import InvalidChoice
from bot.services.roles import RoleService
from storage.audit import AuditEntry, AuditRepository
from storage.members import Member, MemberRepository
from storage.roles import COORDINATOR, DECISION_MAKER
from storage.stats import StatsRepository

AUDIT_LIMIT = 20  # lines /audit shows at once
AUDIT_READ = "audit.read"


@dataclass(frozen=True)
class PlaceLine:
    """Counts for one hub, one region's 'no hub yet', or the national-only group."""

    region_id: str | None
    hub_id: str | None
    active: int
    paused: int
    left: int


@dataclass(frozen=True)
class RegionSummary:
    """A region's totals and hubs."""

    region_id: str | None
    active: int
    paused: int
    left: int
    hubs_running: int
    lines: list[PlaceLine]
    target: int | None = None  # this region's share of the forum's target; None for national

    @property
    def members(self) -> int:
        """Active and paused members."""
        return self.active + self.paused


@dataclass(frozen=True)
class MembersReport:
    """The whole forum against its targets."""

    target_members: int
    target_hubs_per_region: int
    members: int
    active: int
    paused: int
    left: int
    regions: list[RegionSummary]


class ReportService:
    """Builds coordinators' reports, checking the role first."""

    def __init__(
        self,
        members: MemberRepository,
        stats: StatsRepository,
        audit: AuditRepository,
        roles: RoleService,
        forum: Forum,
        clock: Clock,
    ) -> None:
        self._members = members
        self._stats = stats
        self._audit = audit
        self._roles = roles
        self._forum = forum
        self._clock = clock

    async def members_report(self, actor_id: int) -> MembersReport:
        """Members by region and hub with active, paused and left counts."""
        await self._roles.require_coordinator(actor_id, "members report")
        counts = {
            (c.region_id, c.hub_id): c
            for c in await self._members.counts_by_place(self._clock.now())
        }
        leavers = await self._stats.leavers_by_place()
        regions = []
        targets = dict(
            zip(
                (region.id for region in self._forum.regions),
                region_targets(self._forum.target_members, len(self._forum.regions)),
                strict=True,
            )
        )
        for region_id, hub_ids in self._places():
            lines = []
            for hub_id in hub_ids:
                count = counts.get((region_id, hub_id))
                lines.append(
                    PlaceLine(
                        region_id,
                        hub_id,
                        count.active if count else 0,
                        count.paused if count else 0,
                        leavers.get((region_id, hub_id), 0),
                    )
                )
            running = sum(1 for line in lines if line.hub_id and line.active + line.paused > 0)
            regions.append(
                RegionSummary(
                    region_id,
                    sum(line.active for line in lines),
                    sum(line.paused for line in lines),
                    sum(line.left for line in lines),
                    running,
                    lines,
                    targets.get(region_id) if region_id is not None else None,
                )
            )
        active = sum(r.active for r in regions)
        paused = sum(r.paused for r in regions)
        await self._audit.record(actor_id, "members.report", self._clock.now())
        return MembersReport(
            self._forum.target_members,
            self._forum.target_hubs_per_region,
            active + paused,
            active,
            paused,
            sum(r.left for r in regions),
            regions,
        )

    def _places(self) -> list[tuple[str | None, list[str | None]]]:
        """Every region with its hubs plus 'no hub yet', then national only."""
        places: list[tuple[str | None, list[str | None]]] = [
            (region.id, [*(hub.id for hub in region.hubs), None]) for region in self._forum.regions
        ]
        places.append((None, [None]))
        return places

    async def hub_members(self, actor_id: int, hub_id: str) -> list[Member]:
        """The members of one hub by name; the listing is recorded."""
        await self._roles.require_coordinator(actor_id, "list hub members")
        if self._forum.hub(hub_id) is None:
            raise InvalidChoice
        members = await self._members.in_hub(hub_id)
        await self._audit.record(
            actor_id, "members.listed", self._clock.now(), detail=f"hub {hub_id}"
        )
        return members

    async def audit_log(
        self,
        actor_id: int,
        *,
        kind: str | None = None,
        person: int | None = None,
        words: str = "",
        limit: int = AUDIT_LIMIT,
    ) -> AuditView:
        """The latest recorded actions as plain facts for sentences, newest first: all of them,
        one kind (``kind``), those by or about one person (``person``), or what typed words
        ask for (``words``: kind words and a first name, like 'Casey grants'). Coordinators
        only; each reading is recorded too (after it is read, so it is not in this view)."""
        await self._roles.require_coordinator(actor_id, "read audit log")
        if kind is not None and kind not in AUDIT_KINDS:
            raise InvalidChoice
        name = ""
        if words.strip():
            kind, name = read_audit_words(words, kind)
        people: list[int] | None = None
        if person is not None:
            people = [person]
        elif name:
            people = await self._audit.people_named(name)
            if not people:
                now = self._clock.now()
                await self._audit.record(actor_id, AUDIT_READ, now, detail="no such name")
                return AuditView([], kind, None, name, not_found=True)
        entries = await self._audit.latest(
            limit, AUDIT_KINDS[kind] if kind is not None else None, people
        )
        lines = await self._describe(entries)
        about = None
        if people is not None:
            about = _person(people[0], await self._audit.names(people[:1]))
        detail = f"kind {kind}" if kind else ""
        await self._audit.record(
            actor_id, AUDIT_READ, self._clock.now(), people[0] if people else None, detail
        )
        return AuditView(lines, kind, about, name, full=len(entries) >= limit)

    async def _describe(self, entries: list[AuditEntry]) -> list[AuditLine]:
        """Each entry as an AuditLine: who, to whom, and the facts its detail holds, with the
        names, titles and questions it points at looked up."""
        parsed = [(entry, _parse(entry)) for entry in entries]
        meeting_ids = {f["meeting"] for _, (_, f) in parsed if "meeting" in f}
        series_ids = {f["series"] for _, (_, f) in parsed if "series" in f}
        question_ids = {f["question"] for _, (_, f) in parsed if "question" in f}
        broadcast_ids = {f["broadcast"] for _, (_, f) in parsed if "broadcast" in f}
        people = {e.actor_id for e in entries if e.actor_id is not None}
        people |= {e.target_id for e in entries if e.target_id is not None}
        names = await self._audit.names(people)
        titles = await self._audit.meeting_titles(meeting_ids)
        series = await self._audit.series_titles(series_ids)
        questions = await self._audit.questions(question_ids)
        numbers = await self._audit.message_numbers(broadcast_ids)
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
                facts["hub"] = self._forum.hub_name(facts["hub"]) or facts["hub"]
            lines.append(
                AuditLine(
                    entry.at,
                    entry.action,
                    what,
                    _person(entry.actor_id, names, bot=what in BOT_DOES),
                    None if what in NO_TARGET else _person(entry.target_id, names),
                    facts,
                )
            )
        return lines


def region_targets(total: int, regions: int) -> list[int]:
    """Each region's share of the forum's member target: an even split, any remainder going one
    each to the first regions, so the shares add up to the whole target."""
    if regions <= 0:
        return []
    share, extra = divmod(total, regions)
    return [share + (1 if index < extra else 0) for index in range(regions)]


# The audit log in sentences

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
    "members": ("members.report", "members.listed", "member.erased"),
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


def _person(telegram_id: int | None, names: dict[int, str], bot: bool = False) -> Person:
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
    "meeting.changed": (
        re.compile(r"meeting (\d+)$"),
        lambda m: ("meeting_changed", {"meeting": int(m[1])}),
    ),
    "meeting.cancelled": (
        re.compile(r"meeting (\d+)$"),
        lambda m: ("meeting_cancelled", {"meeting": int(m[1])}),
    ),
    "meeting.series_stopped": (
        re.compile(r"series (\d+)$"),
        lambda m: ("meeting_series_stopped", {"series": int(m[1])}),
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
    "contact.claimed": (
        re.compile(r"request (\d+)$"),
        lambda m: ("request_taken", {"id": int(m[1])}),
    ),
    "contact.handled": (
        re.compile(r"request (\d+)$"),
        lambda m: ("request_done", {"id": int(m[1])}),
    ),
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
        lambda m: ("question_followup", {"question": int(m[1])}),
    ),
    "consultation.refused": (
        re.compile(r"consultation (\d+): \w+$"),
        lambda m: ("question_refused", {"question": int(m[1])}),
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
