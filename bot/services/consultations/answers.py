"""Members' answers: presses checked again in the database, confirming, comments, and what
a member was asked."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.services.consultations.errors import (
    ConsultationClosed,
    ConsultationGone,
    NothingChosen,
    NotInvited,
    TextInvalid,
)
from bot.services.consultations.rules import MAX_COMMENT
from bot.services.errors import InvalidChoice, ServiceError
from storage.audit import AuditRepository
from storage.consultations import (
    CANCELLED,
    CLOSED,
    GONE,
    NEVER,
    NOT_INVITED,
    OPEN,
    SAVED,
    SCHEDULED,
    Consultation,
    ConsultationRepository,
    MemberAnswer,
)

CACHE_SIZE = 64  # consultations kept in memory for answer presses


@dataclass(frozen=True)
class Vote:
    """What a member's press did: the consultation and their answer as it is now."""

    consultation: Consultation
    answer: MemberAnswer
    first_answer: bool  # they had not answered before this press


class FixedParts:
    """Consultations kept in memory for the parts that never change (question, options, one
    or several); their state and deadline are checked again in the database on every press.
    Entries are dropped whenever the service changes a consultation."""

    def __init__(self, consultations: ConsultationRepository) -> None:
        self._consultations = consultations
        self._cache: dict[int, Consultation] = {}

    async def get(self, consultation_id: int) -> Consultation | None:
        """A consultation from memory, read and kept on first use."""
        cached = self._cache.get(consultation_id)
        if cached is None:
            cached = await self._consultations.get(consultation_id)
            if cached is not None:
                if len(self._cache) >= CACHE_SIZE:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[consultation_id] = cached
        return cached

    def forget(self, consultation_id: int) -> None:
        """Drop a consultation that has just changed."""
        self._cache.pop(consultation_id, None)


@dataclass(eq=False)
class ConsultationAnswers:
    """A member's presses, confirmations and comments, and the consultations they were asked."""

    consultations: ConsultationRepository
    audit: AuditRepository
    clock: Clock
    fixed_parts: FixedParts

    async def _answerable(
        self, member_id: int, consultation_id: int
    ) -> tuple[Consultation, MemberAnswer]:
        """An open consultation this member was asked, with their answer so far, or the
        refusal (recorded)."""
        consultation = await self.consultations.get(consultation_id)
        answer = None
        try:
            if consultation is None or consultation.state in (SCHEDULED, CANCELLED):
                raise ConsultationGone
            if consultation.state == CLOSED or consultation.closes_at <= self.clock.now():
                raise ConsultationClosed
            answer = await self.consultations.answer_of(consultation_id, member_id)
            if answer is None:
                raise NotInvited
        except ServiceError as refusal:
            await self._refused(member_id, consultation_id, type(refusal).__name__)
            raise
        return consultation, answer

    async def _refused(self, member_id: int, consultation_id: int, why: str) -> None:
        """Record a refused press or comment (who, which consultation, why; never content)."""
        await self.audit.record(
            member_id,
            "consultation.refused",
            self.clock.now(),
            detail=f"consultation {consultation_id}: {why}",
        )

    async def vote(
        self, member_id: int, consultation_id: int, position: int, chosen: bool = True
    ) -> Vote:
        """Record a press: with one answer allowed it becomes the answer; with several it sets
        that answer chosen or not (so a press delivered twice changes nothing more). The
        checks and the write are one transaction, so nothing lands after closing."""
        consultation = await self.fixed_parts.get(consultation_id)
        if consultation is None or consultation.state in (SCHEDULED, CANCELLED):
            await self._refused(member_id, consultation_id, "ConsultationGone")
            raise ConsultationGone
        if not 0 <= position < len(consultation.options):
            await self._refused(member_id, consultation_id, f"answer {position} out of range")
            raise InvalidChoice
        press = await self.consultations.press(
            consultation_id,
            member_id,
            position,
            only_one=not consultation.multiple,
            chosen=chosen or not consultation.multiple,
            now=self.clock.now(),
        )
        if press.outcome != SAVED:
            refusal = {GONE: ConsultationGone, CLOSED: ConsultationClosed, NOT_INVITED: NotInvited}[
                press.outcome
            ]
            await self._refused(member_id, consultation_id, refusal.__name__)
            raise refusal
        answer = MemberAnswer(press.answered, press.chosen)
        return Vote(consultation, answer, not press.was_answered and press.answered)

    async def done(self, member_id: int, consultation_id: int) -> Vote:
        """Confirm the answers chosen so far (several allowed)."""
        consultation, before = await self._answerable(member_id, consultation_id)
        confirmed = await self.consultations.confirm(consultation_id, member_id, self.clock.now())
        if confirmed is None:
            raise ConsultationClosed
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
        await self.consultations.set_comment(consultation_id, member_id, text, self.clock.now())
        return consultation

    async def for_member(self, member_id: int, consultation_id: int) -> Vote:
        """A consultation and this member's answer, to show the question again."""
        consultation, answer = await self._answerable(member_id, consultation_id)
        return Vote(consultation, answer, False)

    async def open_for(self, member_id: int) -> list[Vote]:
        """Open consultations this member was asked, with their answers."""
        votes = []
        for consultation in await self.consultations.for_member(member_id, (OPEN,)):
            if consultation.closes_at <= self.clock.now():
                continue
            answer = await self.consultations.answer_of(consultation.id, member_id)
            if answer is not None:
                votes.append(Vote(consultation, answer, False))
        return votes

    async def closed_for(self, member_id: int) -> list[Consultation]:
        """Recently closed consultations this member was asked whose results they may see."""
        return [
            consultation
            for consultation in await self.consultations.for_member(member_id, (CLOSED,))
            if consultation.show_results != NEVER
        ]

    async def followups_for_member(self, member_id: int, consultation_id: int) -> list[str]:
        """The "you said, we did" messages about a consultation this member was asked."""
        if await self.consultations.answer_of(consultation_id, member_id) is None:
            raise NotInvited
        return await self.consultations.followups(consultation_id)

    async def member_data(self, member_id: int) -> list[dict[str, object]]:
        """Everything this member gave in consultations, for /mydata."""
        return await self.consultations.member_data(member_id)
