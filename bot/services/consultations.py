"""Consultations: the one service handlers and the sweep use. Setting one up and
coordinators' changes live here; answers, scheduled work and results are delegated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.delivery import Audience, AudienceResolver, DeliveryService
from bot.delivery.audience import UnknownPlace
from bot.delivery.quiet import QuietHours
from bot.results.small_groups import SMALL_GROUP_DEFAULT
from bot.results.suppression import RawResults, SafeResults
from bot.services.consultation_answers import ConsultationAnswers, FixedParts, Vote
from bot.services.consultation_errors import (
    CloseTooFar,
    CloseTooSoon,
    OptionCount,
    PollClosed,
    PollGone,
    StillOpen,
    TextInvalid,
    existing,
)
from bot.services.consultation_results import ConsultationResults
from bot.services.consultation_rules import (
    MAX_DAYS,
    MAX_FOLLOWUP,
    MAX_OPTIONS,
    MIN_OPEN,
    MIN_OPTIONS,
    PollDraft,
    Reader,
    check_note,
    check_option,
    check_question,
)
from bot.services.consultation_schedule import ConsultationSchedule
from bot.services.consultation_sending import (
    KIND_CANCELLED,
    KIND_FOLLOWUP,
    PREFERENCE,
    ConsultationMessages,
    PackPart,
)
from bot.services.errors import InvalidChoice
from bot.services.meetings import read_start
from bot.services.roles import RoleService
from storage.audit import AuditRepository
from storage.consultations import (
    CANCELLED,
    CLOSED,
    OPEN,
    SCHEDULED,
    SHOW_RESULTS,
    Consultation,
    ConsultationRepository,
    NewConsultation,
)
from storage.db import Database
from storage.members import MemberRepository
from storage.roles import DECISION_MAKER, RoleRepository


@dataclass(frozen=True)
class Progress:
    """A current consultation with how many were invited and have answered (for coordinators)."""

    consultation: Consultation
    invited: int
    answered: int


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
        *,
        small_group: int = SMALL_GROUP_DEFAULT,
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
        self._fixed_parts = FixedParts(consultations)
        self._answers = ConsultationAnswers(consultations, audit, clock, self._fixed_parts)
        self._results = ConsultationResults(
            db, consultations, delivery, roles, audit, clock, messages, small_group=small_group
        )
        self._schedule = ConsultationSchedule(
            db,
            consultations,
            delivery,
            audiences,
            audit,
            quiet,
            clock,
            messages,
            self._fixed_parts,
            self._results,
            nudge_hours,
        )

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
        return await existing(self._polls, consultation_id)

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
        await self._schedule.close(consultation_id, actor_id, "closed early")
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
        self._fixed_parts.forget(consultation_id)
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
            self._fixed_parts.forget(consultation_id)
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

    # Members (consultation_answers.py)

    async def vote(
        self, member_id: int, consultation_id: int, position: int, chosen: bool = True
    ) -> Vote:
        """Record a press, checked again in the database (see ``ConsultationAnswers.vote``)."""
        return await self._answers.vote(member_id, consultation_id, position, chosen)

    async def done(self, member_id: int, consultation_id: int) -> Vote:
        """Confirm the answers chosen so far (several allowed)."""
        return await self._answers.done(member_id, consultation_id)

    async def comment(self, member_id: int, consultation_id: int, text: str) -> Consultation:
        """Keep a member's "tell us more" comment (a new one replaces the old)."""
        return await self._answers.comment(member_id, consultation_id, text)

    async def for_member(self, member_id: int, consultation_id: int) -> Vote:
        """A consultation and this member's answer, to show the question again."""
        return await self._answers.for_member(member_id, consultation_id)

    async def open_for(self, member_id: int) -> list[Vote]:
        """Open consultations this member was asked, with their answers."""
        return await self._answers.open_for(member_id)

    async def closed_for(self, member_id: int) -> list[Consultation]:
        """Recently closed consultations this member was asked whose results they may see."""
        return await self._answers.closed_for(member_id)

    async def followups_for_member(self, member_id: int, consultation_id: int) -> list[str]:
        """The "you said, we did" messages about a consultation this member was asked."""
        return await self._answers.followups_for_member(member_id, consultation_id)

    async def member_data(self, member_id: int) -> list[dict[str, object]]:
        """Everything this member gave in consultations, for /mydata."""
        return await self._answers.member_data(member_id)

    # Results (consultation_results.py)

    async def results_for_member(self, member_id: int, consultation_id: int) -> SafeResults:
        """What people said, for a member who was asked (national figures, never under 5)."""
        return await self._results.for_member(member_id, consultation_id)

    async def tally(self, consultation: Consultation) -> RawResults:
        """Raw figures: from the kept counts once closed, from the answers before that."""
        return await self._results.tally(consultation)

    async def readable(self, actor_id: int) -> list[Consultation]:
        """Closed consultations this person may see results for."""
        return await self._results.readable(actor_id)

    async def results_pack(self, actor_id: int, consultation_id: int) -> list[PackPart]:
        """A closed consultation's results pack, for someone allowed to see it."""
        return await self._results.results_pack(actor_id, consultation_id)

    # Scheduled work (consultation_schedule.py)

    def nudge_due(self, consultation: Consultation) -> datetime | None:
        """When the nudge goes, or None when there is none."""
        return self._schedule.nudge_due(consultation)

    async def open_due(self) -> list[int]:
        """Open every scheduled consultation whose time has come and send its invitations."""
        return await self._schedule.open_due()

    async def send_due_nudges(self) -> list[int]:
        """Send each open consultation's one nudge when due."""
        return await self._schedule.send_due_nudges()

    async def close_due(self) -> list[int]:
        """Close every consultation past its deadline and send any results still unsent."""
        return await self._schedule.close_due()

    async def tick(self) -> None:
        """Everything scheduled: open, nudge, close (each step guarded on its own)."""
        await self._schedule.tick()
