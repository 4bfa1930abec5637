"""Consultations: the one service handlers and the sweep use. Setting one up and
coordinators' changes live here; answers, scheduled work and results are delegated to the
modules of this package. It also exports the states and record types handlers need."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from datetime import datetime

from bot.results.small_groups import SMALL_GROUP_DEFAULT
from bot.results.suppression import RawResults, SafeResults
from bot.services.audiences import check_audience
from bot.services.consultations.answers import ConsultationAnswers, FixedParts, Vote
from bot.services.consultations.base import ConsultationBase
from bot.services.consultations.changes import ConsultationChanges, Progress
from bot.services.consultations.errors import (
    CloseTooFar,
    ConsultationClosed,
    ConsultationGone,
    OptionCount,
    StillOpen,
    TextInvalid,
    existing,
)
from bot.services.consultations.messages import PREFERENCE, ExtraParts, PackPart, RoundNote
from bot.services.consultations.results import ConsultationResults
from bot.services.consultations.rules import (
    MAX_FOLLOWUP,
    MAX_OPTIONS,
    MIN_OPEN,
    MIN_OPTIONS,
    TIME_LIMITS,
    ConsultationDraft,
    Reader,
    check_note,
    check_option,
    check_question,
    check_times,
    decision_makers,
)
from bot.services.consultations.schedule import ConsultationSchedule
from bot.services.errors import InvalidChoice
from bot.services.times import read_future_time
from storage.consultations import (
    AFTER_CLOSE,
    NEVER,
    SHOW_RESULTS,
    WHILE_OPEN,
    Consultation,
    MemberAnswer,
    NewConsultation,
)
from storage.members import MemberRepository
from storage.roles import DECISION_MAKER, RoleRepository
from storage.scheduled import CLOSED, OPEN, SCHEDULED

# What handlers use: the service, its states, records, limits and refusals.
__all__ = [
    "AFTER_CLOSE",
    "CLOSED",
    "MAX_FOLLOWUP",
    "MAX_OPTIONS",
    "MIN_OPEN",
    "MIN_OPTIONS",
    "NEVER",
    "OPEN",
    "SCHEDULED",
    "SHOW_RESULTS",
    "WHILE_OPEN",
    "CloseTooFar",
    "Consultation",
    "ConsultationClosed",
    "ConsultationDraft",
    "ConsultationGone",
    "ConsultationService",
    "MemberAnswer",
    "PackPart",
    "Progress",
    "Reader",
    "StillOpen",
    "TextInvalid",
    "Vote",
    "check_note",
    "check_option",
    "check_question",
]


@dataclass(eq=False)
class ConsultationService(ConsultationBase):
    """Everything about consultations; coordinators' steps check the role first."""

    AUDIENCE_CHOICE, COUNTING = PREFERENCE, "count consultation audience"

    roles_repository: RoleRepository
    members: MemberRepository
    nudge_hours: int = 24
    _: KW_ONLY
    small_group: int = SMALL_GROUP_DEFAULT

    def __post_init__(self) -> None:
        """The parts built from the fields (each sharing the service's own)."""
        self._fixed_parts = FixedParts(self.consultations)
        self._answers = ConsultationAnswers(
            self.consultations, self.audit, self.clock, self._fixed_parts
        )
        self._results = ConsultationResults.sharing(self)
        self._schedule = ConsultationSchedule.sharing(
            self, fixed_parts=self._fixed_parts, results=self._results
        )
        self._changes = ConsultationChanges.sharing(
            self, fixed_parts=self._fixed_parts, schedule=self._schedule
        )

    # Setting one up

    def read_time(self, text: str) -> datetime:
        """A typed UK date and time in the future, or the refusal that says what is wrong."""
        return read_future_time(text, self.clock.now(), self.zone, TIME_LIMITS)

    def check_times(self, opens_at: datetime | None, closes_at: datetime) -> None:
        """Refuse a closing time too soon after opening, or too far ahead."""
        check_times(opens_at, closes_at, self.clock.now())

    def check(self, draft: ConsultationDraft) -> None:
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
        check_audience(self.audiences, draft.audience)

    async def decision_makers(self, actor_id: int) -> list[Reader]:
        """Everyone who holds the decision-maker role, with the first name the bot knows."""
        await self.roles.require_coordinator(actor_id, "list decision-makers")
        return await decision_makers(self.roles_repository)

    async def prepare(self, actor_id: int, draft: ConsultationDraft) -> NewConsultation:
        """A coordinator's draft checked and tidied, ready to store (a series keeps it too)."""
        await self.roles.require_coordinator(actor_id, "create consultation")
        self.check(draft)
        now = self.clock.now()
        readers = set(await self.roles_repository.holders(DECISION_MAKER))
        if not set(draft.readers) <= readers:
            raise InvalidChoice
        return NewConsultation(
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

    async def create(self, actor_id: int, draft: ConsultationDraft) -> Consultation:
        """Store a consultation; it opens now (inviting its audience) or at its time."""
        new = await self.prepare(actor_id, draft)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            consultation_id = await self.consultations.create(new, actor_id, now, tx)
            closes = new.closes_at.isoformat(timespec="minutes")
            more = f" for {draft.audience.label}, closes {closes}"
            await self.record(actor_id, "created", consultation_id, now, more, tx)
        await self.open_due()
        consultation = await self.consultations.get(consultation_id)
        assert consultation is not None
        return consultation

    # Coordinators' changes (changes.py)

    async def current(self, actor_id: int) -> list[Progress]:
        """Scheduled and open consultations with invited and answered numbers."""
        return await self._changes.current(actor_id)

    async def get(self, consultation_id: int) -> Consultation:
        """One consultation, or ConsultationGone."""
        return await existing(self.consultations, consultation_id)

    async def close_now(self, actor_id: int, consultation_id: int) -> Consultation:
        """Close early: the results pack goes out as at a deadline."""
        return await self._changes.close_now(actor_id, consultation_id)

    async def extend(
        self, actor_id: int, consultation_id: int, closes_at: datetime
    ) -> Consultation:
        """Move the deadline later; a nudge not sent yet moves with it."""
        return await self._changes.extend(actor_id, consultation_id, closes_at)

    async def cancel(self, actor_id: int, consultation_id: int) -> int:
        """Withdraw a consultation and tell everyone asked; return how many are told."""
        return await self._changes.cancel(actor_id, consultation_id)

    async def followup_count(self, actor_id: int, consultation_id: int) -> int:
        """How many a "you said, we did" message would reach."""
        return await self._changes.followup_count(actor_id, consultation_id)

    async def follow_up(self, actor_id: int, consultation_id: int, text: str) -> int:
        """ "You said, we did" to everyone asked; return how many."""
        return await self._changes.follow_up(actor_id, consultation_id, text)

    # Members (answers.py)

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

    # Results (results.py)

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

    async def published(self, consultation: Consultation) -> SafeResults:
        """The protected figures its pack shows (a series' trend reads each round's)."""
        return await self._results.protected(consultation)

    def add_to_packs(self, extra: ExtraParts) -> None:
        """Parts added after every results pack (a series' trend across its rounds)."""
        self._results.extra_parts = extra

    def note_rounds(self, note: RoundNote) -> None:
        """A line added to the invitation of a series' round (how it repeats, which round)."""
        self._schedule.round_note = note

    # Scheduled work (schedule.py)

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
