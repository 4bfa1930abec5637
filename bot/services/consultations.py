"""Consultations: quick polls opened and closed on schedule, answers that can change until
closing, one gentle nudge, and results packs that never show a count under 5."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import Clock
from bot.delivery import Audience, AudienceResolver, DeliveryService
from bot.delivery.audience import EVERYONE, HUB, REGION, UnknownPlace
from bot.delivery.content import Media
from bot.delivery.quiet import QuietHours
from bot.results.suppression import AreaCounts, RawResults, SafeResults, protect
from bot.services.errors import InvalidChoice, NotAllowed, ServiceError
from bot.services.meetings import read_start
from bot.services.roles import RoleService
from storage.audit import AuditRepository
from storage.consultations import (
    AFTER_CLOSE,
    CANCELLED,
    CLOSED,
    GONE,
    NEVER,
    NOT_INVITED,
    NUDGE_SENT,
    NUDGE_SKIPPED,
    OPEN,
    SAVED,
    SCHEDULED,
    SHOW_RESULTS,
    WHILE_OPEN,
    Consultation,
    ConsultationRepository,
    MemberAnswer,
    NewConsultation,
    PlaceCounts,
)
from storage.db import Database, Session
from storage.members import MemberRepository
from storage.roles import COORDINATOR, DECISION_MAKER, RoleRepository

logger = logging.getLogger(__name__)

KIND_INVITE, KIND_NUDGE = "consultation_invite", "consultation_nudge"
KIND_RESULTS, KIND_MEMBER_RESULTS = "consultation_results", "consultation_member_results"
KIND_CANCELLED, KIND_FOLLOWUP = "consultation_cancelled", "consultation_followup"
PREFERENCE = "consultations"
MAX_QUESTION, MAX_OPTION, MAX_NOTE, MAX_COMMENT, MAX_FOLLOWUP = 300, 60, 500, 1000, 3000
MIN_OPTIONS, MAX_OPTIONS = 2, 10
MIN_OPEN = timedelta(minutes=10)  # the shortest time a consultation can be open
MAX_DAYS = 120  # how far ahead a closing time may be
NUDGE_GAP = timedelta(hours=2)  # no nudge this soon after opening
NUDGE_LAST = timedelta(hours=1)  # no nudge with less than this left
QUIET_MARGIN = timedelta(minutes=30)
CACHE_SIZE = 64  # consultations kept in memory for answer presses

# (text_html, reply_markup as Bot API JSON or None)
Rendered = tuple[str, dict | None]


@dataclass(frozen=True)
class PackPart:
    """One message of a results pack: text, and a chart or file with it."""

    text_html: str
    media: Media | None = None


class ConsultationMessages(Protocol):
    """How consultation messages look; the handlers layer provides it."""

    def invitation(self, consultation: Consultation) -> Rendered: ...
    def nudge(self, consultation: Consultation) -> Rendered: ...
    def cancelled(self, consultation: Consultation) -> Rendered: ...
    def followup(self, consultation: Consultation, text: str) -> Rendered: ...
    def member_results(self, consultation: Consultation, results: SafeResults) -> Rendered: ...
    async def results_pack(
        self, consultation: Consultation, results: SafeResults, comments: list[str] | None
    ) -> list[PackPart]: ...


class PollGone(ServiceError):
    """The consultation does not exist, was cancelled, or has not opened."""

    reason = "polls.gone"


class PollClosed(ServiceError):
    """The consultation has closed, so answers can no longer change."""

    reason = "polls.closed"


class NotInvited(ServiceError):
    """This member was not asked this question."""

    reason = "polls.not_invited"


class NothingChosen(ServiceError):
    """Done was pressed before any answer was chosen."""

    reason = "polls.choose_first"


class ResultsNotReady(ServiceError):
    """Results are shown once the consultation has closed."""

    reason = "polls.results_not_ready"


class ResultsHidden(ServiceError):
    """The coordinator chose not to show members the results."""

    reason = "polls.results_hidden"


class QuestionInvalid(ServiceError):
    """The question is empty or too long."""

    reason = "polls.question_invalid"


class OptionInvalid(ServiceError):
    """An answer is empty, too long, or a repeat."""

    reason = "polls.option_invalid"


class OptionCount(ServiceError):
    """There must be 2 to 10 answers."""

    reason = "polls.option_count"


class NoteInvalid(ServiceError):
    """The note for members is empty or too long."""

    reason = "polls.note_invalid"


class CloseTooSoon(ServiceError):
    """The closing time must leave the consultation open for a while."""

    reason = "polls.close_too_soon"


class CloseTooFar(ServiceError):
    """The closing time is too far ahead."""

    reason = "polls.close_too_far"


class TextInvalid(ServiceError):
    """A comment or follow-up is empty or too long."""

    reason = "polls.text_invalid"


class StillOpen(ServiceError):
    """This can only be done after the consultation has closed."""

    reason = "polls.still_open"


@dataclass(frozen=True)
class PollDraft:
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
class Vote:
    """What a member's press did: the consultation and their answer as it is now."""

    consultation: Consultation
    answer: MemberAnswer
    first_answer: bool  # they had not answered before this press


@dataclass(frozen=True)
class Progress:
    """A current consultation with how many were invited and have answered (for coordinators)."""

    consultation: Consultation
    invited: int
    answered: int


@dataclass(frozen=True)
class Reader:
    """A decision-maker who can be chosen to receive results."""

    telegram_id: int
    first_name: str | None


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


class ConsultationService:
    """Everything about consultations; coordinators' steps check the role first."""

    def __init__(
        self,
        db: Database,
        consultations: ConsultationRepository,
        roles_repository: RoleRepository,
        members: MemberRepository,
        delivery: DeliveryService,
        audiences: AudienceResolver,
        roles: RoleService,
        audit: AuditRepository,
        quiet: QuietHours,
        clock: Clock,
        messages: ConsultationMessages,
        nudge_hours: int = 24,
    ) -> None:
        self._db = db
        self._polls = consultations
        self._role_rows = roles_repository
        self._members = members
        self._delivery = delivery
        self._audiences = audiences
        self._roles = roles
        self._audit = audit
        self._quiet = quiet
        self._clock = clock
        self._messages = messages
        self._nudge = timedelta(hours=nudge_hours)
        self._cache: dict[int, Consultation] = {}

    @property
    def zone(self):
        """The local time zone."""
        return self._quiet.zone

    # Setting one up

    def read_time(self, text: str) -> datetime:
        """A typed UK date and time in the future, or the refusal that says what is wrong."""
        return read_start(text, self._clock.now(), self.zone)

    def check_times(self, opens_at: datetime | None, closes_at: datetime) -> None:
        """Refuse a closing time too soon after opening, or too far ahead."""
        start = max(opens_at or self._clock.now(), self._clock.now())
        if closes_at < start + MIN_OPEN:
            raise CloseTooSoon
        if closes_at > self._clock.now() + timedelta(days=MAX_DAYS):
            raise CloseTooFar

    def check(self, draft: PollDraft) -> None:
        """Refuse a draft that is missing something or out of range."""
        check_question(draft.question)
        if not MIN_OPTIONS <= len(draft.options) <= MAX_OPTIONS:
            raise OptionCount
        seen: list[str] = []
        for option in draft.options:
            seen.append(check_option(option, seen))
        check_note(draft.member_note)
        if draft.show_results not in SHOW_RESULTS:
            raise InvalidChoice
        self.check_times(draft.opens_at, draft.closes_at)
        try:
            self._audiences.check(draft.audience)
        except UnknownPlace:
            raise InvalidChoice from None

    async def audience_size(self, actor_id: int, audience: Audience) -> int:
        """How many members would be asked now (those who get consultations, not paused)."""
        await self._roles.require_coordinator(actor_id, "count consultation audience")
        try:
            return await self._audiences.count(
                Audience(audience.scope, audience.place_id, PREFERENCE)
            )
        except UnknownPlace:
            raise InvalidChoice from None

    async def decision_makers(self, actor_id: int) -> list[Reader]:
        """Everyone who holds the decision-maker role, with a first name when they joined."""
        await self._roles.require_coordinator(actor_id, "list decision-makers")
        return [
            Reader(telegram_id, member.first_name if member else None)
            for telegram_id in await self._role_rows.holders(DECISION_MAKER)
            for member in [await self._members.get(telegram_id)]
        ]

    async def create(self, actor_id: int, draft: PollDraft) -> Consultation:
        """Store a consultation; it opens now (inviting its audience) or at its time."""
        await self._roles.require_coordinator(actor_id, "create consultation")
        self.check(draft)
        now = self._clock.now()
        readers = set(await self._role_rows.holders(DECISION_MAKER))
        if not set(draft.readers) <= readers:
            raise InvalidChoice
        new = NewConsultation(
            question=check_question(draft.question),
            options=tuple(" ".join(option.split()) for option in draft.options),
            multiple=draft.multiple,
            ask_comment=draft.ask_comment,
            audience_scope=draft.audience.scope,
            audience_place=draft.audience.place_id,
            member_note=check_note(draft.member_note),
            show_results=draft.show_results,
            opens_at=max(draft.opens_at or now, now),
            closes_at=draft.closes_at,
            readers=tuple(draft.readers),
        )
        async with self._db.transaction() as tx:
            consultation_id = await self._polls.create(new, actor_id, now, tx)
            await self._audit.record(
                actor_id,
                "consultation.created",
                now,
                detail=f"consultation {consultation_id} for {draft.audience.label}, "
                f"closes {new.closes_at.isoformat(timespec='minutes')}",
                tx=tx,
            )
        await self.open_due()
        consultation = await self._polls.get(consultation_id)
        assert consultation is not None
        return consultation

    async def open_due(self) -> list[int]:
        """Open every scheduled consultation whose time has come and send its invitations.

        The state, the invitation rows and the invitation broadcast (with its delivery rows)
        are written in one transaction: a crash or a failed write leaves the consultation
        scheduled, so the next sweep opens it, asking everyone once; never opened unasked."""
        opened = []
        queued = False
        for consultation in await self._polls.due_to_open(self._clock.now()):
            if consultation.closes_at <= self._clock.now():
                continue  # the bot was down for all of it: closing comes next, with no asking
            audience = Audience(
                consultation.audience_scope, consultation.audience_place, PREFERENCE
            )
            try:
                invitees = await self._audiences.recipients(audience)
            except UnknownPlace:
                invitees = []  # the forum file lost that place; nobody to ask
            try:
                async with self._db.transaction() as tx:
                    now = self._clock.now()
                    if not await self._polls.open(consultation.id, invitees, now, tx):
                        continue
                    if invitees:
                        text, markup = self._messages.invitation(replace(consultation, state=OPEN))
                        await self._delivery.enqueue(
                            KIND_INVITE,
                            text,
                            invitees,
                            reply_markup=markup,
                            preference=PREFERENCE,
                            audience=consultation.audience_label,
                            tx=tx,
                        )
                        queued = True
            except Exception:
                logger.exception("consultation %s could not be opened; kept", consultation.id)
                continue
            self._cache.pop(consultation.id, None)
            opened.append(consultation.id)
        if queued:
            self._delivery.wake()
        return opened

    # Coordinators' changes

    async def current(self, actor_id: int) -> list[Progress]:
        """Scheduled and open consultations with invited and answered numbers."""
        await self._roles.require_coordinator(actor_id, "list consultations")
        progress = []
        for consultation in await self._polls.current():
            places = await self._polls.live_counts(consultation.id, len(consultation.options))
            progress.append(
                Progress(
                    consultation,
                    sum(place.invited for place in places),
                    sum(place.answered for place in places),
                )
            )
        return progress

    async def get(self, consultation_id: int) -> Consultation:
        """One consultation, or PollGone."""
        consultation = await self._polls.get(consultation_id)
        if consultation is None:
            raise PollGone
        return consultation

    async def _changeable(self, actor_id: int, consultation_id: int, action: str) -> Consultation:
        """A scheduled or open consultation a coordinator may change."""
        await self._roles.require_coordinator(actor_id, action)
        consultation = await self.get(consultation_id)
        if consultation.state == CANCELLED:
            raise PollGone
        if consultation.state == CLOSED:
            raise PollClosed
        return consultation

    async def close_now(self, actor_id: int, consultation_id: int) -> Consultation:
        """Close early: the results pack goes out as at a deadline."""
        await self._changeable(actor_id, consultation_id, "close consultation")
        await self._close(consultation_id, actor_id, "closed early")
        return await self.get(consultation_id)

    async def extend(
        self, actor_id: int, consultation_id: int, closes_at: datetime
    ) -> Consultation:
        """Move the deadline later; a nudge not sent yet moves with it."""
        consultation = await self._changeable(actor_id, consultation_id, "extend consultation")
        if closes_at <= consultation.closes_at:
            raise CloseTooSoon
        self.check_times(consultation.opens_at, closes_at)
        now = self._clock.now()
        await self._polls.set_closes_at(consultation_id, closes_at, now)
        self._cache.pop(consultation_id, None)
        await self._audit.record(
            actor_id,
            "consultation.extended",
            now,
            detail=f"consultation {consultation_id} now closes "
            f"{closes_at.isoformat(timespec='minutes')}",
        )
        return await self.get(consultation_id)

    async def cancel(self, actor_id: int, consultation_id: int) -> int:
        """Withdraw a consultation: its answers and comments are deleted and everyone asked
        is told. Return how many are told."""
        consultation = await self._changeable(actor_id, consultation_id, "cancel consultation")
        now = self._clock.now()
        # The state, the answers deleted and the notice queued: one transaction, all or none.
        async with self._db.transaction() as tx:
            moved = await self._polls.set_state(
                consultation_id, CANCELLED, now, tx, only_from=(SCHEDULED, OPEN)
            )
            if not moved:
                raise PollClosed
            invited = await self._polls.invited(consultation_id, tx=tx)
            await self._polls.discard_answers(consultation_id, tx)
            self._cache.pop(consultation_id, None)
            await self._audit.record(
                actor_id,
                "consultation.cancelled",
                now,
                detail=f"consultation {consultation_id}, {len(invited)} told",
                tx=tx,
            )
            if invited:
                text, markup = self._messages.cancelled(consultation)
                await self._delivery.enqueue(
                    KIND_CANCELLED,
                    text,
                    invited,
                    created_by=actor_id,
                    reply_markup=markup,
                    preference=PREFERENCE,
                    audience=consultation.audience_label,
                    tx=tx,
                )
        if invited:
            self._delivery.wake()
        return len(invited)

    async def followup_count(self, actor_id: int, consultation_id: int) -> int:
        """How many a "you said, we did" message would reach: everyone asked who is still a
        member (leavers' invitations are erased)."""
        await self._roles.require_coordinator(actor_id, "consultation follow-up")
        return len(await self._polls.invited(consultation_id))

    async def follow_up(self, actor_id: int, consultation_id: int, text: str) -> int:
        """ "You said, we did": send what came of a closed consultation to everyone who was
        asked; return how many."""
        await self._roles.require_coordinator(actor_id, "consultation follow-up")
        consultation = await self.get(consultation_id)
        if consultation.state == CANCELLED:
            raise PollGone
        if consultation.state != CLOSED:
            raise StillOpen
        text = text.strip()
        if not text or len(text) > MAX_FOLLOWUP:
            raise TextInvalid
        now = self._clock.now()
        html_text, markup = self._messages.followup(consultation, text)
        # Kept, recorded and queued in one transaction: a failure keeps none of it, so the
        # coordinator's retry neither doubles it nor leaves one that was never sent.
        async with self._db.transaction() as tx:
            followup_id = await self._polls.add_followup(consultation_id, text, actor_id, now, tx)
            await self._audit.record(
                actor_id,
                "consultation.followup",
                now,
                detail=f"consultation {consultation_id}",
                tx=tx,
            )
            invited = await self._polls.invited(consultation_id, tx=tx)
            if invited:
                broadcast_id = await self._delivery.enqueue(
                    KIND_FOLLOWUP,
                    html_text,
                    invited,
                    created_by=actor_id,
                    reply_markup=markup,
                    preference=PREFERENCE,
                    audience=consultation.audience_label,
                    report_to=actor_id,
                    tx=tx,
                )
                await self._polls.set_followup_broadcast(followup_id, broadcast_id, tx)
        if invited:
            self._delivery.wake()
        return len(invited)

    # Members

    async def _answerable(
        self, member_id: int, consultation_id: int
    ) -> tuple[Consultation, MemberAnswer]:
        """An open consultation this member was asked, with their answer so far, or the
        refusal (recorded)."""
        consultation = await self._polls.get(consultation_id)
        answer = None
        try:
            if consultation is None or consultation.state in (SCHEDULED, CANCELLED):
                raise PollGone
            if consultation.state == CLOSED or consultation.closes_at <= self._clock.now():
                raise PollClosed
            answer = await self._polls.answer_of(consultation_id, member_id)
            if answer is None:
                raise NotInvited
        except ServiceError as refusal:
            await self._refused(member_id, consultation_id, type(refusal).__name__)
            raise
        return consultation, answer

    async def _refused(self, member_id: int, consultation_id: int, why: str) -> None:
        """Record a refused press or comment (who, which consultation, why; never content)."""
        await self._audit.record(
            member_id,
            "consultation.refused",
            self._clock.now(),
            detail=f"consultation {consultation_id}: {why}",
        )

    async def vote(
        self, member_id: int, consultation_id: int, position: int, chosen: bool = True
    ) -> Vote:
        """Record a press: with one answer allowed it becomes the answer; with several it sets
        that answer chosen or not (so a press delivered twice changes nothing more). The
        checks and the write are one transaction, so nothing lands after closing."""
        consultation = await self._fixed_parts(consultation_id)
        if consultation is None or consultation.state in (SCHEDULED, CANCELLED):
            await self._refused(member_id, consultation_id, "PollGone")
            raise PollGone
        if not 0 <= position < len(consultation.options):
            await self._refused(member_id, consultation_id, f"answer {position} out of range")
            raise InvalidChoice
        press = await self._polls.press(
            consultation_id,
            member_id,
            position,
            only_one=not consultation.multiple,
            chosen=chosen or not consultation.multiple,
            now=self._clock.now(),
        )
        if press.outcome != SAVED:
            refusal = {GONE: PollGone, CLOSED: PollClosed, NOT_INVITED: NotInvited}[press.outcome]
            await self._refused(member_id, consultation_id, refusal.__name__)
            raise refusal
        answer = MemberAnswer(press.answered, press.chosen)
        return Vote(consultation, answer, not press.was_answered and press.answered)

    async def _fixed_parts(self, consultation_id: int) -> Consultation | None:
        """A consultation from memory for the parts that never change (question, options, one
        or several); its state and deadline are checked again in the database on every press.
        Entries are dropped whenever the service changes a consultation."""
        cached = self._cache.get(consultation_id)
        if cached is None:
            cached = await self._polls.get(consultation_id)
            if cached is not None:
                if len(self._cache) >= CACHE_SIZE:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[consultation_id] = cached
        return cached

    async def done(self, member_id: int, consultation_id: int) -> Vote:
        """Confirm the answers chosen so far (several allowed)."""
        consultation, before = await self._answerable(member_id, consultation_id)
        confirmed = await self._polls.confirm(consultation_id, member_id, self._clock.now())
        if confirmed is None:
            raise PollClosed
        if not confirmed:
            raise NothingChosen
        return Vote(consultation, MemberAnswer(True, before.chosen), not before.answered)

    async def comment(self, member_id: int, consultation_id: int, text: str) -> Consultation:
        """Keep a member's "tell us more" comment (a new one replaces the old)."""
        consultation, _ = await self._answerable(member_id, consultation_id)
        text = text.strip()
        if not consultation.ask_comment:
            raise InvalidChoice
        if not text or len(text) > MAX_COMMENT:
            raise TextInvalid
        await self._polls.set_comment(consultation_id, member_id, text, self._clock.now())
        return consultation

    async def for_member(self, member_id: int, consultation_id: int) -> Vote:
        """A consultation and this member's answer, to show the question again."""
        consultation, answer = await self._answerable(member_id, consultation_id)
        return Vote(consultation, answer, False)

    async def open_for(self, member_id: int) -> list[Vote]:
        """Open consultations this member was asked, with their answers."""
        votes = []
        for consultation in await self._polls.for_member(member_id, (OPEN,)):
            if consultation.closes_at <= self._clock.now():
                continue
            answer = await self._polls.answer_of(consultation.id, member_id)
            if answer is not None:
                votes.append(Vote(consultation, answer, False))
        return votes

    async def closed_for(self, member_id: int) -> list[Consultation]:
        """Recently closed consultations this member was asked whose results they may see."""
        return [
            consultation
            for consultation in await self._polls.for_member(member_id, (CLOSED,))
            if consultation.show_results != NEVER
        ]

    async def results_for_member(self, member_id: int, consultation_id: int) -> SafeResults:
        """What people said, for a member who was asked (national figures, never under 5)."""
        consultation = await self.get(consultation_id)
        if consultation.state in (SCHEDULED, CANCELLED):
            raise PollGone
        answer = await self._polls.answer_of(consultation_id, member_id)
        if answer is None:
            raise NotInvited
        if consultation.show_results == NEVER:
            raise ResultsHidden
        if consultation.state != CLOSED and not (
            consultation.show_results == WHILE_OPEN and answer.answered
        ):
            raise ResultsNotReady
        results = await self.tally(consultation)
        return await asyncio.to_thread(protect, replace(results, areas=()))

    async def followups_for_member(self, member_id: int, consultation_id: int) -> list[str]:
        """The "you said, we did" messages about a consultation this member was asked."""
        if await self._polls.answer_of(consultation_id, member_id) is None:
            raise NotInvited
        return await self._polls.followups(consultation_id)

    async def member_data(self, member_id: int) -> list[dict[str, object]]:
        """Everything this member gave in consultations, for /mydata."""
        return await self._polls.member_data(member_id)

    # Results

    async def tally(self, consultation: Consultation) -> RawResults:
        """Raw figures: from the kept counts once closed, from the answers before that."""
        options = len(consultation.options)
        if consultation.state == CLOSED:
            places = await self._polls.kept_counts(consultation.id, options)
        else:
            places = await self._polls.live_counts(consultation.id, options)
        return raw_results(consultation, places)

    async def readable(self, actor_id: int) -> list[Consultation]:
        """Closed consultations this person may see results for: coordinators see all,
        decision-makers those they were chosen for."""
        roles = await self._roles.roles_of(actor_id)
        if COORDINATOR in roles:
            return await self._polls.closed()
        if DECISION_MAKER in roles:
            return await self._polls.closed(reader=actor_id)
        await self._audit.record(actor_id, "refused", self._clock.now(), detail="results")
        raise NotAllowed

    async def results_pack(self, actor_id: int, consultation_id: int) -> list[PackPart]:
        """A closed consultation's results pack, for someone allowed to see it (comments are
        for coordinators only)."""
        roles = await self._roles.roles_of(actor_id)
        coordinator = COORDINATOR in roles
        allowed = coordinator or (
            DECISION_MAKER in roles and await self._polls.is_reader(consultation_id, actor_id)
        )
        if not allowed:
            await self._audit.record(
                actor_id, "refused", self._clock.now(), detail=f"results {consultation_id}"
            )
            raise NotAllowed
        consultation = await self.get(consultation_id)
        if consultation.state == CANCELLED:
            raise PollGone
        if consultation.state != CLOSED:
            raise ResultsNotReady
        return await self._pack(consultation, with_comments=coordinator)

    async def _pack(self, consultation: Consultation, with_comments: bool) -> list[PackPart]:
        """Count, suppress and render a results pack."""
        # Suppression solves small integer programs when there are small counts: off the loop.
        safe = await asyncio.to_thread(protect, await self.tally(consultation))
        comments = await self._polls.comments(consultation.id) if with_comments else None
        return await self._messages.results_pack(consultation, safe, comments)

    # Scheduled work

    def nudge_due(self, consultation: Consultation) -> datetime | None:
        """When the nudge goes: the set hours before closing, moved to before quiet hours;
        None when that would be too soon after opening."""
        due = consultation.closes_at - self._nudge
        if self._quiet.is_quiet(due):
            due = self._quiet.starts_before(due, QUIET_MARGIN)
        if due < consultation.opens_at + NUDGE_GAP:
            return None
        return due

    async def send_due_nudges(self) -> list[int]:
        """Send each open consultation's one nudge when due, to members asked who have not
        answered (the engine skips those who turned consultations off or paused)."""
        sent = []
        queued = False
        now = self._clock.now()
        for consultation in await self._polls.open_with_nudge_pending():
            due = self.nudge_due(consultation)
            if due is not None and now < due:
                continue
            too_late = self._quiet.ends_at(now) > consultation.closes_at - NUDGE_LAST
            if due is None or too_late:
                await self._polls.take_nudge(consultation.id, NUDGE_SKIPPED, now)
                continue
            # Taken and queued in one transaction: a crash or a failed write leaves it
            # pending for the next sweep (skipped then if it has become too late).
            try:
                async with self._db.transaction() as tx:
                    if not await self._polls.take_nudge(consultation.id, NUDGE_SENT, now, tx):
                        continue
                    silent = await self._polls.not_answered(consultation.id, tx)
                    if silent:
                        text, markup = self._messages.nudge(consultation)
                        await self._delivery.enqueue(
                            KIND_NUDGE,
                            text,
                            silent,
                            reply_markup=markup,
                            preference=PREFERENCE,
                            audience=consultation.audience_label,
                            tx=tx,
                        )
                        queued = True
            except Exception:
                logger.exception("consultation %s nudge could not be queued; kept", consultation.id)
                continue
            sent.append(consultation.id)
        if queued:
            self._delivery.wake()
        return sent

    async def close_due(self) -> list[int]:
        """Close every consultation past its deadline (also after downtime) and send results;
        also send any results pack a crash left unsent."""
        closed = []
        for consultation in await self._polls.due_to_close(self._clock.now()):
            if await self._close(consultation.id, None, "deadline"):
                closed.append(consultation.id)
        for consultation in await self._polls.closed_without_results():
            await self._try_results(consultation)
        return closed

    async def tick(self) -> None:
        """Everything scheduled: open, nudge, close (each step guarded on its own)."""
        for step in (self.open_due, self.send_due_nudges, self.close_due):
            try:
                await step()
            except Exception:
                logger.exception("consultation step %s failed this time", step.__name__)

    async def _close(self, consultation_id: int, actor_id: int | None, why: str) -> bool:
        """Close once: keep the anonymous counts in the same transaction, then send results.

        Closing and queueing the results are two transactions on purpose: the pack is built
        (suppression, a chart) off the event loop, which must not hold the database. It is
        still never lost nor sent twice: ``results_sent`` stays 0 until the pack is queued
        (flag and broadcasts in one transaction, see ``_send_results``), and every sweep
        (``close_due``) queues any closed consultation's pack still at 0."""
        now = self._clock.now()
        consultation = await self.get(consultation_id)
        async with self._db.transaction() as tx:
            moved = await self._polls.set_state(
                consultation_id, CLOSED, now, tx, only_from=(SCHEDULED, OPEN)
            )
            if not moved:
                return False
            places = await self._polls.live_counts(consultation_id, len(consultation.options), tx)
            await self._polls.keep_counts(consultation_id, places, tx)
            self._cache.pop(consultation_id, None)
            await self._audit.record(
                actor_id,
                "consultation.closed",
                now,
                detail=f"consultation {consultation_id}: {why}",
                tx=tx,
            )
        closed = await self.get(consultation_id)
        await self._try_results(closed)
        return True

    async def _try_results(self, consultation: Consultation) -> None:
        """Queue the results pack; a failure is logged and left to the next sweep."""
        try:
            await self._send_results(consultation)
        except Exception:
            logger.exception("consultation %s results not queued; kept", consultation.id)

    async def _send_results(self, consultation: Consultation) -> None:
        """Queue the results pack (coordinators with comments, chosen decision-makers
        without) and, unless hidden, what people said to members who answered; once.

        Everything is built first (the closing counts are fixed by then), then the flag and
        every broadcast are written in one transaction: a crash or a failed write leaves
        ``results_sent`` at 0 and nothing queued, so the next sweep queues it all once."""
        if consultation.results_sent:
            return
        coordinators = await self._roles.coordinators()
        # Only those who still hold the role: someone revoked since does not get the pack.
        current = set(await self._roles.decision_makers())
        readers = [
            reader
            for reader in await self._polls.readers(consultation.id)
            if reader in current and reader not in coordinators
        ]
        packs = [
            (recipients, await self._pack(consultation, with_comments))
            for recipients, with_comments in ((coordinators, True), (readers, False))
            if recipients
        ]
        members: tuple[list[int], str, dict | None] | None = None
        if consultation.show_results != NEVER:
            answered = await self._polls.invited(consultation.id, answered_only=True)
            if answered:
                raw = replace(await self.tally(consultation), areas=())
                safe = await asyncio.to_thread(protect, raw)
                members = (answered, *self._messages.member_results(consultation, safe))
        async with self._db.transaction() as tx:
            if not await self._polls.take_results(consultation.id, tx):
                return  # queued meanwhile by another sweep
            await self._queue_results(consultation, packs, members, tx)
        self._delivery.wake()

    async def _queue_results(
        self,
        consultation: Consultation,
        packs: list[tuple[list[int], list[PackPart]]],
        members: tuple[list[int], str, dict | None] | None,
        tx: Session,
    ) -> None:
        """Write the results broadcasts built by ``_send_results`` in ``tx``."""
        for recipients, parts in packs:
            for part in parts:
                await self._delivery.enqueue(
                    KIND_RESULTS, part.text_html, recipients, media=part.media, tx=tx
                )
        if members is not None:
            answered, text, markup = members
            await self._delivery.enqueue(
                KIND_MEMBER_RESULTS,
                text,
                answered,
                reply_markup=markup,
                preference=PREFERENCE,
                audience=consultation.audience_label,
                tx=tx,
            )


def raw_results(consultation: Consultation, places: Sequence[PlaceCounts]) -> RawResults:
    """National figures and a breakdown: by region for a national consultation, by hub for a
    regional one, none for a hub."""
    options = len(consultation.options)
    if consultation.audience_scope == EVERYONE:
        key = lambda place: place.region_id  # noqa: E731
    elif consultation.audience_scope == REGION:
        key = lambda place: place.hub_id  # noqa: E731
    else:
        key = None
    areas: dict[str, list[int]] = {}
    for place in places:
        if key is None:
            break
        row = areas.setdefault(key(place), [0, 0] + [0] * options)
        row[0] += place.invited
        row[1] += place.answered
        for position, count in enumerate(place.counts):
            row[2 + position] += count
    counts = [sum(place.counts[position] for place in places) for position in range(options)]
    return RawResults(
        options=consultation.options,
        multiple=consultation.multiple,
        invited=sum(place.invited for place in places),
        answered=sum(place.answered for place in places),
        counts=tuple(counts),
        areas=tuple(
            AreaCounts(area_id, row[0], row[1], tuple(row[2:]))
            for area_id, row in sorted(areas.items())
        ),
    )


__all__ = [
    "AFTER_CLOSE",
    "HUB",
    "NEVER",
    "WHILE_OPEN",
    "ConsultationMessages",
    "ConsultationService",
    "PackPart",
    "PollDraft",
]
